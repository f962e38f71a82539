/**
 * Transport behaviour seen on the wire: cookie lifetime, zero checksum negotiation, MTU-sized
 * fragmentation, bundling, delayed SACK, flow control, RTO and fast retransmit, the congestion
 * window on a clean path, stream fairness, and the bounds a peer or caller cannot exceed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChunkType } from '../../src/sctp/constants.js';
import { EventQueue } from '../../src/sctp/events.js';
import { sctpChecksum } from '../../src/sctp/index.js';
import { DataReceiver, DataResult, ITEM_COST } from '../../src/sctp/receiver.js';
import { RtoEstimator } from '../../src/sctp/rto.js';
import { runSimulation } from '../sim/network.js';
import { chunksOf, makePair, pattern } from './harness.js';
import { barePair, body, checkBody, PPID_BINARY, sameBytes } from './scenarios.js';

/** TSNs of the DATA or I-DATA chunks in a packet. */
function tsnsOf(pkt: Uint8Array): number[] {
  const v = new DataView(pkt.buffer, pkt.byteOffset, pkt.length);
  return chunksOf(pkt)
    .filter((c) => c.type === ChunkType.DATA || c.type === ChunkType.I_DATA)
    .map((c) => v.getUint32(c.off + 4));
}

function checksumOf(pkt: Uint8Array): number {
  return new DataView(pkt.buffer, pkt.byteOffset, pkt.length).getUint32(8, true);
}

function drainTransmits(assoc: { pollTransmit(): Uint8Array | undefined }): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let p = assoc.pollTransmit(); p; p = assoc.pollTransmit()) out.push(p);
  return out;
}

test('a COOKIE-ECHO past the cookie lifetime gets a Stale Cookie ERROR; a forged one is dropped', () => {
  const [a, b] = makePair({}, { cookieLifetime: 5000 });
  a.assoc.connect(0);
  const [init] = drainTransmits(a.assoc);
  b.assoc.handlePacket(init!, 1);
  const [initAck] = drainTransmits(b.assoc);
  a.assoc.handlePacket(initAck!, 2);
  const [echo] = drainTransmits(a.assoc);
  assert.equal(chunksOf(echo!)[0]!.type, ChunkType.COOKIE_ECHO);

  b.assoc.handlePacket(echo!, 6000);
  const stale = drainTransmits(b.assoc).flatMap(chunksOf);
  assert.equal(stale.length, 1);
  assert.equal(stale[0]!.type, ChunkType.ERROR);
  assert.equal(b.assoc.state, 'new', 'no association from a stale cookie');

  const forged = echo!.slice();
  forged[20] = forged[20]! ^ 0x40; // inside the signed cookie body
  new DataView(forged.buffer).setUint32(8, sctpChecksum(forged), true);
  b.assoc.handlePacket(forged, 10);
  assert.deepEqual(drainTransmits(b.assoc), []);
  assert.equal(b.assoc.state, 'new', 'no association from a forged cookie');

  b.assoc.handlePacket(echo!, 10);
  assert.equal(b.assoc.state, 'connected');
  assert.equal(chunksOf(drainTransmits(b.assoc)[0]!)[0]!.type, ChunkType.COOKIE_ACK);
});

