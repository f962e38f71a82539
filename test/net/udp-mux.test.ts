/**
 * The shared port's demultiplexer: which connection a datagram belongs to, read from a STUN
 * request's USERNAME or the route a connection claimed by sending, over real sockets on
 * loopback.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { buildCheckRequest } from '../../src/ice/messages.js';
import type { UdpEndpoint } from '../../src/net/udp-endpoint.js';
import { bindingRequestUfrag, type MuxClient, UdpMux } from '../../src/net/udp-mux.js';
import { newTransactionId } from '../../src/stun/builder.js';
import type { Address } from '../../src/stun/index.js';
import { buildBindingSuccess } from '../../src/stun/responses.js';
import { FakeCore, startFakeDriver } from './fake-core.js';
import { freeLoopbackPort, loopbackPortInUse } from './loopback-port.js';

const KEY = new TextEncoder().encode('0123456789abcdefghijklmn');

function request(username: string): Uint8Array {
  return buildCheckRequest({
    username,
    priority: 1,
    role: 'controlling',
    tieBreaker: 1n,
    useCandidate: false,
    transactionId: newTransactionId(),
    key: KEY,
  });
}

/** A client that records what reached it. */
function recorder(): MuxClient & { got: string[]; failed: number } {
  const c = {
    got: [] as string[],
    failed: 0,
    receive(_e: UdpEndpoint, data: Uint8Array) {
      c.got.push(Buffer.from(data).toString('hex'));
    },
    socketFailed() {
      c.failed++;
    },
  };
  return c;
}

async function remoteSocket(): Promise<Socket> {
  const s = createSocket('udp4');
  s.bind(0, '127.0.0.1');
  await once(s, 'listening');
  return s;
}

function addressOf(s: Socket): Address {
  const a = s.address();
  return { address: a.address, port: a.port, family: 'IPv4' };
}

/** Sends `data` from `from` to the endpoint and waits until `client` has one more datagram. */
async function deliver(from: Socket, to: UdpEndpoint, data: Uint8Array): Promise<void> {
  from.send(data, to.local.port, to.local.address);
  await new Promise((r) => setTimeout(r, 30));
}

describe('bindingRequestUfrag', () => {
  test('is the part of USERNAME before the colon, for a Binding request only', () => {
    assert.equal(bindingRequestUfrag(request('srvUfrag:cli')), 'srvUfrag');
    const success = buildBindingSuccess(
      newTransactionId(),
      { address: '127.0.0.1', port: 9, family: 'IPv4' },
      KEY,
    );
    assert.equal(bindingRequestUfrag(success), undefined);
    assert.equal(bindingRequestUfrag(request('no-colon')), undefined);
  });

  test('truncated or random input gives undefined, never a throw', () => {
    const r = request('abcd:efgh');
    for (let n = 0; n < r.length; n++) {
      const got = bindingRequestUfrag(r.subarray(0, n));
      // Cut inside USERNAME or before it, the length fields no longer fit.
      if (n < 20 + 4 + 9) assert.equal(got, undefined, `cut at ${n}`);
    }
    for (let i = 0; i < 5000; i++) {
      const d = randomBytes(1 + (i % 120));
      if (i % 2 === 0 && d.length >= 8) {
        d[0] = 0;
        d[1] = 1;
        d.writeUInt32BE(0x2112a442, 4);
      }
      const u = bindingRequestUfrag(d);
      assert.ok(u === undefined || typeof u === 'string');
    }
  });
});

describe('UdpMux', () => {
  test('STUN requests go by ufrag, other datagrams by the route a client claimed; the rest is dropped', async () => {
    const a = recorder();
    const b = recorder();
    const mux = UdpMux.acquire(0, a);
    assert.equal(UdpMux.acquire(0, b), mux, 'one mux per port');
    const remote1 = await remoteSocket();
    const remote2 = await remoteSocket();
    try {
      const e = await mux.endpoint('127.0.0.1');
      assert.equal(await mux.endpoint('127.0.0.1'), e, 'one socket per address');
      mux.setUfrag(a, 'ufragA');
      mux.setUfrag(b, 'ufragB');

      const toA = request('ufragA:x');
      const toB = request('ufragB:y');
      await deliver(remote1, e, toB);
      await deliver(remote2, e, toA);
      assert.deepEqual(a.got, [Buffer.from(toA).toString('hex')]);
      assert.deepEqual(b.got, [Buffer.from(toB).toString('hex')]);

      // Nobody claimed remote1 yet: a DTLS-looking datagram from it is dropped.
      const record = Uint8Array.of(23, 0xfe, 0xfd, 0, 1, 2, 3);
      await deliver(remote1, e, record);
      assert.equal(mux.dropped, 1);
      mux.claim(e, addressOf(remote1), a);
      await deliver(remote1, e, record);
      assert.equal(a.got.at(-1), Buffer.from(record).toString('hex'));

      // The last to send to an address receives what comes from it.
      mux.claim(e, addressOf(remote1), b);
      await deliver(remote1, e, record);
      assert.equal(b.got.at(-1), Buffer.from(record).toString('hex'));
      assert.equal(a.got.length, 2);

      // An ICE restart moves a client to a new ufrag; the old one reaches nobody.
      mux.setUfrag(a, 'ufragA2');
      await deliver(remote2, e, request('ufragA:x'));
      assert.equal(mux.dropped, 2);
      await deliver(remote2, e, request('ufragA2:x'));
      assert.equal(a.got.length, 3);

      // A client that leaves takes its routes and ufrag with it.
      mux.release(b);
      await deliver(remote1, e, record);
      await deliver(remote2, e, toB);
      assert.equal(mux.dropped, 4);
      assert.equal(b.got.length, 2);
    } finally {
      mux.release(a);
      mux.release(b);
      remote1.close();
      remote2.close();
    }
  });

  test('a fixed port is bound once and freed after the last client', async () => {
    const port = await freeLoopbackPort();
    const a = recorder();
    const b = recorder();
    const mux = UdpMux.acquire(port, a);
    UdpMux.acquire(port, b);
    const e = await mux.endpoint('127.0.0.1');
    assert.equal(e.local.port, port);
    mux.release(a);
    assert.equal(
      await loopbackPortInUse(port),
      true,
      'the port stays bound while a client uses it',
    );
    mux.release(b);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(await loopbackPortInUse(port), false, 'the port is free after the last client');
  });
});

/** A core whose ufrag a test changes, as an ICE restart does inside a driver call. */
class UfragCore extends FakeCore {
  localUfrag: string | undefined = 'before';
}

describe('CoreDriver on a shared port', () => {
  test("the core's ufrag reaches the mux at start and after a call that changes it", async () => {
    const { driver, core } = await startFakeDriver(() => new UfragCore(), { sharedPort: 0 });
    const remote = await remoteSocket();
    try {
      const local = driver.localAddresses[0]!;
      const send = async (data: Uint8Array) => {
        remote.send(data, local.port, local.address);
        await new Promise((r) => setTimeout(r, 30));
      };
      await send(request('before:x'));
      assert.equal(core.received.length, 1, 'routed by the ufrag the core had at start');

      driver.call((c) => {
        c.localUfrag = 'after';
      });
      await send(request('before:x'));
      assert.equal(core.received.length, 1, 'the old ufrag reaches nobody');
      await send(request('after:x'));
      assert.equal(core.received.length, 2, 'routed by the new ufrag');
    } finally {
      remote.close();
      driver.close();
    }
  });
});
