import assert from 'node:assert/strict';
import { test } from 'node:test';
import { randomBytes, randomUint32, randomUint64 } from '../../src/util/random.js';

test('pooled random bytes: never shared, never rewritten when the pool is replaced', () => {
  const views: Uint8Array[] = [];
  const copies: string[] = [];
  // 12-byte ids across several 4 KiB pools, with odd sizes in between.
  for (let i = 0; i < 2000; i++) {
    const v = randomBytes(i % 7 === 0 ? 33 : 12);
    views.push(v);
    copies.push(Buffer.from(v).toString('hex'));
  }
  for (let i = 0; i < views.length; i++) {
    assert.equal(Buffer.from(views[i]!).toString('hex'), copies[i]);
  }
  assert.equal(new Set(copies).size, copies.length, 'no value handed out twice');
  // Views of one pool do not overlap.
  for (let i = 1; i < views.length; i++) {
    const a = views[i - 1]!;
    const b = views[i]!;
    if (a.buffer !== b.buffer) continue;
    assert.ok(b.byteOffset >= a.byteOffset + a.length, `views ${i - 1} and ${i} overlap`);
  }
  const big = randomBytes(10_000);
  assert.equal(big.length, 10_000);
  // Uniform bytes: a mean of 127.5 (standard error 0.74) and nearly every value present.
  const mean = big.reduce((sum, x) => sum + x, 0) / big.length;
  assert.ok(mean > 120 && mean < 135, `mean byte ${mean}`);
  assert.ok(new Set(big).size >= 250);
});

/** Counts, over `n` samples, how often each of `bits` bits is set. */
function bitCounts(n: number, bits: number, sample: () => bigint): number[] {
  const counts = new Array<number>(bits).fill(0);
  for (let i = 0; i < n; i++) {
    const x = sample();
    assert.ok(x >= 0n && x < 1n << BigInt(bits));
    for (let b = 0; b < bits; b++) if ((x >> BigInt(b)) & 1n) counts[b]!++;
  }
  return counts;
}

test('random integers: every bit set about half the time, the 64-bit halves independent', () => {
  // 2,000 samples: a bit set in 30-70% of them is 9 standard deviations from failing.
  const n = 2000;
  for (const [bits, sample] of [
    [32, () => BigInt(randomUint32())],
    [64, randomUint64],
  ] as const) {
    bitCounts(n, bits, sample).forEach((c, b) => {
      assert.ok(c > 0.3 * n && c < 0.7 * n, `bit ${b} of ${bits} set ${c} times in ${n}`);
    });
  }
  let sameHalves = 0;
  for (let i = 0; i < n; i++) {
    const y = randomUint64();
    if (y >> 32n === (y & 0xffffffffn)) sameHalves++;
  }
  assert.equal(sameHalves, 0);
});
