import assert from 'node:assert/strict';
import type { Socket } from 'node:dgram';
import { after, test } from 'node:test';
import {
  bindUdpSocket,
  literalLookup,
  type PortRange,
  PortRangeExhaustedError,
  validatePortRange,
} from '../../src/net/udp.js';
import { UdpEndpoint } from '../../src/net/udp-endpoint.js';
import type { Address } from '../../src/stun/index.js';
import { Prng } from '../sim/prng.js';

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

/** Binds every port of a small range starting somewhere free; retries elsewhere if taken. */
async function fillRange(
  size: number,
  prng: Prng,
): Promise<{ range: PortRange; sockets: Socket[] }> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const min = 20000 + Math.floor(prng.next() * 30000);
    const range = { min, max: min + size - 1 };
    const sockets: Socket[] = [];
    try {
      for (let i = 0; i < size; i++)
        sockets.push(await bindUdpSocket('127.0.0.1', { portRange: range }));
      open.push(...sockets);
      return { range, sockets };
    } catch {
      for (const s of sockets) s.close();
    }
  }
  throw new Error('no free port range found');
}

test('binds within the range, every port once, then reports exhaustion', async () => {
  const prng = new Prng(7);
  const { range, sockets } = await fillRange(4, prng);
  const ports = sockets.map((s) => s.address().port).sort((a, b) => a - b);
  assert.deepEqual(ports, [range.min, range.min + 1, range.min + 2, range.min + 3]);
  await assert.rejects(bindUdpSocket('127.0.0.1', { portRange: range }), (err: unknown) => {
    assert.ok(err instanceof PortRangeExhaustedError);
    assert.equal(err.address, '127.0.0.1');
    assert.deepEqual(err.range, range);
    assert.match(err.message, new RegExp(`${range.min}-${range.max}`));
    return true;
  });
  // Freeing one port makes exactly that one available again.
  const freed = sockets[2]!;
  const freedPort = freed.address().port;
  await new Promise<void>((r) => freed.close(() => r()));
  const again = await bindUdpSocket('127.0.0.1', { portRange: range });
  open.push(again);
  assert.equal(again.address().port, freedPort);
});

test('ports are tried in the order the random source gives', async () => {
  const prng = new Prng(11);
  for (let attempt = 0; ; attempt++) {
    const min = 20000 + Math.floor(prng.next() * 30000);
    const range = { min, max: min + 9 };
    // random(n) = n - 1 always picks the last remaining port: max first.
    try {
      const s = await bindUdpSocket('127.0.0.1', { portRange: range, random: (n) => n - 1 });
      open.push(s);
      assert.equal(s.address().port, range.max);
      const t = await bindUdpSocket('127.0.0.1', { portRange: range, random: () => 0 });
      open.push(t);
      assert.equal(t.address().port, range.min);
      return;
    } catch (err) {
      if (attempt > 10 || err instanceof assert.AssertionError) throw err;
    }
  }
});

test('invalid ranges and foreign addresses fail at once with a clear error', async () => {
  for (const r of [
    { min: 0, max: 10 },
    { min: 10, max: 9 },
    { min: 1, max: 65536 },
    { min: 1.5, max: 3 },
  ]) {
    assert.throws(() => validatePortRange(r), RangeError);
    await assert.rejects(bindUdpSocket('127.0.0.1', { portRange: r }), RangeError);
  }
  // Not an address of this host: EADDRNOTAVAIL, not a walk through the range.
  let calls = 0;
  await assert.rejects(
    bindUdpSocket('192.0.2.123', {
      portRange: { min: 40000, max: 40100 },
      random: () => {
        calls++;
        return 0;
      },
    }),
    (err: NodeJS.ErrnoException) => err.code === 'EADDRNOTAVAIL',
  );
  assert.equal(calls, 1);
});

