/**
 * Two PeerCores (ICE, DTLS, SCTP and data channels together) on the simulated network with a
 * virtual clock: the composite must connect, carry data intact and close over a lossy,
 * reordering path, deterministically per seed.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import type { DataChannel } from '../../src/datachannel/index.js';
import { type DtlsCertificate, generateDtlsCertificate } from '../../src/dtls/index.js';
import type { IceCandidate } from '../../src/ice/index.js';
import { buildEngineStats, PeerCore, type PeerCoreEvent } from '../../src/peer/index.js';
import type { Address } from '../../src/stun/index.js';
import { addPhantomCandidate, key, parseKey, Signaller } from '../ice/harness.js';
import {
  type LinkConditions,
  runSimulation,
  type SimDatagram,
  type SimEndpoint,
  SimNetwork,
} from '../sim/network.js';

class CoreEndpoint implements SimEndpoint {
  readonly keys: string[];
  readonly events: PeerCoreEvent[] = [];
  readonly core: PeerCore;

  constructor(
    readonly base: Address,
    role: 'controlling' | 'controlled',
    certificate: DtlsCertificate,
    readonly onEvent: (e: PeerCoreEvent, now: number) => void,
  ) {
    this.keys = [key(base)];
    this.core = new PeerCore({
      now: 0,
      ice: { role, localUfrag: `u${role}`, localPwd: `p${role}-0123456789abcdef`, stunServers: [] },
      certificate,
    });
    this.core.addLocalAddress(base, 0);
    this.core.endOfLocalAddresses(0);
  }

  receive(d: SimDatagram, now: number): void {
    this.core.handleDatagram(d.data, parseKey(d.from), parseKey(d.to), now);
  }

  timeout(now: number): void {
    this.core.handleTimeout(now);
  }

  nextTimeout(): number | undefined {
    return this.core.nextTimeout();
  }

  flush(net: SimNetwork): void {
    for (let t = this.core.pollTransmit(); t; t = this.core.pollTransmit()) {
      net.send(key(t.local), key(t.remote), t.data);
    }
    for (let e = this.core.pollEvent(); e; e = this.core.pollEvent()) {
      this.events.push(e);
      this.onEvent(e, net.now);
    }
  }
}

const ADDR_A: Address = { address: '10.0.0.1', port: 5001, family: 'IPv4' };
const ADDR_B: Address = { address: '10.0.0.2', port: 5002, family: 'IPv4' };

const certificates = Promise.all([generateDtlsCertificate(), generateDtlsCertificate()]);
const sctp = { localPort: 5000, remotePort: 5000, remoteMaxMessageSize: 262144 };
const fp = (c: DtlsCertificate) => [{ algorithm: 'sha-256', value: c.fingerprint('sha-256') }];

interface PairOptions {
  /** Sees every datagram sent, from the start. */
  tap?: (from: string, data: Uint8Array) => void;
  /** Which end creates the channel: the DTLS client (default) or the DTLS server. */
  creator?: 'client' | 'server';
  /** a's DTLS role (default client); b takes the other. */
  aDtls?: 'client' | 'server';
  /** Runs once both cores exist, before the credentials are exchanged. */
  before?: (a: CoreEndpoint, b: CoreEndpoint) => void;
}

/** A connected pair on `conditions`; `a` is ICE controlling. */
async function pair(
  seed: number,
  conditions: LinkConditions,
  { tap, creator = 'client', aDtls = 'client', before }: PairOptions = {},
) {
  const [certA, certB] = await certificates;
  const net = new SimNetwork(seed, conditions);
  if (tap) {
    const send = net.send.bind(net);
    net.send = (from, to, data) => {
      tap(from, data);
      send(from, to, data);
    };
  }
  const received: { channel: DataChannel; data: string | Uint8Array }[] = [];
  const remoteChannels: DataChannel[] = [];
  const handler = (other: () => CoreEndpoint) => (e: PeerCoreEvent, now: number) => {
    if (e.type === 'local-candidate') other().core.addRemoteCandidate(e.candidate, now);
    else if (e.type === 'datachannel') remoteChannels.push(e.channel);
    else if (e.type === 'message') received.push({ channel: e.channel, data: e.data });
  };
  const a: CoreEndpoint = new CoreEndpoint(
    ADDR_A,
    'controlling',
    certA,
    handler(() => b),
  );
  const b: CoreEndpoint = new CoreEndpoint(
    ADDR_B,
    'controlled',
    certB,
    handler(() => a),
  );
  before?.(a, b);
  a.core.setRemoteCredentials(b.core.ice.localUfrag, b.core.ice.localPwd, 0);
  b.core.setRemoteCredentials(a.core.ice.localUfrag, a.core.ice.localPwd, 0);
  const bDtls = aDtls === 'client' ? 'server' : 'client';
  a.core.startTransport({ dtlsRole: aDtls, remoteFingerprints: fp(certB), sctp }, 0);
  b.core.startTransport({ dtlsRole: bDtls, remoteFingerprints: fp(certA), sctp }, 0);
  const channel = (creator === aDtls ? a : b).core.createDataChannel('sim', {}, 0);
  const opened = runSimulation(
    net,
    [a, b],
    () => channel.state === 'open' && remoteChannels[0]?.state === 'open',
    30_000,
  );
  assert.ok(opened, `channel did not open (a: ${a.core.ice.state}, b: ${b.core.ice.state})`);
  return { net, a, b, channel, remote: remoteChannels[0]!, received };
}

