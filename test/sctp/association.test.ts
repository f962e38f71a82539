import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChunkType } from '../../src/sctp/constants.js';
import { runSimulation, SimNetwork } from '../sim/network.js';
import { chunksOf, makePair, pattern, type SctpSimEndpoint } from './harness.js';
import { barePair, bulkTransfer } from './scenarios.js';

function connect(net: SimNetwork, a: SctpSimEndpoint, b: SctpSimEndpoint, maxTime = 60_000) {
  a.assoc.connect(net.now);
  assert.ok(
    runSimulation(net, [a, b], () => a.connected && b.connected, maxTime),
    'connects',
  );
}

test('handshake brings both sides up and negotiates streams and zero checksum', () => {
  const net = new SimNetwork(1, { delay: 10 });
  const [a, b] = makePair({ maxOutboundStreams: 300 }, { maxInboundStreams: 200 });
  assert.equal(a.assoc.state, 'new');
  connect(net, a, b);
  assert.equal(a.assoc.state, 'connected');
  assert.equal(b.assoc.state, 'connected');
  assert.equal(a.assoc.outboundStreams, 200);
  assert.equal(b.assoc.inboundStreams, 200);
  assert.equal(b.assoc.outboundStreams, 65535);
  assert.ok(a.assoc.zeroChecksumInUse && b.assoc.zeroChecksumInUse);
});

test('simultaneous INIT from both sides (collision) still connects once', () => {
  const net = new SimNetwork(2, { delay: 10 });
  const [a, b] = makePair({}, { role: 'client' });
  a.assoc.connect(0);
  b.assoc.connect(0);
  assert.ok(
    runSimulation(net, [a, b], () => a.connected && b.connected, 60_000),
    'the simulation reaches its goal',
  );
  assert.equal(a.events.filter((e) => e.type === 'connected').length, 1);
  assert.equal(b.events.filter((e) => e.type === 'connected').length, 1);
  a.assoc.send(1, 53, new Uint8Array([1, 2, 3]), undefined, net.now);
  b.assoc.send(2, 53, new Uint8Array([4]), undefined, net.now);
  assert.ok(
    runSimulation(net, [a, b], () => a.messages.length === 1 && b.messages.length === 1, 10_000),
    'the simulation reaches its goal',
  );
  assert.deepEqual([...b.messages[0]!.data], [1, 2, 3]);
  assert.deepEqual([...a.messages[0]!.data], [4]);
});

test('handshake survives loss of INIT, INIT-ACK, COOKIE-ECHO and COOKIE-ACK', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const net = new SimNetwork(seed, { delay: 5, loss: 0.3 });
    const [a, b] = makePair({ maxInitRetransmissions: 20, rtoMax: 4000 });
    connect(net, a, b, 600_000);
  }
});

/** The chunk types of one SCTP packet, in order. */
const chunkTypes = (pkt: Uint8Array): number[] => chunksOf(pkt).map((c) => c.type);
const { COOKIE_ECHO, DATA } = ChunkType;

test('data sent once the INIT-ACK is in travels with the COOKIE-ECHO, which comes first', () => {
  const net = new SimNetwork(4, { delay: 10 });
  const [a, b] = makePair({}, { interleaving: false });
  const sentByA: number[][] = [];
  a.filterOut = (pkt) => {
    sentByA.push(chunkTypes(pkt));
    return pkt;
  };
  a.onEvent = (e, now) => {
    if (e.type === 'sendable') a.assoc.send(1, 50, new Uint8Array([7, 8, 9]), undefined, now);
  };
  a.assoc.connect(0);
  let bGotItAt = -1;
  b.onEvent = (e, now) => {
    if (e.type === 'message') bGotItAt = now;
  };
  assert.ok(
    runSimulation(net, [a, b], () => a.connected && b.connected, 10_000),
    'connects',
  );
  assert.equal(a.assoc.state, 'connected');
  assert.deepEqual(sentByA[1], [COOKIE_ECHO, DATA], 'the COOKIE-ECHO packet carries the data');
  // INIT at 0, INIT-ACK back at 20, COOKIE-ECHO with the data in at 30: a round trip before
  // the COOKIE-ACK gets back to a.
  assert.equal(bGotItAt, 30);
  assert.deepEqual([...b.messages[0]!.data], [7, 8, 9]);
  assert.equal(b.messages.length, 1);
});

