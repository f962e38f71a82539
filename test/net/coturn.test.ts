import assert from 'node:assert/strict';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { after, before, test } from 'node:test';
import type { IceCandidate, IceEvent } from '../../src/ice/index.js';
import { IceDriver } from '../../src/net/index.js';
import {
  type Address,
  decodeStun,
  getErrorCode,
  getUnknownAttributes,
  getXorMappedAddress,
  StunAttr,
  verifyFingerprint,
} from '../../src/stun/index.js';
import { type Coturn, coturnSkipReason, startCoturn, stunBinding } from './coturn.js';

const inNetns = process.env.NETNS_RUN === '1';
const noCoturn = coturnSkipReason();
const netnsOnly =
  noCoturn || (inNetns ? false : 'needs the private network namespace (NETNS_RUN=1)');

let coturn: Coturn | undefined;
before(async () => {
  if (noCoturn) return;
  coturn = await startCoturn(inNetns ? ['127.0.0.1', '10.77.0.1'] : ['127.0.0.1']);
});
after(async () => {
  await coturn?.stop();
});

const server = (address = '127.0.0.1'): Address => ({
  address,
  port: coturn!.port,
  family: 'IPv4',
});

test('a Binding request built by src/stun is answered by coturn', { skip: noCoturn }, async () => {
  const { response, local } = await stunBinding(server(), {
    build: (b) => b.addString(StunAttr.Software, 'tsrtc test').addFingerprint(),
  });
  const d = decodeStun(response);
  assert.ok(d.ok, d.ok ? '' : d.error);
  const m = d.message;
  assert.equal(m.class, 'success');
  assert.deepEqual(getXorMappedAddress(m), local);
  // coturn signs its responses with FINGERPRINT when configured to: our CRC must agree.
  assert.ok(verifyFingerprint(m), 'fingerprint verifies');
});

test('coturn rejects an unknown comprehension-required attribute with 420', {
  skip: noCoturn,
}, async () => {
  const { response } = await stunBinding(server(), {
    build: (b) => b.add(0x7f31, new Uint8Array([1, 2, 3, 4])),
  });
  const d = decodeStun(response);
  assert.ok(d.ok);
  assert.equal(d.message.class, 'error');
  assert.equal(getErrorCode(d.message)?.code, 420);
  assert.deepEqual(getUnknownAttributes(d.message), [0x7f31]);
});

test('a Binding over the veth pair reports the sender address', { skip: netnsOnly }, async () => {
  const { response, local } = await stunBinding(server('10.77.0.1'), { from: '10.77.0.2' });
  const d = decodeStun(response);
  assert.ok(d.ok);
  assert.deepEqual(getXorMappedAddress(d.message), local);
  assert.equal(local.address, '10.77.0.2');
});

/** Collects a driver's events until gathering completes. */
async function gather(driver: IceDriver): Promise<IceEvent[]> {
  const events: IceEvent[] = [];
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('gathering did not complete')), 10_000);
    driver.onEvent = (e) => {
      events.push(e);
      if (e.type === 'gathering-state' && e.state === 'complete') {
        clearTimeout(timer);
        resolve();
      }
    };
  });
  await driver.start();
  await done;
  return events;
}

const candidatesOf = (events: IceEvent[], type: IceCandidate['type']) =>
  events.flatMap((e) =>
    e.type === 'local-candidate' && e.candidate.type === type ? [e.candidate] : [],
  );

test('gathering against coturn by host name, no NAT: no redundant srflx, no error', {
  skip: noCoturn,
}, async () => {
  const driver = new IceDriver({
    role: 'controlling',
    addresses: { addresses: ['127.0.0.1'] },
    stunServers: [`stun:localhost:${coturn?.port}`],
  });
  try {
    const events = await gather(driver);
    assert.equal(candidatesOf(events, 'host').length, 1);
    // The mapped address equals the host base: RFC 8445 5.1.3 drops it as redundant.
    assert.deepEqual(candidatesOf(events, 'srflx'), []);
    assert.deepEqual(
      events.filter((e) => e.type === 'candidate-error'),
      [],
    );
  } finally {
    driver.close();
  }
});