test('zero checksum (RFC 9653) only when both sides announce it; otherwise a zero checksum is dropped', async () => {
  const both = await barePair(61, { delay: 5 });
  const sums: number[] = [];
  both.a.filterOut = (p) => {
    if (tsnsOf(p).length > 0) sums.push(checksumOf(p));
    return p;
  };
  both.a.assoc.send(0, PPID_BINARY, body(1, 3000), undefined, both.net.now);
  assert.ok(
    runSimulation(both.net, [both.a, both.b], () => both.b.messages.length === 1, 10_000),
    'the simulation reaches its goal',
  );
  assert.ok(sums.length > 0 && sums.every((s) => s === 0), 'DATA goes with a zero checksum');

  const one = await barePair(62, { delay: 5 }, {}, { zeroChecksum: false });
  const { net, a, b } = one;
  assert.equal(a.assoc.zeroChecksumInUse, false);
  assert.equal(b.assoc.zeroChecksumInUse, false);
  const seen: number[] = [];
  let zeroed = 0;
  a.filterOut = (p) => {
    if (tsnsOf(p).length === 0) return p;
    seen.push(checksumOf(p));
    if (zeroed > 0) return p;
    // The first DATA packet arrives with its checksum cleared: b never agreed to that.
    zeroed++;
    const z = p.slice();
    new DataView(z.buffer).setUint32(8, 0, true);
    return z;
  };
  a.assoc.send(0, PPID_BINARY, body(2, 500), undefined, net.now);
  assert.ok(
    runSimulation(net, [a, b], () => b.messages.length === 1, 30_000),
    'the simulation reaches its goal',
  );
  runSimulation(net, [a, b], () => false, 3000);
  assert.equal(b.messages.length, 1, 'delivered once, from the retransmission');
  assert.ok(seen.length >= 2, 'the zero-checksum packet was dropped and retransmitted');
  assert.ok(
    seen.every((s) => s !== 0),
    'a computes real checksums for b',
  );
  for (const p of [a, b]) assert.equal(p.assoc.state, 'connected');
});

test('messages are fragmented to the configured packet size and reassembled', async () => {
  for (const mtu of [1200, 600]) {
    const o = mtu === 1200 ? {} : { mtu };
    const { net, a, b } = await barePair(63, { delay: 5, mtu }, o, o);
    let largest = 0;
    let packets = 0;
    a.filterOut = (p) => {
      largest = Math.max(largest, p.length);
      packets++;
      return p;
    };
    const sizes = [1, mtu - 40, mtu, 50_000, 200_000];
    for (const [i, n] of sizes.entries()) {
      a.assoc.send(i % 2, PPID_BINARY, body(i, n), undefined, net.now);
    }
    assert.ok(
      runSimulation(net, [a, b], () => b.messages.length === sizes.length, 60_000),
      'the simulation reaches its goal',
    );
    assert.ok(largest <= mtu, `packets fit ${mtu} bytes (largest ${largest})`);
    assert.ok(largest > mtu - 64, `packets are filled (largest ${largest})`);
    assert.ok(packets >= 250_000 / mtu, 'large messages were cut into many packets');
    const got = new Map(b.messages.map((m) => [checkBody(m.data), m.data.length]));
    assert.deepEqual(
      sizes.map((_, i) => got.get(i)),
      sizes.map((n) => Math.max(4, n)),
    );
  }
});

test('small messages are bundled several to a packet; SSNs wrap on a busy stream (DATA)', async () => {
  const o = { interleaving: false };
  const { net, a, b } = await barePair(64, { delay: 5 }, o, o);
  let dataPackets = 0;
  a.filterOut = (p) => {
    if (tsnsOf(p).length > 0) dataPackets++;
    return p;
  };
  const total = 70_000; // more than 65536 SSNs on one stream
  let sent = 0;
  a.pump = (e, now) => {
    while (sent < total && e.assoc.bufferedBytes < 64 * 1024) {
      const m = new Uint8Array(8);
      new DataView(m.buffer).setUint32(0, sent++);
      e.assoc.send(5, PPID_BINARY, m, undefined, now);
    }
  };
  let next = 0;
  b.onEvent = (ev) => {
    if (ev.type !== 'message') return;
    assert.equal(new DataView(ev.data.buffer, ev.data.byteOffset).getUint32(0), next++);
  };
  assert.ok(
    runSimulation(net, [a, b], () => next === total, 600_000),
    'the simulation reaches its goal',
  );
  assert.ok(dataPackets * 20 < total, `${total} messages in ${dataPackets} packets`);
});

