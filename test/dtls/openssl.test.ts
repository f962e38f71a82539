import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { DtlsCertificate } from '../../src/dtls/certificate.js';
import { CipherSuite } from '../../src/dtls/cipher-suites.js';
import { AlertDescription } from '../../src/dtls/constants.js';
import { DtlsEndpoint } from '../../src/dtls/endpoint.js';
import type { SrtpProfile } from '../../src/dtls/types.js';
import { testCertificate } from './helpers.js';
import { UdpDriver } from './udp-driver.js';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

const OPENSSL_NAMES: Record<number, string> = {
  [CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  [CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  [CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256]: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  [CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]: 'ECDHE-RSA-AES128-GCM-SHA256',
  [CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384]: 'ECDHE-RSA-AES256-GCM-SHA384',
};

/** Whether this openssl build offers the suite (DTLS 1.2 has the TLS 1.2 suites). */
function opensslOffers(suite: number): boolean {
  const r = spawnSync('openssl', ['ciphers', '-s', '-tls1_2', OPENSSL_NAMES[suite]!]);
  return r.status === 0 && r.stdout.toString().includes(OPENSSL_NAMES[suite]!);
}

const OPENSSL_SRTP: Record<SrtpProfile, string> = {
  SRTP_AEAD_AES_128_GCM: 'SRTP_AEAD_AES_128_GCM',
  SRTP_AEAD_AES_256_GCM: 'SRTP_AEAD_AES_256_GCM',
  SRTP_AES128_CM_HMAC_SHA1_80: 'SRTP_AES128_CM_SHA1_80',
};

type KeyKind = 'ecdsa' | 'ecdsa384' | 'rsa';

interface Case {
  suite: number;
  /** The server's certificate. */
  key: KeyKind;
  srtp: SrtpProfile;
  /** The client's certificate (default ECDSA P-256). */
  clientKey?: KeyKind;
  /** More openssl arguments, for both s_server and s_client. */
  extra?: string[];
  /** Our MTU. */
  mtu?: number;
  label?: string;
}

const CASES: Case[] = [
  {
    suite: CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    key: 'ecdsa',
    srtp: 'SRTP_AEAD_AES_128_GCM',
  },
  {
    suite: CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    key: 'ecdsa',
    srtp: 'SRTP_AEAD_AES_256_GCM',
  },
  {
    suite: CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    key: 'ecdsa',
    srtp: 'SRTP_AES128_CM_HMAC_SHA1_80',
  },
  {
    suite: CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    key: 'rsa',
    srtp: 'SRTP_AES128_CM_HMAC_SHA1_80',
  },
  {
    suite: CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    key: 'rsa',
    srtp: 'SRTP_AEAD_AES_128_GCM',
  },
];

/** Certificate, group and MTU variations, run in both roles. */
const MORE_CASES: Case[] = [
  {
    suite: CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    key: 'ecdsa384',
    clientKey: 'ecdsa384',
    srtp: 'SRTP_AEAD_AES_256_GCM',
    extra: ['-groups', 'P-384'],
    label: 'P-384 certificates both sides, group P-384',
  },
  {
    suite: CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    key: 'ecdsa',
    srtp: 'SRTP_AES128_CM_HMAC_SHA1_80',
    extra: ['-groups', 'P-256'],
    label: 'group P-256',
  },
  {
    suite: CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    key: 'rsa',
    clientKey: 'rsa',
    srtp: 'SRTP_AEAD_AES_128_GCM',
    extra: ['-mtu', '400'],
    mtu: 400,
    label: 'RSA certificates both sides, 400-byte MTU both ways',
  },
];

class OpenSsl {
  readonly proc: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  exited = false;
  private listeners: (() => void)[] = [];

  constructor(args: string[]) {
    this.proc = spawn('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout.on('data', (b: Buffer) => {
      this.stdout += b.toString();
      this.notify();
    });
    this.proc.stderr.on('data', (b: Buffer) => {
      this.stderr += b.toString();
      this.notify();
    });
    this.proc.on('exit', () => {
      this.exited = true;
      this.notify();
    });
    this.proc.on('error', () => {
      this.exited = true;
      this.notify();
    });
  }

  onChange(f: () => void): void {
    this.listeners.push(f);
  }

  private notify(): void {
    for (const f of this.listeners) f();
  }

  write(line: string): void {
    this.proc.stdin.write(line);
  }

  kill(): void {
    if (!this.exited) this.proc.kill('SIGKILL');
  }
}

function freeUdpPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.bind(0, '127.0.0.1', () => {
      const port = s.address().port;
      s.close(() => resolve(port));
    });
  });
}

