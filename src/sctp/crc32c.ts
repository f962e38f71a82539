/**
 * CRC32c (Castagnoli, reflected polynomial 0x82F63B78), the SCTP checksum (RFC 9260 App. B).
 * Slicing-by-8: eight 256-entry tables let the loop consume eight bytes per step.
 */
const TABLES = buildTables();

function buildTables(): Int32Array {
  const t = new Int32Array(8 * 256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c;
  }
  for (let i = 0; i < 256; i++) {
    let c = t[i]!;
    for (let k = 1; k < 8; k++) {
      c = (c >>> 8) ^ t[c & 0xff]!;
      t[k * 256 + i] = c;
    }
  }
  return t;
}

/**
 * Feeds `data[start, end)` into a running CRC state. Start with 0xffffffff and finish with
 * `~state >>> 0` (as `crc32c` does).
 */
export function crc32cUpdate(state: number, data: Uint8Array, start: number, end: number): number {
  const t = TABLES;
  let crc = state | 0;
  let i = start;
  const end8 = end - ((end - start) & 7);
  while (i < end8) {
    crc ^= data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    crc =
      t[1792 + (crc & 0xff)]! ^
      t[1536 + ((crc >>> 8) & 0xff)]! ^
      t[1280 + ((crc >>> 16) & 0xff)]! ^
      t[1024 + (crc >>> 24)]! ^
      t[768 + data[i + 4]!]! ^
      t[512 + data[i + 5]!]! ^
      t[256 + data[i + 6]!]! ^
      t[data[i + 7]!]!;
    i += 8;
  }
  while (i < end) crc = (crc >>> 8) ^ t[(crc ^ data[i++]!) & 0xff]!;
  return crc;
}

/** CRC32c of `data[start, end)` as an unsigned 32-bit number. */
export function crc32c(data: Uint8Array, start = 0, end = data.length): number {
  return ~crc32cUpdate(0xffffffff, data, start, end) >>> 0;
}

const ZERO4 = new Uint8Array(4);

/**
 * The SCTP checksum of a whole packet: CRC32c with the checksum field (bytes 8..11) taken as
 * zero, without modifying or copying the packet.
 */
export function sctpChecksum(packet: Uint8Array): number {
  let s = crc32cUpdate(0xffffffff, packet, 0, 8);
  s = crc32cUpdate(s, ZERO4, 0, 4);
  s = crc32cUpdate(s, packet, 12, packet.length);
  return ~s >>> 0;
}
