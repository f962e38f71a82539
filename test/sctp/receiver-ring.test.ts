import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DATA_FLAG_BEGIN, DATA_FLAG_END } from '../../src/sctp/constants.js';
import { EventQueue } from '../../src/sctp/events.js';
import { DataReceiver, DataResult } from '../../src/sctp/receiver.js';
import { Prng } from '../sim/prng.js';
import { drainMessages } from './harness.js';

// The receiver's TSN ring starts small and grows: these cross its early sizes (256, 512, ...).

test('a message of 3,000 fragments, delivered backwards across the TSN wrap, reassembles', () => {
  const q = new EventQueue();
  const first = 0xfffffc00;
  const r = new DataReceiver(first, 1 << 24, 1 << 20, q);
  const n = 3000;
  const part = (i: number) => Uint8Array.of(i & 0xff, (i >> 8) & 0xff);
  for (let i = n - 1; i >= 0; i--) {
    const flags = (i === 0 ? DATA_FLAG_BEGIN : 0) | (i === n - 1 ? DATA_FLAG_END : 0);
    const p = part(i);
    assert.equal(r.handleData((first + i) >>> 0, 1, 0, 51, flags, p, 0, 2), DataResult.Accepted);
  }
  const got = drainMessages(q);
  assert.equal(got.length, 1);
  assert.equal(got[0]!.data.length, 2 * n);
  for (let i = 0; i < n; i++) {
    assert.equal(got[0]!.data[2 * i], i & 0xff);
    assert.equal(got[0]!.data[2 * i + 1], (i >> 8) & 0xff);
  }
  assert.equal(r.cumTsn, (first + n - 1) >>> 0);
  assert.equal(r.bufferedBytes, 0);
});

test('fragments held at or below the cumulative TSN survive TSNs that share their slot', () => {
  const q = new EventQueue();
  const r = new DataReceiver(1, 1 << 24, 1 << 20, q);
  // The first two fragments of a message on stream 3; its end (TSN 3) is late.
  assert.equal(r.handleData(1, 3, 0, 51, DATA_FLAG_BEGIN, Uint8Array.of(1), 0, 1), 0);
  assert.equal(r.handleData(2, 3, 0, 51, 0, Uint8Array.of(2), 0, 1), 0);
  // 300 two-fragment messages on stream 4, TSNs 4..603: fragments at TSN 257 and 258 go where
  // 1 and 2 sit in a 256-slot ring.
  for (let t = 4; t < 604; t += 2) {
    const ssn = (t - 4) / 2;
    assert.equal(r.handleData(t, 4, ssn, 51, DATA_FLAG_BEGIN, Uint8Array.of(t & 0xff), 0, 1), 0);
    assert.equal(r.handleData(t + 1, 4, ssn, 51, DATA_FLAG_END, Uint8Array.of(1), 0, 1), 0);
  }
  assert.equal(drainMessages(q).length, 300);
  assert.equal(r.cumTsn, 2);
  r.handleData(3, 3, 0, 51, DATA_FLAG_END, Uint8Array.of(3), 0, 1);
  const last = drainMessages(q);
  assert.equal(last.length, 1);
  assert.equal(last[0]!.streamId, 3);
  assert.deepEqual([...last[0]!.data], [1, 2, 3]);
  assert.equal(r.cumTsn, 603);
  assert.equal(r.hasGaps, false);
  assert.equal(r.bufferedBytes, 0);
});

test('shuffled TSNs within a large window: every message arrives once, in order per stream', () => {
  const q = new EventQueue();
  const first = 0xfffff000;
  const r = new DataReceiver(first, 1 << 26, 1 << 16, q);
  const prng = new Prng(11);
  const total = 20_000;
  const span = 5000;
  const order: number[] = [];
  for (let base = 0; base < total; base += span) {
    const block = Array.from({ length: Math.min(span, total - base) }, (_, i) => base + i);
    for (let i = block.length - 1; i > 0; i--) {
      const j = prng.int(0, i);
      [block[i], block[j]] = [block[j]!, block[i]!];
    }
    order.push(...block);
  }
  const payload = new Uint8Array(4);
  for (const i of order) {
    new DataView(payload.buffer).setUint32(0, i);
    const flags = DATA_FLAG_BEGIN | DATA_FLAG_END;
    assert.equal(
      r.handleData((first + i) >>> 0, i % 3, Math.floor(i / 3), 51, flags, payload, 0, 4),
      0,
    );
  }
  const got = drainMessages(q);
  assert.equal(got.length, total);
  const last = [-1, -1, -1];
  for (const m of got) {
    const i = new DataView(m.data.buffer, m.data.byteOffset).getUint32(0);
    assert.ok(i > last[m.streamId]!);
    last[m.streamId] = i;
  }
  assert.equal(r.cumTsn, (first + total - 1) >>> 0);
});
