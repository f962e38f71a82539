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
  assert.ok(big.some((x) => x !== 0));
});

test('random integers use every bit', () => {
  let or32 = 0;
  let and32 = 0xffffffff;
  let or64 = 0n;
  let and64 = (1n << 64n) - 1n;
  for (let i = 0; i < 500; i++) {
    const x = randomUint32();
    assert.ok(Number.isInteger(x) && x >= 0 && x <= 0xffffffff);
    or32 = (or32 | x) >>> 0;
    and32 = (and32 & x) >>> 0;
    const y = randomUint64();
    assert.ok(y >= 0n && y < 1n << 64n);
    or64 |= y;
    and64 &= y;
  }
  assert.equal(or32, 0xffffffff, 'every bit set at least once');
  assert.equal(and32, 0, 'every bit clear at least once');
  assert.equal(or64, (1n << 64n) - 1n);
  assert.equal(and64, 0n);
});
