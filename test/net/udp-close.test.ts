// What a closing connection sends last (SCTP ABORT, DTLS close_notify) goes out in the same
// tick as the close of its sockets. node:dgram resolves a send's address before handing it to
// the OS (asynchronously with its default lookup, even for an IP literal) and silently drops a
// send whose socket was closed in the meantime, so closing at once loses those datagrams.
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, test } from 'node:test';
import { bindUdpSocket } from '../../src/net/udp.js';
import { UdpEndpoint } from '../../src/net/udp-endpoint.js';
import type { Address } from '../../src/stun/index.js';
import { FakeCore, startFakeDriver } from './fake-core.js';

const open: Socket[] = [];
after(() => {
  for (const s of open) {
    try {
      s.close();
    } catch {
      // closed by the test
    }
  }
});

interface Receiver {
  address: Address;
  messages: string[];
  /** Resolves once `n` datagrams arrived, or after `ms` with what did. */
  until(n: number, ms?: number): Promise<string[]>;
}

async function receiver(host: '127.0.0.1' | '::1'): Promise<Receiver> {
  const socket = createSocket({ type: host === '::1' ? 'udp6' : 'udp4', ipv6Only: host === '::1' });
  open.push(socket);
  await new Promise<void>((r) => socket.bind(0, host, () => r()));
  const messages: string[] = [];
  let waiter: (() => void) | undefined;
  socket.on('message', (m) => {
    messages.push(m.toString());
    waiter?.();
  });
  return {
    address: {
      address: host,
      port: socket.address().port,
      family: host === '::1' ? 'IPv6' : 'IPv4',
    },
    messages,
    until(n: number, ms = 1000) {
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          waiter = undefined;
          resolve(messages);
        };
        const timer = setTimeout(done, ms);
        waiter = () => {
          if (messages.length >= n) done();
        };
        waiter();
      });
    },
  };
}

function socketClosed(socket: Socket): Promise<void> {
  return new Promise((resolve) => socket.once('close', () => resolve()));
}

const noErrors = (_e: UdpEndpoint, err: Error) => assert.fail(err);
const bytes = (s: string) => new TextEncoder().encode(s);

test('datagrams sent right before close() arrive on a socket with the default lookup', async () => {
  const rx = await receiver('127.0.0.1');
  // dgram's own dns.lookup answers even "127.0.0.1" on a later tick: the send is still
  // pending when close() returns.
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const endpoint = new UdpEndpoint(socket, () => {}, noErrors);
  const closed = socketClosed(socket);
  endpoint.send(bytes('abort'), rx.address);
  endpoint.send(bytes('close_notify'), rx.address);
  endpoint.close();
  assert.equal(endpoint.isClosed, true);
  endpoint.send(bytes('after close'), rx.address);

  assert.deepEqual(await rx.until(2), ['abort', 'close_notify']);
  await closed; // the socket itself is still closed, soon after
  // Nothing sent after close() counts or arrives.
  assert.equal(endpoint.stats.datagramsSent, 2);
  assert.equal(endpoint.stats.sendErrors, 0);
  assert.deepEqual(await rx.until(3, 100), ['abort', 'close_notify']);
});

for (const host of ['127.0.0.1', '::1'] as const) {
  test(`a send and close() in one tick on a bound socket deliver the datagram (${host})`, async () => {
    const rx = await receiver(host);
    const socket = await bindUdpSocket(host);
    const endpoint = new UdpEndpoint(socket, () => {}, noErrors);
    const closed = socketClosed(socket);
    endpoint.send(bytes('last words'), rx.address);
    endpoint.close();
    endpoint.close(); // idempotent
    assert.deepEqual(await rx.until(1), ['last words']);
    await closed;
  });
}

test('what a core sends while CoreDriver.close() closes it reaches the peer', async () => {
  const rx = await receiver('127.0.0.1');
  const { driver, core } = await startFakeDriver(() => new FakeCore());
  const socket = driver.endpoints[0]!.socket;
  const closed = socketClosed(socket);
  core.onClose.push({ data: bytes('ABORT'), remote: rx.address });
  core.onClose.push({ data: bytes('close_notify'), remote: rx.address });
  driver.close();
  assert.equal(core.closed, true);
  assert.deepEqual(driver.endpoints, []);
  assert.deepEqual(await rx.until(2), ['ABORT', 'close_notify']);
  await closed;
  assert.equal(driver.stats.datagramsSent, 2);
});