test('delayed SACK: one for every second packet, or 200 ms after a lone one', async () => {
  const { net, a, b } = await barePair(65, { delay: 5 });
  runSimulation(net, [a, b], () => false, 1000);
  let t = net.now;
  for (let i = 0; i < 10; i++) a.assoc.send(0, PPID_BINARY, body(i, 1000), undefined, t);
  const packets = drainTransmits(a.assoc);
  assert.equal(packets.length, 10, 'one 1000-byte message per packet');
  const sackAfter: boolean[] = [];
  for (const p of packets) {
    b.assoc.handlePacket(p, t);
    sackAfter.push(
      drainTransmits(b.assoc).some((q) => chunksOf(q).some((c) => c.type === ChunkType.SACK)),
    );
  }
  assert.deepEqual(
    sackAfter,
    packets.map((_, i) => i % 2 === 1),
  );

  t += 10;
  a.assoc.send(0, PPID_BINARY, body(99, 100), undefined, t);
  const [lone] = drainTransmits(a.assoc);
  b.assoc.handlePacket(lone!, t);
  assert.deepEqual(drainTransmits(b.assoc), [], 'no SACK at once for a lone packet');
  assert.equal(b.assoc.nextTimeout(), t + 200);
  b.assoc.handleTimeout(t + 200);
  const late = drainTransmits(b.assoc);
  assert.ok(late.some((q) => chunksOf(q).some((c) => c.type === ChunkType.SACK)));
});

test('the sender keeps new data within the peer’s advertised receive window', async () => {
  const window = 20_000;
  const { net, a, b } = await barePair(
    66,
    { delay: 5 },
    { initialCwnd: 200_000 },
    {
      receiveWindow: window,
      maxMessageSize: 16_384,
    },
  );
  runSimulation(net, [a, b], () => false, 500);
  const t = net.now;
  for (let i = 0; i < 5; i++) a.assoc.send(0, PPID_BINARY, body(i, 10_000), undefined, t);
  // Nothing comes back: only the advertised window may be in flight.
  const first = drainTransmits(a.assoc);
  let bytes = 0;
  for (const p of first)
    for (const c of chunksOf(p)) if (c.type !== ChunkType.SACK) bytes += c.len - 20;
  assert.ok(bytes <= window, `${bytes} bytes sent into a ${window}-byte window`);
  assert.ok(bytes > window - 1200, `the window is used (${bytes} bytes)`);
  // b takes them all and reopens the window; more data follows.
  for (const p of first) b.assoc.handlePacket(p, t + 5);
  b.assoc.handleTimeout(t + 205);
  for (const p of drainTransmits(b.assoc)) a.assoc.handlePacket(p, t + 210);
  assert.ok(drainTransmits(a.assoc).length > 0, 'the SACK reopened the window');
  const got = runSimulation(net, [a, b], () => b.messages.length === 5, 30_000);
  assert.ok(got, `all messages arrive (${b.messages.length})`);
  assert.deepEqual(
    b.messages.map((m) => checkBody(m.data)),
    [0, 1, 2, 3, 4],
  );
});

test('RTO estimation follows RFC 9260 6.3.1 and backs off by doubling up to the maximum', () => {
  const rto = new RtoEstimator(1000, 200, 8000);
  assert.equal(rto.rto, 1000);
  rto.sample(100);
  // SRTT = R, RTTVAR = R/2, RTO = SRTT + 4 RTTVAR
  assert.equal(rto.smoothedRtt, 100);
  assert.equal(rto.rto, 300);
  rto.sample(200);
  // RTTVAR = 3/4 * 50 + 1/4 * |100 - 200| = 62.5; SRTT = 7/8 * 100 + 1/8 * 200 = 112.5
  assert.equal(rto.smoothedRtt, 112.5);
  assert.equal(rto.rto, 112.5 + 4 * 62.5);
  for (let i = 0; i < 60; i++) rto.sample(10);
  assert.equal(rto.rto, 200, 'clamped to RTO.Min');
  const seen: number[] = [];
  for (let i = 0; i < 7; i++) {
    rto.backOff();
    seen.push(rto.rto);
  }
  assert.deepEqual(seen, [400, 800, 1600, 3200, 6400, 8000, 8000]);
});

