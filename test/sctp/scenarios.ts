/**
 * Association-level scenarios shared by the bare simulated-network tests and the over-DTLS
 * tests: each takes a connected pair (a sends, b receives) and checks the outcome.
 */
import assert from 'node:assert/strict';
import type { SctpAssociationOptions, SctpSendOptions } from '../../src/sctp/index.js';
import type { LinkConditions, SimNetwork } from '../sim/network.js';
import { SimNetwork as Net, runSimulation } from '../sim/network.js';
import { Prng } from '../sim/prng.js';
import { makePair, pattern, type SctpSimEndpoint } from './harness.js';

export interface Env {
  net: SimNetwork;
  a: SctpSimEndpoint;
  b: SctpSimEndpoint;
}

export const PPID_BINARY = 53;
const PPID_END = 51;

/** A connected pair straight on the simulated network (SCTP packets as datagrams). */
export async function barePair(
  seed: number,
  conditions: LinkConditions,
  ao: Partial<SctpAssociationOptions> = {},
  bo: Partial<SctpAssociationOptions> = {},
): Promise<Env> {
  const net = new Net(seed, conditions);
  const [a, b] = makePair(ao, bo);
  a.assoc.connect(0);
  assert.ok(
    runSimulation(net, [a, b], () => a.connected && b.connected, 600_000),
    'connects',
  );
  return { net, a, b };
}

export type PairFactory = typeof barePair;

/** Streams random-size messages a→b over several streams; checks bytes and per-stream order. */
export function bulkTransfer(
  env: Env,
  o: { seed: number; totalBytes: number; maxSize: number; streams: number },
): number {
  const { net, a, b } = env;
  const prng = new Prng(o.seed);
  const expected: { seed: number; size: number }[][] = [];
  for (let s = 0; s < o.streams; s++) expected.push([]);
  let queued = 0;
  let count = 0;
  a.pump = (e, now) => {
    while (queued < o.totalBytes && e.assoc.bufferedBytes < 1 << 20) {
      const size = Math.min(o.totalBytes - queued, prng.int(1, o.maxSize));
      const streamId = prng.int(0, o.streams - 1);
      const seed = ++count;
      e.assoc.send(streamId, PPID_BINARY, pattern(seed, size), undefined, now);
      expected[streamId]!.push({ seed, size });
      queued += size;
    }
  };
  let got = 0;
  const next = expected.map(() => 0);
  b.onEvent = (ev) => {
    if (ev.type !== 'message') return;
    got += ev.data.length;
    const exp = expected[ev.streamId]![next[ev.streamId]!++];
    assert.ok(exp, 'no extra message');
    assert.equal(ev.ppid, PPID_BINARY);
    assert.equal(ev.data.length, exp.size);
    assert.ok(sameBytes(ev.data, pattern(exp.seed, exp.size)), `message ${exp.seed} intact`);
  };
  b.messages.length = 0;
  const ok = runSimulation(net, [a, b], () => got >= o.totalBytes, 3_600_000);
  assert.ok(ok, `all bytes arrive (${got} of ${o.totalBytes})`);
  for (let s = 0; s < o.streams; s++) assert.equal(next[s], expected[s]!.length);
  a.pump = undefined;
  b.onEvent = undefined;
  return count;
}

/** Message body: the 4-byte message number, then a pattern derived from it. */
export function body(n: number, size: number): Uint8Array {
  const out = pattern(n, Math.max(4, size));
  new DataView(out.buffer).setUint32(0, n);
  return out;
}

export function sameBytes(x: Uint8Array, y: Uint8Array): boolean {
  return Buffer.from(x.buffer, x.byteOffset, x.length).equals(y);
}

export function checkBody(data: Uint8Array): number {
  const n = new DataView(data.buffer, data.byteOffset, data.length).getUint32(0);
  assert.ok(sameBytes(data, body(n, data.length)), `message ${n} intact`);
  return n;
}

/**
 * Sends `count` messages round-robin on `streams` streams with `opts`, then one reliable END
 * message per stream; runs until every END arrived. Returns received message numbers per stream.
 */
