import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  decodeCauses,
  decodeForwardTsn,
  decodeInit,
  decodeReconfig,
  decodeSack,
  decodeShutdown,
  encodeCause,
  encodeCauseChunk,
  encodeForwardTsn,
  encodeInit,
  encodeOutgoingResetParam,
  encodeReconfig,
  encodeReconfigResponseParam,
  type SackView,
} from '../../src/sctp/chunks.js';
import { decodeCookie, encodeCookie } from '../../src/sctp/cookie.js';

const sackView = (): SackView => ({
  cumTsnAck: 0,
  aRwnd: 0,
  gapCount: 0,
  dupCount: 0,
  gapOffset: 0,
  buf: new Uint8Array(0),
});

function decodeAll(buf: Uint8Array): void {
  const len = buf.length;
  decodeInit(buf, 0, len);
  decodeSack(buf, 0, len, sackView());
  decodeForwardTsn(buf, 0, len);
  decodeReconfig(buf, 0, len);
  decodeCauses(buf, 0, len);
  decodeShutdown(buf, 0, len);
}

test('INIT round-trips with its parameters', () => {
  const cookie = new Uint8Array([9, 8, 7]);
  const enc = encodeInit(2, {
    initiateTag: 0xdeadbeef,
    aRwnd: 1 << 20,
    outboundStreams: 10,
    inboundStreams: 20,
    initialTsn: 0xfffffff0,
    zeroChecksum: true,
    cookie,
  });
  assert.equal(enc.length % 4, 0);
  const d = decodeInit(enc, 0, (enc[2]! << 8) | enc[3]!);
  assert.ok(typeof d !== 'string');
  assert.equal(d.initiateTag, 0xdeadbeef);
  assert.equal(d.aRwnd, 1 << 20);
  assert.equal(d.outboundStreams, 10);
  assert.equal(d.inboundStreams, 20);
  assert.equal(d.initialTsn, 0xfffffff0);
  assert.ok(d.zeroChecksum && d.forwardTsn && d.reconfig && !d.iData);
  assert.deepEqual([...d.cookie!], [9, 8, 7]);
});

test('FORWARD-TSN, RE-CONFIG and error causes round-trip', () => {
  const f = encodeForwardTsn(123, [1, 2, 3, 4]);
  assert.deepEqual(decodeForwardTsn(f, 0, f.length), { newCumTsn: 123, streams: [1, 2, 3, 4] });
  const r = encodeReconfig([
    encodeOutgoingResetParam(5, 6, 7, [1, 2, 3]),
    encodeReconfigResponseParam(9, 1),
  ]);
  assert.deepEqual(decodeReconfig(r, 0, r.length), [
    { type: 'outgoing-reset', requestSeq: 5, responseSeq: 6, lastTsn: 7, streams: [1, 2, 3] },
    { type: 'response', responseSeq: 9, result: 1 },
  ]);
  const e = encodeCauseChunk(6, [encodeCause(12, new Uint8Array([104, 105, 33]))]);
  const len = (e[2]! << 8) | e[3]!;
  assert.equal(len, 11);
  const causes = decodeCauses(e, 0, len);
  assert.ok(typeof causes !== 'string');
  assert.equal(causes[0]!.code, 12);
  assert.deepEqual([...causes[0]!.info], [104, 105, 33]);
});

test('decoders never throw on random input', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (buf) => decodeAll(buf)),
    { numRuns: 3000, seed: 3 },
  );
});

test('decoders never throw on truncated valid chunks and reject them cleanly', () => {
  const valid = [
    encodeInit(1, {
      initiateTag: 1,
      aRwnd: 2,
      outboundStreams: 3,
      inboundStreams: 4,
      initialTsn: 5,
      zeroChecksum: true,
      cookie: new Uint8Array(68),
    }),
    encodeForwardTsn(1, [1, 2]),
    encodeReconfig([encodeOutgoingResetParam(1, 2, 3, [4, 5])]),
  ];
  for (const v of valid) {
    for (let n = 0; n <= v.length; n++) decodeAll(v.subarray(0, n));
  }
  assert.equal(typeof decodeInit(valid[0]!, 0, 10), 'string');
  assert.equal(typeof decodeForwardTsn(valid[1]!, 0, 6), 'string');
  assert.equal(typeof decodeReconfig(valid[2]!, 0, 10), 'string');
});

test('SACK decoder rejects gap counts beyond the chunk and reversed blocks', () => {
  const buf = new Uint8Array(20);
  const v = new DataView(buf.buffer);
  v.setUint8(0, 3);
  v.setUint16(2, 20);
  v.setUint16(12, 2);
  assert.equal(typeof decodeSack(buf, 0, 20, sackView()), 'string');
  v.setUint16(12, 1);
  v.setUint16(16, 5);
  v.setUint16(18, 4);
  assert.equal(typeof decodeSack(buf, 0, 20, sackView()), 'string');
  v.setUint16(18, 6);
  assert.equal(decodeSack(buf, 0, 20, sackView()), undefined);
});

test('state cookies verify only with the right secret and unmodified', () => {
  const secret = new Uint8Array(32).fill(1);
  const state = {
    createdAt: 12345.5,
    localTag: 1,
    peerTag: 2,
    localInitialTsn: 3,
    peerInitialTsn: 4,
    peerRwnd: 5,
    outboundStreams: 6,
    inboundStreams: 7,
    peerZeroChecksum: true,
    peerForwardTsn: false,
    peerReconfig: true,
    peerIData: true,
  };
  const c = encodeCookie(state, secret);
  assert.deepEqual(decodeCookie(c, secret), state);
  assert.equal(decodeCookie(c, new Uint8Array(32)), undefined);
  for (let i = 0; i < c.length; i++) {
    const m = c.slice();
    m[i]! ^= 1;
    assert.equal(decodeCookie(m, secret), undefined);
  }
  assert.equal(decodeCookie(c.subarray(1), secret), undefined);
});
