/**
 * Bytes from node:crypto's CSPRNG, drawn from a pool filled 4 KiB at a time. A randomBytes or
 * randomFillSync call costs about 5 µs whatever its size (a native job per call), and a
 * connection's setup wants a dozen small values: credentials, a tie-breaker, SCTP tags, TSNs and
 * secrets, DTLS randoms, transaction ids. A fresh pool replaces a used-up one, so the views
 * handed out are never written again, and no byte is handed out twice.
 */
import { randomFillSync } from 'node:crypto';

const POOL_SIZE = 4096;
let pool = new Uint8Array(0);
let offset = 0;

/** `n` random bytes: a view that nothing else shares or rewrites. */
export function randomBytes(n: number): Uint8Array {
  if (n > POOL_SIZE / 4) return randomFillSync(new Uint8Array(n));
  if (offset + n > pool.length) {
    pool = randomFillSync(new Uint8Array(POOL_SIZE));
    offset = 0;
  }
  offset += n;
  return pool.subarray(offset - n, offset);
}

/** A random unsigned 32-bit integer. */
export function randomUint32(): number {
  return uint32At(randomBytes(4), 0);
}

/** A random unsigned 64-bit integer. */
export function randomUint64(): bigint {
  const b = randomBytes(8);
  return (BigInt(uint32At(b, 0)) << 32n) | BigInt(uint32At(b, 4));
}

function uint32At(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}
