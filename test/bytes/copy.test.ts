/**
 * Copies and hand-overs of received bytes: a copy never shares memory with its source, and
 * only a view spanning its whole buffer gives that buffer away.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copyBytes, wholeBuffer } from '../../src/bytes/copy.js';

test('copyBytes copies a range of a Uint8Array or a Buffer into memory of its own', () => {
  for (const src of [Uint8Array.from([1, 2, 3, 4, 5]), Buffer.from([1, 2, 3, 4, 5])]) {
    const c = copyBytes(src, 1, 4);
    assert.equal(c.constructor, Uint8Array);
    assert.deepEqual([...c], [2, 3, 4]);
    assert.equal(c.byteLength, c.buffer.byteLength);
    src[2] = 99;
    assert.equal(c[1], 3, 'the copy does not follow its source');
  }
});

test('wholeBuffer gives the buffer of a view that spans all of it, and nothing else', () => {
  const own = new Uint8Array(2048);
  assert.equal(wholeBuffer(own), own.buffer);
  const packet = new Uint8Array(1200);
  // A chunk's payload kept as a view of its packet: starts after the headers.
  assert.equal(wholeBuffer(packet.subarray(28)), undefined);
  // A view from offset 0 that stops short of the end.
  assert.equal(wholeBuffer(packet.subarray(0, 1000)), undefined);
  // Node's small Buffers share a pool.
  assert.equal(wholeBuffer(Buffer.from('hello')), undefined);
  // Memory shared between threads is never handed over.
  assert.equal(wholeBuffer(new Uint8Array(new SharedArrayBuffer(16))), undefined);
});
