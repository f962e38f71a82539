import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventQueue } from '../../src/sctp/events.js';
import { DataReceiver, DataResult } from '../../src/sctp/receiver.js';
import { Prng } from '../sim/prng.js';
import { drainMessages } from './harness.js';

test('SSNs and TSNs wrap while messages arrive shuffled within a window', () => {
  const q = new EventQueue();
  const first = 0xfffffff0;
  const r = new DataReceiver(first, 1 << 20, 1 << 16, q);
  const prng = new Prng(5);
  const total = 70_000;
  const payload = new Uint8Array(8);
  const view = new DataView(payload.buffer);
  let delivered = 0;
  for (let base = 0; base < total; base += 64) {
    const batch = prng.shuffle(
      Array.from({ length: Math.min(64, total - base) }, (_, i) => base + i),
    );
    for (const i of batch) {
      view.setUint32(0, i);
      const res = r.handleData((first + i) >>> 0, 3, i & 0xffff, 53, 3, payload, 0, 8);
      assert.equal(res, DataResult.Accepted);
    }
    for (const m of drainMessages(q)) {
      assert.equal(new DataView(m.data.buffer).getUint32(0), delivered++);
    }
  }
  assert.equal(delivered, total);
  assert.equal(r.cumTsn, (first + total - 1) >>> 0);
  assert.equal(r.bufferedBytes, 0);
});

test('a fragmented message spanning the TSN wrap reassembles; duplicates are reported', () => {
  const q = new EventQueue();
  const r = new DataReceiver(0xfffffffe, 1 << 20, 1 << 16, q);
  const part = (n: number) => new Uint8Array(10).fill(n);
  // TSNs 0xfffffffe, 0xffffffff, 0, 1 carry B, middle, middle, E; delivered out of order.
  assert.equal(r.handleData(1, 0, 0, 53, 1, part(4), 0, 10), DataResult.Accepted);
  assert.equal(r.handleData(0xfffffffe, 0, 0, 53, 2, part(1), 0, 10), DataResult.Accepted);
  assert.equal(r.handleData(0, 0, 0, 53, 0, part(3), 0, 10), DataResult.Accepted);
  assert.equal(drainMessages(q).length, 0);
  assert.equal(r.handleData(0xffffffff, 0, 0, 53, 0, part(2), 0, 10), DataResult.Accepted);
  const [m] = drainMessages(q);
  assert.deepEqual([...m!.data], [...part(1), ...part(2), ...part(3), ...part(4)]);
  assert.equal(r.handleData(0, 0, 0, 53, 0, part(3), 0, 10), DataResult.Duplicate);
  assert.equal(r.duplicateCount, 1);
  assert.equal(r.cumTsn, 1);
});

test('the receive buffer is bounded: chunks beyond the window are dropped, not stored', () => {
  const q = new EventQueue();
  const r = new DataReceiver(100, 4096, 1 << 16, q);
  const big = new Uint8Array(1000);
  // TSN 100 missing: later fragments pile up until the window is full, then are refused.
  let dropped = 0;
  for (let t = 101; t < 120; t++) {
    if (r.handleData(t, 0, 0, 53, 0, big, 0, 1000) === DataResult.Dropped) dropped++;
  }
  assert.ok(dropped > 10);
  assert.ok(r.bufferedBytes <= 4096);
  assert.equal(r.aRwnd, 4096 - r.bufferedBytes);
});

test('a message that outgrows the window with no gap is reported as too large', () => {
  const q = new EventQueue();
  const r = new DataReceiver(1, 4096, 1 << 20, q);
  const chunk = new Uint8Array(1000);
  let res = DataResult.Accepted;
  for (let t = 1; t < 20 && res === DataResult.Accepted; t++) {
    res = r.handleData(t, 0, 0, 53, t === 1 ? 2 : 0, chunk, 0, 1000);
  }
  assert.equal(res, DataResult.TooLarge);
});

test('owned input is kept as views, borrowed input is copied: both reassemble the same message', () => {
  for (const owned of [false, true]) {
    const q = new EventQueue();
    const r = new DataReceiver(10, 1 << 20, 1 << 16, q);
    // Two fragments carried at an offset inside larger buffers, as chunks sit in a packet.
    const a = new Uint8Array(40).fill(0xaa);
    a.set([1, 2, 3, 4], 20);
    const b = new Uint8Array(40).fill(0xbb);
    b.set([5, 6, 7], 30);
    r.inputOwned = owned;
    assert.equal(r.handleData(10, 2, 0, 53, 2, a, 20, 24), DataResult.Accepted);
    r.inputOwned = false;
    if (!owned) a.fill(0); // a borrowed buffer may be reused as soon as the call returns
    r.inputOwned = owned;
    assert.equal(r.handleData(11, 2, 0, 53, 1, b, 30, 33), DataResult.Accepted);
    r.inputOwned = false;
    const [m] = drainMessages(q);
    assert.deepEqual([...m!.data], [1, 2, 3, 4, 5, 6, 7], `owned=${owned}`);
    assert.equal(m!.data.byteLength, m!.data.buffer.byteLength, 'the message owns its buffer');
    assert.equal(r.bufferedBytes, 0);
  }
});

test('an unfragmented message from owned input is a view of it, from borrowed input a copy', () => {
  for (const interleaved of [false, true]) {
    for (const owned of [false, true]) {
      const q = new EventQueue();
      const r = new DataReceiver(10, 1 << 20, 1 << 16, q, interleaved);
      const packet = new Uint8Array(40).fill(0xaa);
      packet.set([1, 2, 3], 20);
      r.inputOwned = owned;
      const res = interleaved
        ? r.handleIData(10, 2, 0, 53, 3, packet, 20, 23)
        : r.handleData(10, 2, 0, 53, 3, packet, 20, 23);
      r.inputOwned = false;
      assert.equal(res, DataResult.Accepted);
      const [m] = drainMessages(q);
      assert.deepEqual([...m!.data], [1, 2, 3]);
      assert.equal(m!.data.buffer === packet.buffer, owned, `owned=${owned} shares the packet`);
      packet.fill(0);
      assert.deepEqual([...m!.data], owned ? [0, 0, 0] : [1, 2, 3]);
    }
  }
});