test('IPv6 sockets are IPv6-only; endpoints exchange datagrams and count them', async () => {
  const a = await bindUdpSocket('::1');
  const b = await bindUdpSocket('::1');
  const c = await bindUdpSocket('127.0.0.1');
  open.push(a, b, c);
  const got: { data: string; remote: Address; local: Address }[] = [];
  let waiting: (() => void) | undefined;
  const onDatagram = (ep: UdpEndpoint, data: Uint8Array, remote: Address) => {
    got.push({ data: Buffer.from(data).toString(), remote: { ...remote }, local: ep.local });
    waiting?.();
  };
  const errors: Error[] = [];
  const ea = new UdpEndpoint(a, onDatagram, (_e, err) => errors.push(err));
  const eb = new UdpEndpoint(b, onDatagram, (_e, err) => errors.push(err));
  const ec = new UdpEndpoint(c, onDatagram, (_e, err) => errors.push(err));
  assert.deepEqual(ea.local, { address: '::1', port: a.address().port, family: 'IPv6' });
  assert.equal(ec.local.family, 'IPv4');

  const arrived = new Promise<void>((r) => {
    waiting = () => {
      if (got.length >= 2) r();
    };
  });
  ea.send(new TextEncoder().encode('a->b'), eb.local);
  eb.send(new TextEncoder().encode('b->a'), ea.local);
  // An IPv6-only socket cannot reach IPv4 through a mapped address: the send fails, quietly.
  ea.send(new TextEncoder().encode('a->c mapped'), {
    address: '::ffff:127.0.0.1',
    port: ec.local.port,
    family: 'IPv6',
  });
  await arrived;
  await new Promise((r) => setTimeout(r, 100));
  const texts = got.map((g) => g.data).sort();
  assert.deepEqual(texts, ['a->b', 'b->a']);
  const ab = got.find((g) => g.data === 'a->b')!;
  assert.deepEqual(ab.remote.address, '::1');
  assert.equal(ab.remote.port, ea.local.port);
  assert.equal(ab.remote.family, 'IPv6');
  assert.deepEqual(ab.local, eb.local);
  assert.equal(ea.stats.datagramsSent, 2);
  assert.equal(ea.stats.sendErrors, 1); // the mapped destination
  assert.equal(ea.stats.datagramsReceived, 1);
  assert.equal(ea.stats.bytesReceived, 4);
  assert.equal(ec.stats.datagramsReceived, 0);
  assert.deepEqual(errors, []);
  for (const e of [ea, eb, ec]) e.close();
  assert.ok(ea.isClosed);
  ea.send(new Uint8Array(1), eb.local); // after close: ignored, not thrown
});

test('IP literals are looked up synchronously; host names still go through DNS', async () => {
  const answers: [string | null, string, number][] = [];
  literalLookup('10.77.0.1', 4, (err, address, family) =>
    answers.push([err?.code ?? null, address, family]),
  );
  literalLookup('fe80::1%eth0', 6, (err, address, family) =>
    answers.push([err?.code ?? null, address, family]),
  );
  literalLookup('::1', { family: 6 }, (err, address, family) =>
    answers.push([err?.code ?? null, address, family]),
  );
  assert.deepEqual(answers, [
    [null, '10.77.0.1', 4],
    [null, 'fe80::1%eth0', 6],
    [null, '::1', 6],
  ]);
  // Not a literal: answered later, by dns.lookup (which knows localhost without a network).
  const later = new Promise<[string, number]>((resolve, reject) =>
    literalLookup('localhost', 4, (err, address, family) =>
      err ? reject(err) : resolve([address, family]),
    ),
  );
  assert.equal(answers.length, 3);
  assert.deepEqual(await later, ['127.0.0.1', 4]);
});

test('a send on a bound socket has left when send() returns', async () => {
  const a = await bindUdpSocket('127.0.0.1');
  const b = await bindUdpSocket('127.0.0.1');
  open.push(b);
  const got: string[] = [];
  const eb = new UdpEndpoint(
    b,
    (_e, data) => got.push(Buffer.from(data).toString()),
    () => {},
  );
  const ea = new UdpEndpoint(
    a,
    () => {},
    () => {},
  );
  ea.send(new TextEncoder().encode('now'), eb.local);
  // Closing the socket itself at once would drop a send still waiting for its address lookup.
  a.close();
  // A dropped datagram never comes: waiting longer on a busy machine only costs time.
  for (let i = 0; i < 100 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(got, ['now']);
  assert.equal(ea.stats.datagramsSent, 1);
  eb.close();
});