test('T3-rtx retransmits with doubling intervals, and Karn’s rule keeps retransmissions out of the RTT', async () => {
  const { net, a, b } = await barePair(67, { delay: 10 }, { rtoMax: 8000 });
  // Two full packets: acknowledged at once, so the first RTT sample is the path's alone.
  a.assoc.send(0, PPID_BINARY, body(0, 2000), undefined, net.now);
  runSimulation(net, [a, b], () => false, 2000);
  const srtt = a.assoc.stats.srtt!;
  assert.ok(srtt >= 19 && srtt <= 21, `srtt ${srtt}`);
  const sentAt: number[] = [];
  let dropping = 4;
  a.filterOut = (p) => {
    if (tsnsOf(p).length === 0) return p;
    sentAt.push(net.now);
    return dropping-- > 0 ? undefined : p;
  };
  const start = net.now;
  a.assoc.send(0, PPID_BINARY, body(1, 100), undefined, start);
  assert.ok(
    runSimulation(net, [a, b], () => b.messages.length === 2, 60_000),
    'the simulation reaches its goal',
  );
  const gaps = sentAt.slice(1).map((x, i) => x - sentAt[i]!);
  assert.equal(gaps.length, 4);
  for (let i = 1; i < gaps.length; i++) assert.equal(gaps[i], 2 * gaps[i - 1]!, `${gaps}`);
  assert.ok(gaps[0]! >= 200, 'never below RTO.Min');
  runSimulation(net, [a, b], () => false, 500);
  // The answer to a retransmitted chunk says nothing about the RTT: SRTT stays where it was.
  const after = a.assoc.stats.srtt!;
  assert.ok(Math.abs(after - srtt) < 2, `srtt ${srtt} -> ${after}`);
});

test('a lost chunk is fast-retransmitted after three miss indications, long before the RTO', async () => {
  const o = { interleaving: false };
  const { net, a, b } = await barePair(68, { delay: 10, jitter: 2 }, o, o);
  runSimulation(net, [a, b], () => false, 2000);
  const firstSent = new Map<number, number>();
  const resent = new Map<number, number>();
  let victim: number | undefined;
  a.filterOut = (p) => {
    const tsns = tsnsOf(p);
    for (const t of tsns) {
      if (!firstSent.has(t)) firstSent.set(t, net.now);
      else if (!resent.has(t)) resent.set(t, net.now);
    }
    // Drop one packet in the middle of the first flight.
    if (victim === undefined && tsns.length > 0 && firstSent.size > 5) {
      victim = tsns[0];
      return undefined;
    }
    return p;
  };
  let sent = 0;
  a.pump = (e, now) => {
    while (sent < 200 && e.assoc.bufferedBytes < 20_000) {
      e.assoc.send(0, PPID_BINARY, body(sent++, 1100), undefined, now);
    }
  };
  assert.ok(
    runSimulation(net, [a, b], () => b.messages.length === 200, 60_000),
    'the simulation reaches its goal',
  );
  assert.ok(victim !== undefined && resent.has(victim));
  const delay = resent.get(victim)! - firstSent.get(victim)!;
  assert.ok(delay < 100, `retransmitted after ${delay} ms, not after a timeout`);
  assert.deepEqual(
    b.messages.map((m) => checkBody(m.data)),
    Array.from({ length: 200 }, (_, i) => i),
  );
});

test('on a clean path the receive window, not the congestion window, limits throughput', async () => {
  const { net, a, b } = await barePair(69, { delay: 25 });
  const window = 1 << 20;
  const total = 16 * window;
  let queued = 0;
  a.pump = (e, now) => {
    while (queued < total && e.assoc.bufferedBytes < window) {
      e.assoc.send(0, PPID_BINARY, new Uint8Array(64 * 1024), undefined, now);
      queued += 64 * 1024;
    }
  };
  let got = 0;
  b.onEvent = (ev) => {
    if (ev.type === 'message') got += ev.data.length;
  };
  const start = net.now;
  assert.ok(
    runSimulation(net, [a, b], () => got === total, 60_000),
    'the simulation reaches its goal',
  );
  const elapsed = net.now - start;
  // One window per 50 ms round trip is the ceiling: 16 windows take at least 16 RTTs.
  assert.ok(elapsed < 16 * 50 * 1.6, `16 MiB took ${elapsed.toFixed(0)} ms at 50 ms RTT`);
  assert.ok(a.assoc.stats.cwnd >= window / 2, `cwnd ${a.assoc.stats.cwnd}`);
});