/**
 * A port-restricted NAT in user space: datagrams from each inside client leave through an
 * outside socket of their own (bound on `outsideAddress`), answers come back the same way. It
 * also decodes what the server answers, to know what the server reported.
 */
class UdpNat {
  readonly inside: Socket = createSocket('udp4');
  private readonly outside = new Map<string, Socket>();
  readonly reported: Address[] = [];

  constructor(
    private readonly outsideAddress: string,
    private readonly target: Address,
  ) {}

  async start(insideAddress: string): Promise<Address> {
    await new Promise<void>((r) => this.inside.bind(0, insideAddress, () => r()));
    this.inside.on('message', (msg, rinfo) => void this.fromInside(msg, rinfo));
    const a = this.inside.address();
    return { address: a.address, port: a.port, family: 'IPv4' };
  }

  private async fromInside(msg: Buffer, client: RemoteInfo): Promise<void> {
    const key = `${client.address}:${client.port}`;
    let out = this.outside.get(key);
    if (!out) {
      const s = createSocket('udp4');
      this.outside.set(key, s);
      await new Promise<void>((r) => s.bind(0, this.outsideAddress, () => r()));
      s.on('message', (answer) => {
        const d = decodeStun(answer);
        const mapped = d.ok ? getXorMappedAddress(d.message) : undefined;
        if (mapped) this.reported.push(mapped);
        this.inside.send(answer, client.port, client.address);
      });
      out = s;
    }
    out.send(msg, this.target.port, this.target.address);
  }

  outsideAddresses(): Address[] {
    return [...this.outside.values()].map((s) => {
      const a = s.address();
      return { address: a.address, port: a.port, family: 'IPv4' };
    });
  }

  close(): void {
    this.inside.close();
    for (const s of this.outside.values()) s.close();
  }
}

test('a server-reflexive candidate from coturn behind a NAT', { skip: netnsOnly }, async () => {
  // Agent on 10.77.0.2; its STUN traffic goes through the NAT, which sends it on to coturn
  // (10.77.0.1) from 127.0.0.1, so coturn sees, and reports, an address that is not the base.
  const nat = new UdpNat('127.0.0.1', server('10.77.0.1'));
  const natInside = await nat.start('10.77.0.2');
  const driver = new IceDriver({
    role: 'controlled',
    addresses: { addresses: ['10.77.0.2'] },
    stunServers: [`stun:${natInside.address}:${natInside.port}`],
  });
  try {
    const events = await gather(driver);
    const [host] = candidatesOf(events, 'host');
    const srflx = candidatesOf(events, 'srflx');
    assert.ok(host);
    assert.equal(srflx.length, 1, `one srflx candidate: ${JSON.stringify(events)}`);
    const c = srflx[0]!;
    // What coturn reported, as it passed through the NAT, and what the NAT really used.
    assert.ok(nat.reported.length >= 1);
    assert.deepEqual({ address: c.address, port: c.port, family: 'IPv4' }, nat.reported[0]);
    assert.deepEqual(nat.outsideAddresses(), [nat.reported[0]]);
    assert.equal(c.relatedAddress, '10.77.0.2');
    assert.equal(c.relatedPort, driver.localAddresses[0]!.port);
    assert.equal(c.relatedPort, host.port);
    assert.equal(c.address, '127.0.0.1');
    assert.ok(c.priority < host.priority);
    assert.deepEqual(
      events.filter((e) => e.type === 'candidate-error'),
      [],
    );
  } finally {
    driver.close();
    nat.close();
  }
});

test('a STUN server that does not answer gives a candidate error', {
  skip: netnsOnly,
}, async () => {
  // A bound socket that never answers: the gather transaction times out.
  const silent = createSocket('udp4');
  await new Promise<void>((r) => silent.bind(0, '10.77.0.1', () => r()));
  const driver = new IceDriver({
    role: 'controlling',
    addresses: { addresses: ['10.77.0.2'] },
    stunServers: [`10.77.0.1:${silent.address().port}`],
    checkRto: 50,
    gatherRc: 2,
  });
  try {
    const events = await gather(driver);
    const errors = events.filter((e) => e.type === 'candidate-error');
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.errorCode, 701);
    assert.equal(errors[0]!.address, '10.77.0.2');
  } finally {
    driver.close();
    silent.close();
  }
});
