import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { sctpChecksum } from '../../src/sctp/index.js';
import { runSimulation, SimNetwork } from '../sim/network.js';
import { chunksOf, makePair, type SctpSimEndpoint } from './harness.js';

interface Env {
  net: SimNetwork;
  a: SctpSimEndpoint;
  b: SctpSimEndpoint;
  /** b's verification tag (what a puts in its packets). */
  tagB: number;
  /** The next TSN b expects from a. */
  nextTsn: number;
}

function setUp(opts: { maxInboundStreams?: number; interleaving?: boolean } = {}): Env {
  const net = new SimNetwork(1, { delay: 1 });
  const interleaving = opts.interleaving ?? false;
  const [a, b] = makePair({ interleaving }, { ...opts, interleaving });
  let tagB = 0;
  a.filterOut = (p) => {
    tagB = new DataView(p.buffer, p.byteOffset).getUint32(4);
    return p;
  };
  a.assoc.connect(0);
  assert.ok(
    runSimulation(net, [a, b], () => a.connected && b.connected, 10_000),
    'the simulation reaches its goal',
  );
  a.assoc.send(0, 53, new Uint8Array([7, 7, 7]), undefined, net.now);
  assert.ok(
    runSimulation(net, [a, b], () => b.messages.length === 1, 10_000),
    'the simulation reaches its goal',
  );
  runSimulation(net, [a, b], () => false, 1000);
  // biome-ignore lint/suspicious/noExplicitAny: tests peek at the sender's next TSN
  const nextTsn = (a.assoc as any).sender.nextTsn as number;
  return { net, a, b, tagB, nextTsn };
}

function packet(vtag: number, chunks: Uint8Array[], checksum: 'crc' | 'zero' | 'bad' = 'crc') {
  let size = 12;
  for (const c of chunks) size += (c.length + 3) & ~3;
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setUint16(0, 5000);
  v.setUint16(2, 5000);
  v.setUint32(4, vtag);
  let p = 12;
  for (const c of chunks) {
    out.set(c, p);
    p += (c.length + 3) & ~3;
  }
  if (checksum === 'crc') v.setUint32(8, sctpChecksum(out), true);
  if (checksum === 'bad') v.setUint32(8, sctpChecksum(out) ^ 1, true);
  return out;
}

function chunk(type: number, flags: number, body: number[] | Uint8Array, lengthOverride?: number) {
  const out = new Uint8Array(4 + body.length);
  out[0] = type;
  out[1] = flags;
  const len = lengthOverride ?? 4 + body.length;
  out[2] = len >>> 8;
  out[3] = len & 0xff;
  out.set(body, 4);
  return out;
}

function dataChunk(tsn: number, streamId: number, ssn: number, payload: number[], flags = 3) {
  const body = new Uint8Array(12 + payload.length);
  const v = new DataView(body.buffer);
  v.setUint32(0, tsn);
  v.setUint16(4, streamId);
  v.setUint16(6, ssn);
  v.setUint32(8, 53);
  body.set(payload, 12);
  return chunk(0, flags, body);
}

interface ParsedChunk {
  type: number;
  flags: number;
  body: Uint8Array;
}

function parse(pkt: Uint8Array): ParsedChunk[] {
  return chunksOf(pkt).map((c) => ({
    type: c.type,
    flags: c.flags,
    body: pkt.subarray(c.off + 4, c.off + c.len),
  }));
}

/** Feeds a packet to b and returns the chunks of everything b sends in response. */
function feed(env: Env, pkt: Uint8Array): ParsedChunk[] {
  const { b, net } = env;
  b.assoc.handlePacket(pkt, net.now);
  b.drain(net.now);
  b.assoc.handleTimeout(net.now + 500); // let a delayed SACK out
  b.drain(net.now);
  const out: ParsedChunk[] = [];
  for (let p = b.assoc.pollTransmit(); p; p = b.assoc.pollTransmit()) out.push(...parse(p));
  return out;
}