function digest(d: string | Uint8Array): string {
  return createHash('sha256').update(d).digest('hex');
}

describe('PeerCore on the simulated network', () => {
  for (const [name, conditions] of [
    ['a clean path', { delay: 10 }],
    ['5% loss, duplication and reordering', { delay: 20, jitter: 15, loss: 0.05, duplicate: 0.02 }],
  ] as const) {
    test(`connects and carries 300 messages intact and in order over ${name}`, async () => {
      for (const seed of [1, 2]) {
        const p = await pair(seed, conditions);
        const sent: string[] = [];
        for (let i = 0; i < 300; i++) {
          const size = [1, 100, 1200, 5000, 70000][i % 5]!;
          const data = new Uint8Array(size).fill(i & 0xff);
          data[0] = i >> 8;
          p.channel.send(data, p.net.now);
          sent.push(digest(data));
        }
        const done = runSimulation(p.net, [p.a, p.b], () => p.received.length >= 300, 120_000);
        assert.ok(done, `seed ${seed}: ${p.received.length} of 300 arrived`);
        assert.deepEqual(
          p.received.map((r) => digest(r.data)),
          sent,
          `seed ${seed}`,
        );
        assert.ok(p.received.every((r) => r.channel === p.remote));
        if ('loss' in conditions) assert.ok(p.net.stats.dropped > 0, 'the path lost datagrams');
      }
    });
  }

  test('the DTLS server answers the ClientHello at once: no HelloVerifyRequest', async () => {
    // Handshake types of the plaintext (epoch 0) DTLS handshake records each side sent.
    const sent = new Map<string, number[]>();
    await pair(
      3,
      { delay: 10 },
      {
        tap: (from, data) => {
          if (data[0] !== 22 || data[3] !== 0 || data[4] !== 0 || data.length < 14) return;
          sent.set(from, [...(sent.get(from) ?? []), data[13]!]);
        },
      },
    );
    const server = sent.get(key(ADDR_B)) ?? [];
    assert.equal(server[0], 2, `server_hello first, not ${server}`);
    assert.ok(!server.includes(3), 'no HelloVerifyRequest');
  });

  // 20 ms round trips. ICE: the first check's answer makes a pair valid, and DTLS starts on
  // it while the nomination runs (RFC 8445 12.1). DTLS: 2 round trips, no cookie; the server's
  // SCTP INIT follows its last flight. INIT-ACK, then the COOKIE-ECHO (with the OPEN of a
  // channel the DTLS server creates) and the COOKIE-ACK (with the OPEN of one the client
  // creates): open at both ends 4.5 round trips in, whichever side is which.
  for (const aDtls of ['client', 'server'] as const) {
    for (const creator of ['client', 'server'] as const) {
      test(`open at both ends in 4.5 round trips: ICE controlling side DTLS ${aDtls}, channel created by the DTLS ${creator}`, async () => {
        const { net, channel, remote } = await pair(3, { delay: 10 }, { creator, aDtls });
        const odd = creator === 'server' ? 1 : 0;
        assert.equal(channel.id, odd, 'the DTLS server takes odd ids, the client even ones');
        assert.equal(remote.id, odd);
        assert.ok(net.now <= 90, `open at ${net.now} ms`);
      });
    }
  }

  test('a channel open before the nomination is open on a connected transport that reports its pair', async () => {
    // A remote candidate ranked above the real one that never answers: the controlling side
    // holds its nomination back for it (up to 1 s) while DTLS and SCTP run on the valid pair.
    const { net, a, b } = await pair(
      5,
      { delay: 10 },
      { before: (a) => addPhantomCandidate(a.core, '10.0.0.99') },
    );
    // The first check went to the phantom, the real pair's a Ta (50 ms) later.
    assert.ok(net.now <= 150, `open at ${net.now} ms`);
    for (const side of [a, b]) {
      assert.equal(side.core.ice.state, 'connected');
      assert.equal(side.core.ice.nominated, false, 'not nominated yet');
      assert.deepEqual(
        buildEngineStats(side.core).pairs.map((p) => p.nominated),
        [false],
        'the stats show the pair in use, not nominated',
      );
      const sel = side.core.ice.getSelectedPair();
      assert.ok(sel, 'the pair in use is reported');
      assert.notEqual(sel.remote.address, '10.0.0.99');
      const states = side.events.flatMap((e) => (e.type === 'ice-state' ? [e.state] : []));
      assert.deepEqual(states, ['checking', 'connected']);
      assert.equal(side.events.filter((e) => e.type === 'selected-pair').length, 1);
    }
    // The nomination comes once the phantom's check has had its second: the same pair, so no
    // second change is reported, and the transport completes.
    assert.ok(
      runSimulation(net, [a, b], () => a.core.ice.nominated && b.core.ice.nominated, 5_000),
      'nominated',
    );
    for (const side of [a, b]) {
      assert.equal(side.events.filter((e) => e.type === 'selected-pair').length, 1);
      assert.notEqual(side.core.ice.state, 'failed');
      assert.deepEqual(
        buildEngineStats(side.core).pairs.map((p) => p.nominated),
        [true],
      );
    }
  });

  test('an answer that reaches the offerer 35 s late: the answerer starts DTLS only once checked, and the channel opens', async () => {
    const [certA, certB] = await certificates;
    const net = new SimNetwork(4, { delay: 10 });
    const candidates = { a: [] as IceCandidate[], b: [] as IceCandidate[] };
    const collect = (into: IceCandidate[]) => (e: PeerCoreEvent) => {
      if (e.type === 'local-candidate') into.push(e.candidate);
    };
    const a = new CoreEndpoint(ADDR_A, 'controlling', certA, collect(candidates.a));
    const b = new CoreEndpoint(ADDR_B, 'controlled', certB, collect(candidates.b));
    a.flush(net);
    b.flush(net);
    const channel = a.core.createDataChannel('late', {}, 0);
    // The answerer has the offer at once; its checks are answered from the start.
    b.core.setRemoteCredentials(a.core.ice.localUfrag, a.core.ice.localPwd, 0);
    for (const c of candidates.a) b.core.addRemoteCandidate(c, 0);
    b.core.startTransport({ dtlsRole: 'client', remoteFingerprints: fp(certA), sctp }, 0);
    const answerAt = 35_000;
    const sig = new Signaller();
    sig.schedule(answerAt, (now) => {
      a.core.setRemoteCredentials(b.core.ice.localUfrag, b.core.ice.localPwd, now);
      for (const c of candidates.b) a.core.addRemoteCandidate(c, now);
      a.core.startTransport({ dtlsRole: 'server', remoteFingerprints: fp(certB), sctp }, now);
    });
    const open = runSimulation(net, [sig, a, b], () => channel.state === 'open', 60_000);
    assert.ok(open, `channel ${channel.state}`);
    // The answerer's handshake (and its 30 s timer) waited for the offerer's checks.
    assert.ok(net.now - answerAt <= 100, `open ${net.now - answerAt} ms after the answer`);
    assert.ok(!b.events.some((e) => e.type === 'dtls-state' && e.state === 'failed'));
    assert.equal(a.core.counters.sendRefused + b.core.counters.sendRefused, 0, 'no send refused');
  });

  test('close() on one side closes the channel on the other over a lossy path', async () => {
    const p = await pair(3, { delay: 10, loss: 0.1 });
    p.a.core.close(p.net.now);
    const closed = runSimulation(p.net, [p.a, p.b], () => p.remote.state === 'closed', 60_000);
    assert.ok(closed, `remote channel is ${p.remote.state}`);
    assert.ok(p.b.events.some((e) => e.type === 'sctp-state' && e.state === 'closed'));
  });
});