export function sendAll(
  env: Env,
  count: number,
  streams: number,
  opts: SctpSendOptions,
  maxSize: number,
  /** Reliable unordered messages may arrive after the ordered END: wait for all of them. */
  expectAll = false,
): number[][] {
  const { net, a, b } = env;
  const prng = new Prng(99);
  let n = 0;
  b.messages.length = 0;
  a.pump = (e, now) => {
    while (n < count && e.assoc.bufferedBytes < 64 * 1024) {
      e.assoc.send(n % streams, PPID_BINARY, body(n, prng.int(4, maxSize)), opts, now);
      n++;
      if (n === count) {
        for (let s = 0; s < streams; s++) e.assoc.send(s, PPID_END, new Uint8Array([1]), {}, now);
      }
    }
  };
  const ends = () => b.messages.filter((m) => m.ppid === PPID_END).length;
  const done = () => ends() === streams && (!expectAll || b.messages.length === count + streams);
  assert.ok(runSimulation(net, [a, b], done, 3_600_000), 'END on every stream');
  a.pump = undefined;
  const got: number[][] = Array.from({ length: streams }, () => []);
  for (const m of b.messages) {
    if (m.ppid === PPID_END) continue;
    got[m.streamId]!.push(checkBody(m.data));
  }
  return got;
}

export function assertExactlyOnce(got: number[][]): void {
  const seen = new Set<number>();
  for (const list of got) {
    for (const n of list) {
      assert.ok(!seen.has(n), `message ${n} delivered once`);
      seen.add(n);
    }
  }
}

export function assertIncreasing(got: number[][]): void {
  for (const list of got) for (let i = 1; i < list.length; i++) assert.ok(list[i - 1]! < list[i]!);
}

export function unorderedScenario(env: Env): void {
  const got = sendAll(env, 3000, 3, { unordered: true }, 5000, true);
  assertExactlyOnce(got);
  assert.equal(got.flat().length, 3000);
  // Loss and jitter make some unordered messages overtake others.
  const inOrder = got.every((l) => l.every((x, i) => i === 0 || l[i - 1]! < x));
  assert.equal(inOrder, false);
}

export function maxRetransmitsScenario(env: Env, unordered = false): void {
  const got = sendAll(env, 2000, 2, { maxRetransmits: 0, unordered }, 3000);
  assertExactlyOnce(got);
  const total = got.flat().length;
  assert.ok(total < 2000, `some messages were abandoned (${total} delivered)`);
  assert.ok(total > 1000, `most messages still arrive (${total} delivered)`);
  if (!unordered) assertIncreasing(got);
  // Every user byte was reported as sent (abandoned ones included), so buffers drain.
  assert.equal(env.a.assoc.bufferedBytes, 0);
}

export function lifetimeScenario(env: Env): void {
  const got = sendAll(env, 2000, 3, { maxPacketLifeTime: 150 }, 3000);
  assertExactlyOnce(got);
  const total = got.flat().length;
  assert.ok(total < 2000 && total > 400, `${total} delivered`);
  assertIncreasing(got);
}