const causeOf = (c: ParsedChunk) => (c.body[0]! << 8) | c.body[1]!;

test('packets with a bad checksum or a wrong verification tag are dropped', () => {
  const env = setUp();
  assert.deepEqual(feed(env, packet(env.tagB, [dataChunk(env.nextTsn, 0, 1, [1])], 'bad')), []);
  assert.deepEqual(feed(env, packet(env.tagB ^ 1, [dataChunk(env.nextTsn, 0, 1, [1])])), []);
  assert.equal(env.b.messages.length, 1);
  // The same chunk, correctly addressed, is taken (zero checksum is accepted: both announced it).
  const out = feed(env, packet(env.tagB, [dataChunk(env.nextTsn, 0, 1, [1])], 'zero'));
  assert.equal(env.b.messages.length, 2);
  assert.ok(out.some((c) => c.type === 3));
});

test('DATA without user data gets ABORT with "No User Data"', () => {
  const env = setUp();
  const out = feed(env, packet(env.tagB, [dataChunk(env.nextTsn, 0, 1, [])]));
  const abort = out.find((c) => c.type === 6);
  assert.ok(abort, 'ABORT sent');
  assert.equal(causeOf(abort), 9);
  assert.equal(env.b.closed?.error, true);
  assert.equal(env.b.messages.length, 1);
});

test('a truncated SACK gets ABORT with "Protocol Violation"', () => {
  const env = setUp();
  const out = feed(env, packet(env.tagB, [chunk(3, 0, [0, 0, 0, 0, 0, 0, 0, 0])]));
  const abort = out.find((c) => c.type === 6);
  assert.ok(abort);
  assert.equal(causeOf(abort), 13);
  assert.equal(env.b.assoc.state, 'closed');
});

test('unknown chunk types are skipped or stop processing, and reported, per their high bits', () => {
  const env = setUp();
  // 0x7f (01): stop processing, report. The DATA after it is not taken.
  let out = feed(
    env,
    packet(env.tagB, [chunk(0x7f, 0, [1, 2, 3]), dataChunk(env.nextTsn, 0, 1, [5])]),
  );
  let err = out.find((c) => c.type === 9);
  assert.ok(err);
  assert.equal(causeOf(err), 6);
  assert.equal(env.b.messages.length, 1);
  // 0xbf (10): skip silently, go on.
  out = feed(env, packet(env.tagB, [chunk(0xbf, 0, [1]), dataChunk(env.nextTsn, 0, 1, [5])]));
  assert.equal(
    out.find((c) => c.type === 9),
    undefined,
  );
  assert.equal(env.b.messages.length, 2);
  // 0xff (11): skip and report.
  out = feed(env, packet(env.tagB, [chunk(0xff, 0, [1]), dataChunk(env.nextTsn + 1, 0, 2, [6])]));
  err = out.find((c) => c.type === 9);
  assert.ok(err);
  assert.equal(env.b.messages.length, 3);
  assert.equal(env.b.assoc.state, 'connected');
});

test('control chunks larger than a packet are answered without blocking later ones', () => {
  const env = setUp();
  // A HEARTBEAT whose info is bigger than our packet size: echoed whole, in a packet alone.
  const info = new Uint8Array(2000).fill(9);
  new DataView(info.buffer).setUint32(0, 0x000107d0); // Heartbeat Info, length 2000
  let out = feed(env, packet(env.tagB, [chunk(4, 0, info)]));
  const ack = out.find((c) => c.type === 5);
  assert.ok(ack, 'HEARTBEAT-ACK sent');
  assert.equal(ack.body.length, 2000);
  // An unknown reported chunk as large: the ERROR quotes it cut to fit one packet.
  out = feed(
    env,
    packet(env.tagB, [chunk(0xff, 0, new Uint8Array(3000)), dataChunk(env.nextTsn, 0, 1, [5])]),
  );
  const err = out.find((c) => c.type === 9);
  assert.ok(err && err.body.length < 1200);
  assert.ok(out.some((c) => c.type === 3));
  assert.equal(env.b.messages.length, 2);
  // Nothing is left stuck: later control chunks still go out.
  out = feed(
    env,
    packet(env.tagB, [
      chunk(
        4,
        0,
        info.subarray(0, 16).map((x, i) => (i === 3 ? 16 : x)),
      ),
    ]),
  );
  assert.ok(out.some((c) => c.type === 5));
});