for (const interleaving of [false, true]) {
  test(`a busy stream does not starve the others (${interleaving ? 'I-DATA' : 'DATA'})`, async () => {
    const o = { interleaving };
    const { net, a, b } = await barePair(70, { delay: 5 }, o, o);
    for (let i = 0; i < 200; i++) a.assoc.send(1, PPID_BINARY, body(i, 10_000), undefined, net.now);
    for (let i = 0; i < 5; i++)
      a.assoc.send(2, PPID_BINARY, body(1000 + i, 100), undefined, net.now);
    for (let i = 0; i < 5; i++)
      a.assoc.send(3, PPID_BINARY, body(2000 + i, 5000), undefined, net.now);
    assert.ok(
      runSimulation(net, [a, b], () => b.messages.length === 210, 60_000),
      'the simulation reaches its goal',
    );
    const order = b.messages.map((m) => m.streamId);
    const lastOf = (s: number) => order.lastIndexOf(s);
    // Round-robin: each of the small streams is done within a few turns of the busy one.
    assert.ok(lastOf(2) < 20, `stream 2 done at ${lastOf(2)}`);
    assert.ok(lastOf(3) < 20, `stream 3 done at ${lastOf(3)}`);
  });
}

test('send copies the caller’s bytes: changing a buffer (or a Buffer view) after send changes nothing', async () => {
  const { net, a, b } = await barePair(71, { delay: 5 });
  const buf = Buffer.from(pattern(3, 5000));
  const view = buf.slice(100, 3100); // a Buffer's slice is a view
  a.assoc.send(0, PPID_BINARY, buf, undefined, net.now);
  a.assoc.send(0, PPID_BINARY, view, undefined, net.now);
  const owned = pattern(4, 2000);
  a.assoc.send(0, PPID_BINARY, owned, { transfer: true }, net.now);
  buf.fill(0);
  assert.ok(
    runSimulation(net, [a, b], () => b.messages.length === 3, 10_000),
    'the simulation reaches its goal',
  );
  assert.ok(sameBytes(b.messages[0]!.data, pattern(3, 5000)));
  assert.ok(sameBytes(b.messages[1]!.data, pattern(3, 5000).subarray(100, 3100)));
  assert.ok(sameBytes(b.messages[2]!.data, pattern(4, 2000)));
});

test('the send buffer is bounded: send throws RangeError past the limit and nothing is lost', async () => {
  const { net, a, b } = await barePair(72, { delay: 5 }, { sendBufferLimit: 100_000 });
  let accepted = 0;
  assert.throws(() => {
    for (;;) {
      a.assoc.send(0, PPID_BINARY, body(accepted, 30_000), undefined, net.now);
      accepted++;
    }
  }, RangeError);
  assert.ok(a.assoc.bufferedBytes <= 100_000);
  assert.equal(accepted, 3);
  assert.ok(
    runSimulation(net, [a, b], () => b.messages.length === accepted, 30_000),
    'the simulation reaches its goal',
  );
  assert.deepEqual(
    b.messages.map((m) => checkBody(m.data)),
    [0, 1, 2],
  );
});

test('a flood of one-byte fragments or held messages is bounded by the receive window', () => {
  const window = 64 * 1024;
  const one = new Uint8Array(1);
  // I-DATA: unfinished one-byte messages, each its own MID, behind a missing TSN.
  const qi = new EventQueue();
  const ri = new DataReceiver(1, window, 1 << 18, qi, true);
  let taken = 0;
  for (let t = 2; t < 20_000; t++) {
    if (ri.handleIData(t, 0, t, 0, 2 | 4, one, 0, 1) === DataResult.Accepted) taken++;
  }
  assert.ok(taken * (1 + ITEM_COST) <= window, `${taken} fragments held`);
  // DATA: complete ordered messages that all wait for SSN 0, which never comes.
  const qd = new EventQueue();
  const rd = new DataReceiver(1, window, 1 << 18, qd);
  taken = 0;
  for (let t = 1; t < 20_000; t++) {
    if (rd.handleData(t, 0, t & 0xffff, 53, 3, one, 0, 1) === DataResult.Accepted) taken++;
  }
  assert.ok(taken * (1 + ITEM_COST) <= window + 65536, `${taken} messages held`);
  assert.equal(qd.length, 0);
});
