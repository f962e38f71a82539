/**
 * Bulk-transfer messages that the receiver can check cheaply: each message is a little-endian
 * uint32 sequence number followed by one of a few pseudo-random payloads (the same on both
 * sides, from a fixed seed), whose 32-bit checksum the receiver compares with the expected one.
 */

const VARIANTS = 8;
const MAX_PAYLOAD = 256 * 1024;

function makePool(): Uint8Array[] {
  let x = 0x9e3779b9;
  const pool: Uint8Array[] = [];
  for (let v = 0; v < VARIANTS; v++) {
    const words = new Uint32Array(MAX_PAYLOAD / 4);
    for (let i = 0; i < words.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      words[i] = x >>> 0;
    }
    pool.push(new Uint8Array(words.buffer));
  }
  return pool;
}

let pool: Uint8Array[] | undefined;

/** A 32-bit multiplicative hash over the bytes of `u8` (a multiple of 4 long). */
export function checksum(u8: Uint8Array): number {
  let words: Int32Array;
  if (u8.byteOffset % 4 === 0) {
    words = new Int32Array(u8.buffer, u8.byteOffset, u8.byteLength >>> 2);
  } else {
    words = new Int32Array(u8.slice().buffer);
  }
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < words.length; i++) h = (Math.imul(h, 0x01000193) + words[i]!) | 0;
  return h;
}

/** Builds and checks the messages of one transfer of fixed-size messages. */
export class Payloads {
  private readonly sums: number[];
  private readonly variants: Uint8Array[];

  constructor(readonly size: number) {
    if (size < 8 || size % 4 !== 0 || size - 4 > MAX_PAYLOAD) {
      throw new RangeError(`message size ${size} unsupported`);
    }
    pool ??= makePool();
    this.variants = pool.map((p) => p.subarray(0, size - 4));
    this.sums = this.variants.map((v) => checksum(v));
  }

  /** A fresh message (the API may keep the buffer until it is sent). */
  make(seq: number): Uint8Array {
    const msg = new Uint8Array(this.size);
    msg.set(this.variants[seq % VARIANTS]!, 4);
    new DataView(msg.buffer).setUint32(0, seq, true);
    return msg;
  }

  /** The sequence number of a received message, or -1 if its length or content is wrong. */
  check(data: unknown): number {
    const u8 = asBytes(data);
    if (!u8 || u8.byteLength !== this.size) return -1;
    const seq = new DataView(u8.buffer, u8.byteOffset, 4).getUint32(0, true);
    return checksum(u8.subarray(4)) === this.sums[seq % VARIANTS] ? seq : -1;
  }
}

/** A received message as bytes, whatever binary form the stack delivered. */
function asBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data))
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}