export function resetScenario(env: Env): void {
  const { net, a, b } = env;
  b.messages.length = 0;
  for (let i = 0; i < 30; i++) {
    for (const sid of [1, 2, 3]) a.assoc.send(sid, PPID_BINARY, body(i, 2000), undefined, net.now);
  }
  a.assoc.resetStreams([2], net.now);
  assert.throws(() => a.assoc.send(2, PPID_BINARY, body(0, 10), undefined, net.now), /being reset/);
  const done = () => a.events.some((e) => e.type === 'reset-complete');
  assert.ok(runSimulation(net, [a, b], done, 600_000), 'reset completes');
  assert.ok(
    runSimulation(net, [a, b], () => b.messages.length >= 90, 600_000),
    'the simulation reaches its goal',
  );
  const resets = b.events.filter((e) => e.type === 'stream-reset');
  assert.deepEqual(resets, [{ type: 'stream-reset', streamIds: [2] }]);
  assert.deepEqual(
    a.events.filter((e) => e.type === 'reset-complete'),
    [{ type: 'reset-complete', streamIds: [2] }],
  );
  // Everything sent before the reset arrived, in order, on each stream.
  for (const sid of [1, 2, 3]) {
    const nums = b.messages.filter((m) => m.streamId === sid).map((m) => checkBody(m.data));
    assert.deepEqual(
      nums,
      Array.from({ length: 30 }, (_, i) => i),
    );
  }
  // The reset stream starts again at SSN 0 and is delivered; the others continue.
  for (const sid of [1, 2, 3]) {
    a.assoc.send(sid, PPID_BINARY, body(100 + sid, 500), undefined, net.now);
  }
  assert.ok(
    runSimulation(net, [a, b], () => b.messages.length === 93, 600_000),
    'the simulation reaches its goal',
  );
  assert.deepEqual(
    b.messages
      .slice(90)
      .map((m) => m.streamId)
      .sort(),
    [1, 2, 3],
  );
  assert.equal(a.assoc.state, 'connected');
  assert.equal(b.assoc.state, 'connected');
}

export function pathFailureScenario(env: Env): void {
  const { net, a, b } = env;
  net.partition('a', 'b');
  a.assoc.send(0, PPID_BINARY, body(1, 10_000), undefined, net.now);
  assert.ok(
    runSimulation(net, [a, b], () => a.closed !== undefined, 3_600_000),
    'the simulation reaches its goal',
  );
  assert.equal(a.closed!.error, true);
  assert.match(a.closed!.reason, /unreachable/);
  assert.equal(a.assoc.state, 'closed');
}

/**
 * Reliable and partially reliable streams side by side, with messages of several fragments so
 * that I-DATA interleaves their chunks: abandoning a message on one stream must never take
 * another stream's chunks with it.
 */
export function mixedReliabilityScenario(env: Env): void {
  const { net, a, b } = env;
  const kinds: SctpSendOptions[] = [
    {},
    { unordered: true },
    { maxRetransmits: 0, unordered: true },
    { maxPacketLifeTime: 100 },
  ];
  const perStream = 300;
  const prng = new Prng(17);
  const sentOn = kinds.map(() => 0);
  b.messages.length = 0;
  a.pump = (e, now) => {
    for (let s = 0; s < kinds.length; s++) {
      while (sentOn[s]! < perStream && e.assoc.bufferedBytes < 32 * 1024) {
        const n = s * 100_000 + sentOn[s]!;
        e.assoc.send(s, PPID_BINARY, body(n, prng.int(4, 4000)), kinds[s], now);
        sentOn[s]!++;
      }
    }
  };
  const on = (s: number) => b.messages.filter((m) => m.streamId === s).length;
  const done = () => on(0) === perStream && on(1) === perStream && a.assoc.bufferedBytes === 0;
  assert.ok(runSimulation(net, [a, b], done, 3_600_000), 'reliable streams complete');
  runSimulation(net, [a, b], () => false, 5_000);
  a.pump = undefined;
  const got: number[][] = kinds.map(() => []);
  for (const m of b.messages) got[m.streamId]!.push(checkBody(m.data) - m.streamId * 100_000);
  const all = Array.from({ length: perStream }, (_, i) => i);
  assert.deepEqual(got[0], all, 'reliable ordered: everything, in order');
  assert.deepEqual(
    [...got[1]!].sort((x, y) => x - y),
    all,
    'reliable unordered: everything, once',
  );
  for (const list of got) assertExactlyOnce([list]);
  assertIncreasing([got[3]!]);
  for (const s of [2, 3]) {
    assert.ok(got[s]!.length > 0 && got[s]!.length <= perStream, `stream ${s}: ${got[s]!.length}`);
  }
  assert.ok(got[2]!.length < perStream, 'maxRetransmits 0 lost some under loss');
  assert.equal(a.assoc.state, 'connected');
  assert.equal(b.assoc.state, 'connected');
}
