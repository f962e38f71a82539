import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { crc32c, sctpChecksum } from '../../src/sctp/index.js';

/** Bit-at-a-time reference implementation. */
function reference(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of data) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return ~c >>> 0;
}

test('CRC32c matches the RFC 3720 B.4 vectors', () => {
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
  assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
  assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
  assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c);
  const iscsiRead = Uint8Array.from([
    0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18,
    0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  ]);
  assert.equal(crc32c(iscsiRead), 0xd9963a56);
  assert.equal(crc32c(new TextEncoder().encode('123456789')), 0xe3069283);
});

test('sliced CRC32c equals the bitwise reference on any input and sub-range', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.nat(), (data, x, y) => {
      const s = data.length ? x % data.length : 0;
      const e = data.length ? s + (y % (data.length - s + 1)) : 0;
      assert.equal(crc32c(data, s, e), reference(data.subarray(s, e)));
    }),
    { numRuns: 500, seed: 4 },
  );
});

test('the SCTP checksum treats the checksum field as zero and is stored little-endian', () => {
  const pkt = Uint8Array.from({ length: 64 }, (_, i) => i * 7);
  const zeroed = pkt.slice();
  zeroed.fill(0, 8, 12);
  assert.equal(sctpChecksum(pkt), reference(zeroed));
});
