import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc32, crc32Range } from '../../src/bytes/crc32.js';

/** CRC-32 one bit at a time, straight from the polynomial. */
function bitwiseCrc32(data: Uint8Array): number {
  let c = ~0;
  for (const b of data) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return ~c >>> 0;
}

describe('crc32 four bytes at a time', () => {
  it('matches the bitwise CRC for every length and alignment up to 70 bytes', () => {
    const data = Uint8Array.from({ length: 80 }, (_, i) => (i * 151 + 7) & 0xff);
    for (let start = 0; start < 5; start++) {
      for (let end = start; end <= start + 70; end++) {
        const want = bitwiseCrc32(data.subarray(start, end));
        assert.equal(crc32Range(data, start, end), want, `[${start}, ${end})`);
        assert.equal(crc32(data.subarray(start, end)), want);
      }
    }
  });

  it('chains over pieces split anywhere', () => {
    const data = Uint8Array.from({ length: 37 }, (_, i) => (i * 29) ^ 0x5a);
    const whole = crc32(data);
    for (let cut = 0; cut <= data.length; cut++) {
      assert.equal(crc32Range(data, cut, data.length, crc32Range(data, 0, cut)), whole);
    }
  });
});