test('a lost COOKIE-ECHO goes again with the data it carried; the data arrives once', () => {
  for (const seed of [5, 6, 7]) {
    const net = new SimNetwork(seed, { delay: 10 });
    const [a, b] = makePair({}, { interleaving: false });
    const sentByA: number[][] = [];
    let dropped = 0;
    a.filterOut = (pkt) => {
      const types = chunkTypes(pkt);
      sentByA.push(types);
      // The first two COOKIE-ECHO packets are lost.
      if (types[0] === COOKIE_ECHO && dropped < 2) {
        dropped++;
        return undefined;
      }
      return pkt;
    };
    let cwndAtStart = 0;
    a.onEvent = (e, now) => {
      if (e.type !== 'sendable') return;
      cwndAtStart = a.assoc.stats.cwnd;
      for (let i = 0; i < 3; i++) a.assoc.send(1, 50, new Uint8Array([i]), undefined, now);
    };
    a.assoc.connect(0);
    assert.ok(
      runSimulation(net, [a, b], () => b.messages.length === 3, 60_000),
      'delivered',
    );
    const echoes = sentByA.filter((t) => t[0] === COOKIE_ECHO);
    assert.equal(echoes.length, 3, 'sent three times');
    // A handshake loss, not congestion: the window is the initial one still.
    assert.equal(a.assoc.stats.cwnd, cwndAtStart, 'congestion window untouched');
    for (const t of echoes) assert.deepEqual(t, [COOKIE_ECHO, DATA, DATA, DATA]);
    // Nothing but COOKIE-ECHO packets carried the data before the association was up.
    assert.ok(sentByA.slice(0, sentByA.indexOf(echoes[2]!)).every((t) => t[0] !== DATA));
    runSimulation(net, [a, b], () => false, 5_000);
    assert.deepEqual(
      b.messages.map((m) => m.data[0]),
      [0, 1, 2],
    );
    assert.ok(a.connected && b.connected);
  }
});

test('both sides send with their COOKIE-ECHO after an INIT collision: each message arrives once', () => {
  for (const seed of [8, 9, 10]) {
    const net = new SimNetwork(seed, { delay: 10, jitter: 4 });
    const [a, b] = makePair({}, { role: 'client' });
    for (const [side, byte] of [
      [a, 1],
      [b, 2],
    ] as const) {
      side.onEvent = (e, now) => {
        if (e.type === 'sendable') side.assoc.send(1, 50, new Uint8Array([byte]), undefined, now);
      };
    }
    a.assoc.connect(0);
    b.assoc.connect(0);
    assert.ok(
      runSimulation(net, [a, b], () => a.messages.length === 1 && b.messages.length === 1, 10_000),
      `seed ${seed}: delivered`,
    );
    runSimulation(net, [a, b], () => false, 5_000);
    assert.deepEqual(
      [a.messages.map((m) => m.data[0]), b.messages.map((m) => m.data[0])],
      [[2], [1]],
    );
    assert.ok(a.connected && b.connected);
  }
});

test('send before connect throws; bad stream id and empty message throw RangeError', () => {
  const net = new SimNetwork(3, { delay: 1 });
  const [a, b] = makePair({ maxOutboundStreams: 10 });
  assert.throws(() => a.assoc.send(0, 53, new Uint8Array(1), undefined, 0), /cannot send/);
  connect(net, a, b);
  assert.throws(() => a.assoc.send(10, 53, new Uint8Array(1), undefined, net.now), RangeError);
  assert.throws(() => a.assoc.send(0, 53, new Uint8Array(0), undefined, net.now), RangeError);
});

test('lossless transfer of mixed-size messages arrives in order', async () => {
  const env = await barePair(5, { delay: 10 });
  bulkTransfer(env, { seed: 5, totalBytes: 2_000_000, maxSize: 100_000, streams: 3 });
  assert.equal(env.a.sentBytes, 2_000_000);
});

test('10 MB in random sizes (1 B..256 KiB) under 5% loss, reordering and duplication', async () => {
  const env = await barePair(7, { delay: 10, jitter: 15, loss: 0.05, duplicate: 0.02 });
  bulkTransfer(env, { seed: 7, totalBytes: 10 * 1024 * 1024, maxSize: 256 * 1024, streams: 4 });
});

test('DATA mode (no I-DATA): 10 MB under 5% loss, reordering and duplication', async () => {
  const off = { interleaving: false };
  const env = await barePair(8, { delay: 10, jitter: 15, loss: 0.05, duplicate: 0.02 }, off, off);
  assert.equal(env.a.assoc.interleavingInUse, false);
  bulkTransfer(env, { seed: 8, totalBytes: 10 * 1024 * 1024, maxSize: 256 * 1024, streams: 4 });
});

test('I-DATA is used only when both sides announce it', async () => {
  const both = await barePair(9, { delay: 5 });
  assert.equal(both.a.assoc.interleavingInUse, true);
  assert.equal(both.b.assoc.interleavingInUse, true);
  const one = await barePair(9, { delay: 5 }, {}, { interleaving: false });
  assert.equal(one.a.assoc.interleavingInUse, false);
  assert.equal(one.b.assoc.interleavingInUse, false);
});