function waitFor(o: OpenSsl, cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(
      () =>
        reject(new Error(`timed out waiting for ${what}; openssl said:\n${o.stdout}\n${o.stderr}`)),
      ms,
    );
    const check = () => {
      if (cond()) {
        clearTimeout(deadline);
        resolve();
      }
    };
    o.onChange(check);
    check();
  });
}

describe('interop with openssl', { skip: hasOpenssl ? false : 'openssl not installed' }, () => {
  let dir: string;
  const certs: Record<string, DtlsCertificate> = {};
  const files: Record<string, { cert: string; key: string }> = {};
  const children: OpenSsl[] = [];
  const drivers: UdpDriver[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tsrtc-dtls-'));
    const kinds = [
      ['ours-ecdsa', 'ecdsa', 0],
      ['ours-ecdsa384', 'ecdsa384', 0],
      ['ours-rsa', 'rsa', 0],
      ['theirs-ecdsa', 'ecdsa', 2],
      ['theirs-ecdsa384', 'ecdsa384', 1],
      ['theirs-rsa', 'rsa', 1],
    ] as const;
    for (const [name, kind, slot] of kinds) {
      const c = await testCertificate(kind, slot);
      certs[name] = c;
      const cert = join(dir, `${name}.crt`);
      const key = join(dir, `${name}.key`);
      writeFileSync(cert, c.certificatePem());
      writeFileSync(key, c.privateKeyPem());
      files[name] = { cert, key };
    }
  });

  after(() => {
    for (const c of children) c.kill();
    for (const d of drivers) d.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = (args: string[]) => {
    const o = new OpenSsl(args);
    children.push(o);
    return o;
  };

  /** The fingerprint of one of the generated certificates, or one that differs in a byte. */
  const pinnedFingerprint = (name: string, wrong: boolean) => {
    const fp = certs[name]!.fingerprint();
    // The first byte changed (one in 256 fingerprints starts with 00 already).
    const other = fp.startsWith('00') ? '01' : '00';
    return [{ algorithm: 'sha-256', value: wrong ? other + fp.slice(2) : fp }];
  };

  /** The handshake outcome both directions check before exchanging data. */
  const expectConnected = (
    c: Case,
    driver: UdpDriver,
    dtls: DtlsEndpoint,
    peer: OpenSsl,
    theirs: string,
  ) => {
    assert.equal(dtls.state, 'connected', `${JSON.stringify(driver.events)}\n${peer.stderr}`);
    assert.equal(dtls.cipherSuite, c.suite);
    assert.equal(dtls.srtpProfile, c.srtp);
    if (c.mtu !== undefined) {
      // Certificates alone exceed these MTUs, so both sides had to fragment.
      assert.ok(driver.maxSent <= c.mtu, `sent ${driver.maxSent}`);
      assert.ok(driver.maxReceived <= c.mtu, `received ${driver.maxReceived}`);
    }
    assert.deepEqual(dtls.remoteCertificate, certs[theirs]!.der);
  };

  async function tsrtcClient(c: Case, wrongFingerprint = false) {
    const port = await freeUdpPort();
    const theirs = files[`theirs-${c.key}`]!;
    const server = start([
      's_server',
      '-dtls1_2',
      '-naccept', // exit after one connection, which flushes its stdout
      '1',
      '-accept',
      `127.0.0.1:${port}`,
      '-cert',
      theirs.cert,
      '-key',
      theirs.key,
      '-verify',
      '1',
      '-cipher',
      OPENSSL_NAMES[c.suite]!,
      '-use_srtp',
      OPENSSL_SRTP[c.srtp],
      ...(c.extra ?? []),
    ]);
    await waitFor(server, () => server.stdout.includes('ACCEPT'), 's_server to listen');
    const dtls = new DtlsEndpoint({
      role: 'client',
      certificate: certs[`ours-${c.clientKey ?? 'ecdsa'}`]!,
      now: 0,
      mtu: c.mtu,
      remoteFingerprints: pinnedFingerprint(`theirs-${c.key}`, wrongFingerprint),
    });
    const driver = new UdpDriver(dtls);
    drivers.push(driver);
    server.onChange(() => driver.poke());
    await driver.bind();
    driver.connect(port);
    return { server, driver, dtls };
  }

  async function tsrtcServer(c: Case, wrongFingerprint = false) {
    const mine = `ours-${c.key}`;
    const theirs = `theirs-${c.clientKey ?? 'ecdsa'}`;
    const clientCert = files[theirs]!;
    const dtls = new DtlsEndpoint({
      role: 'server',
      certificate: certs[mine]!,
      now: 0,
      mtu: c.mtu,
      remoteFingerprints: pinnedFingerprint(theirs, wrongFingerprint),
    });
    const driver = new UdpDriver(dtls);
    drivers.push(driver);
    const port = await driver.bind();
    driver.listen();
    const client = start([
      's_client',
      '-dtls1_2',
      '-connect',
      `127.0.0.1:${port}`,
      '-cert',
      clientCert.cert,
      '-key',
      clientCert.key,
      '-cipher',
      OPENSSL_NAMES[c.suite]!,
      '-use_srtp',
      OPENSSL_SRTP[c.srtp],
      ...(c.extra ?? []),
    ]);
    client.onChange(() => driver.poke());
    return { client, driver, dtls };
  }

  for (const c of [...CASES, ...MORE_CASES]) {
    const name = c.label ?? OPENSSL_NAMES[c.suite]!;
    const skip =
      hasOpenssl && !opensslOffers(c.suite) ? `openssl lacks ${OPENSSL_NAMES[c.suite]}` : false;

    test(`tsrtc client <-> openssl s_server, ${name}, ${c.srtp}`, { skip }, async () => {
      const { server, driver, dtls } = await tsrtcClient(c);
      await driver.until(() => dtls.state !== 'connecting' || server.exited, 10_000, 'handshake');
      expectConnected(c, driver, dtls, server, `theirs-${c.key}`);
      driver.send('ping from tsrtc\n');
      await waitFor(
        server,
        () => server.stdout.includes('ping from tsrtc'),
        'our data at s_server',
      );
      server.write('pong from openssl\n');
      await driver.until(
        () => driver.received.join('').includes('pong from openssl'),
        10_000,
        "s_server's data",
      );
      dtls.close(driver.now());
      driver.pump();
      assert.equal(dtls.state, 'closed');
      await waitFor(
        server,
        () => server.exited && /^DONE$/m.test(server.stdout),
        'close_notify at s_server',
      );
      server.kill();
    });

    test(`openssl s_client <-> tsrtc server, ${name}, ${c.srtp}`, { skip }, async () => {
      const { client, driver, dtls } = await tsrtcServer(c);
      await driver.until(() => dtls.state !== 'connecting' || client.exited, 10_000, 'handshake');
      expectConnected(c, driver, dtls, client, `theirs-${c.clientKey ?? 'ecdsa'}`);
      await waitFor(
        client,
        () => client.stdout.includes(`profile=${OPENSSL_SRTP[c.srtp]}`),
        'SRTP line',
      );
      client.write('ping from openssl\n');
      await driver.until(
        () => driver.received.join('').includes('ping from openssl'),
        10_000,
        "s_client's data",
      );
      driver.send('pong from tsrtc\n');
      await waitFor(
        client,
        () => client.stdout.includes('pong from tsrtc'),
        'our data at s_client',
      );
      client.write('Q\n'); // s_client's command to shut the connection down with close_notify
      await driver.until(() => dtls.state === 'closed', 10_000, 'close_notify from s_client');
      assert.ok(driver.events.some((e) => e.type === 'closed'));
      client.kill();
    });
  }

  for (const role of ['client', 'server'] as const) {
    const peerRole = role === 'client' ? 'server' : 'client';
    test(`tsrtc ${role} fails with bad_certificate on a wrong ${peerRole} fingerprint`, async () => {
      const { driver, dtls, peer } =
        role === 'client'
          ? await tsrtcClient(CASES[0]!, true).then((r) => ({ ...r, peer: r.server }))
          : await tsrtcServer(CASES[0]!, true).then((r) => ({ ...r, peer: r.client }));
      await driver.until(() => dtls.state !== 'connecting', 10_000, 'handshake end');
      assert.equal(dtls.state, 'failed');
      const f = driver.events.find((e) => e.type === 'failed');
      assert.equal(f?.type === 'failed' && f.alert, AlertDescription.badCertificate);
      await waitFor(
        peer,
        () => /alert bad certificate/i.test(peer.stdout + peer.stderr),
        `alert at s_${peerRole}`,
      );
      peer.kill();
    });
  }
});