test('DATA on a stream beyond the negotiated count: acknowledged, discarded, ERROR sent', () => {
  const env = setUp({ maxInboundStreams: 4 });
  const out = feed(env, packet(env.tagB, [dataChunk(env.nextTsn, 9, 0, [1, 2])]));
  const err = out.find((c) => c.type === 9);
  assert.ok(err);
  assert.equal(causeOf(err), 1);
  const sack = out.find((c) => c.type === 3);
  assert.ok(sack);
  assert.equal(new DataView(sack.body.buffer, sack.body.byteOffset).getUint32(0), env.nextTsn);
  assert.equal(env.b.messages.length, 1);
});

test('a chunk length running past the packet end stops processing without harm', () => {
  const env = setUp();
  const bad = chunk(0, 3, new Uint8Array(20), 400);
  assert.deepEqual(feed(env, packet(env.tagB, [bad])), []);
  assert.equal(env.b.assoc.state, 'connected');
});

test('DATA when I-DATA was negotiated is a protocol violation; I-DATA without user data too', () => {
  let env = setUp({ interleaving: true });
  let out = feed(env, packet(env.tagB, [dataChunk(env.nextTsn, 0, 1, [1])]));
  assert.equal(causeOf(out.find((c) => c.type === 6)!), 13);
  env = setUp({ interleaving: true });
  const empty = new Uint8Array(16);
  new DataView(empty.buffer).setUint32(0, env.nextTsn);
  out = feed(env, packet(env.tagB, [chunk(64, 3, empty)]));
  assert.equal(causeOf(out.find((c) => c.type === 6)!), 9);
});

test('random chunks never throw and never lose or duplicate delivered data', () => {
  const env = setUp();
  const before = env.b.messages.map((m) => m.data.slice());
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 4, maxLength: 120 }), fc.boolean(), (body, zero) => {
      env.b.assoc.handlePacket(packet(env.tagB, [body], zero ? 'zero' : 'crc'), env.net.now);
      for (let p = env.b.assoc.pollTransmit(); p; p = env.b.assoc.pollTransmit());
      env.b.drain(env.net.now);
    }),
    { numRuns: Number(process.env.FUZZ_RUNS ?? 2000), seed: Number(process.env.FUZZ_SEED ?? 1) },
  );
  assert.deepEqual(
    env.b.messages.slice(0, before.length).map((m) => m.data),
    before,
  );
});

test('random chunks with I-DATA negotiated never throw either', () => {
  const env = setUp({ interleaving: true });
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 4, maxLength: 120 }), (body) => {
      env.b.assoc.handlePacket(packet(env.tagB, [body]), env.net.now);
      for (let p = env.b.assoc.pollTransmit(); p; p = env.b.assoc.pollTransmit());
      env.b.drain(env.net.now);
    }),
    { numRuns: Number(process.env.FUZZ_RUNS ?? 2000), seed: Number(process.env.FUZZ_SEED ?? 3) },
  );
});

test('random bytes as whole packets never throw', () => {
  const env = setUp();
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (pkt) => {
      env.b.assoc.handlePacket(pkt, env.net.now);
      env.b.assoc.pollTransmit();
    }),
    { numRuns: Number(process.env.FUZZ_RUNS ?? 2000), seed: Number(process.env.FUZZ_SEED ?? 2) },
  );
  assert.equal(env.b.assoc.state, 'connected');
});
