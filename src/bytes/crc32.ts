/** CRC-32 (IEEE 802.3, reflected polynomial 0xedb88320), as used by STUN FINGERPRINT. */

// Slicing-by-4: four tables let the loop fold four bytes per step, a quarter of the table
// lookups' dependency chain of the byte-at-a-time loop. TABLES[k * 256 + n] is the CRC of byte
// n followed by k zero bytes.
const TABLES = buildTables();

function buildTables(): Uint32Array {
  const t = new Uint32Array(4 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n]!;
    for (let k = 1; k < 4; k++) {
      c = t[c & 0xff]! ^ (c >>> 8);
      t[k * 256 + n] = c >>> 0;
    }
  }
  return t;
}

/**
 * Continues a CRC-32 over `data`; start with `crc = 0`. Chaining lets a caller checksum a
 * message in pieces (for example with one header field replaced) without copying it.
 */
export function crc32(data: Uint8Array, crc = 0): number {
  return crc32Range(data, 0, data.length, crc);
}

/** crc32 of `data[start..end)`, without making a subarray for it. */
export function crc32Range(data: Uint8Array, start: number, end: number, crc = 0): number {
  const t = TABLES;
  let c = ~crc;
  let i = start;
  for (const stop = end - 3; i < stop; i += 4) {
    c ^= data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    c =
      t[768 + (c & 0xff)]! ^
      t[512 + ((c >>> 8) & 0xff)]! ^
      t[256 + ((c >>> 16) & 0xff)]! ^
      t[c >>> 24]!;
  }
  for (; i < end; i++) c = t[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