for (const interleaving of [false, true]) {
  test(`a large message ${interleaving ? 'does not block' : 'blocks'} a small one on another stream (${interleaving ? 'I-DATA' : 'DATA'})`, async () => {
    const o = { interleaving };
    const env = await barePair(10, { delay: 10 }, o, o);
    const { net, a, b } = env;
    a.assoc.send(1, 53, new Uint8Array(200_000), undefined, net.now);
    a.assoc.send(2, 53, new Uint8Array([42]), undefined, net.now);
    assert.ok(
      runSimulation(net, [a, b], () => b.messages.length === 2, 60_000),
      'the simulation reaches its goal',
    );
    const order = b.messages.map((m) => m.streamId);
    assert.deepEqual(order, interleaving ? [2, 1] : [1, 2]);
    assert.equal(b.messages.find((m) => m.streamId === 1)!.data.length, 200_000);
  });
}

test('TSN wrap-around under loss', async () => {
  const tsn = { initialTsn: 0xfffff000 };
  const env = await barePair(11, { delay: 10, jitter: 5, loss: 0.03 }, tsn, tsn);
  bulkTransfer(env, { seed: 11, totalBytes: 6_000_000, maxSize: 3000, streams: 2 });
});

/** Sizes of the DATA / I-DATA chunks' payloads in each packet `a` sends while `send` runs. */
async function dataChunkSizes(
  interleaving: boolean,
  send: (env: Awaited<ReturnType<typeof barePair>>) => number,
): Promise<{ packets: number[][]; messages: Uint8Array[] }> {
  const o = { interleaving };
  const env = await barePair(12, { delay: 5 }, o, o);
  const { net, a, b } = env;
  const packets: number[][] = [];
  const hdr = interleaving ? 20 : 16;
  a.filterOut = (pkt) => {
    const data = chunksOf(pkt).filter(
      (c) => c.type === ChunkType.DATA || c.type === ChunkType.I_DATA,
    );
    if (data.length > 0) packets.push(data.map((c) => c.len - hdr));
    return pkt;
  };
  const count = send(env);
  assert.ok(
    runSimulation(net, [a, b], () => b.messages.length === count, 60_000),
    'every message arrives',
  );
  return { packets, messages: b.messages.map((m) => m.data) };
}

for (const interleaving of [false, true]) {
  const mode = interleaving ? 'I-DATA' : 'DATA';
  test(`the tail of a multi-packet message shares its packet with the next message's head (${mode})`, async () => {
    const maxPayload = 1200 - 12 - (interleaving ? 20 : 16);
    // Each message leaves a 300-byte tail, alone in its packet without the filling.
    const sizes = [3 * maxPayload + 300, 5 * maxPayload + 300, 3 * maxPayload + 300, 2_000];
    const { packets, messages } = await dataChunkSizes(interleaving, ({ net, a }) => {
      for (const [i, n] of sizes.entries()) a.assoc.send(1, 53, pattern(i, n), undefined, net.now);
      return sizes.length;
    });
    const total = sizes.reduce((s, n) => s + n, 0);
    // Every packet but the last is full to within a chunk header and padding.
    const fill = packets.map((p) => p.reduce((s, n) => s + n, 0));
    assert.equal(
      fill.reduce((s, n) => s + n, 0),
      total,
    );
    for (const f of fill.slice(0, -1)) assert.ok(f >= maxPayload - 40, `packet of ${f} bytes`);
    const unfilled = sizes.reduce((s, n) => s + Math.ceil(n / maxPayload), 0);
    assert.ok(packets.length <= Math.ceil(total / (maxPayload - 20)), `${packets.length} packets`);
    assert.ok(packets.length < unfilled, `${packets.length} packets, ${unfilled} without filling`);
    assert.ok(
      packets.some((p) => p.length === 2),
      'a packet carries two messages',
    );
    for (const [i, n] of sizes.entries()) assert.deepEqual(messages[i], pattern(i, n));
  });

  test(`a message that fits in one packet is not cut to fill another (${mode})`, async () => {
    const { packets, messages } = await dataChunkSizes(interleaving, ({ net, a }) => {
      for (let i = 0; i < 6; i++) a.assoc.send(1, 53, pattern(i, 700), undefined, net.now);
      return 6;
    });
    for (const p of packets) for (const n of p) assert.equal(n, 700);
    assert.equal(messages.length, 6);
    for (const [i, m] of messages.entries()) assert.deepEqual(m, pattern(i, 700));
  });
}
