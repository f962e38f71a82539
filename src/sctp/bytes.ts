/**
 * Allocation helpers for the per-packet paths. A typed array larger than a few dozen bytes
 * gets its own zero-filled off-heap store, which costs far more than the bytes it holds; these
 * helpers avoid that where it is safe to.
 */

const sliceBytes = Uint8Array.prototype.slice;

/**
 * A copy of `buf[start, end)` as a plain Uint8Array. A Buffer's own `slice` is a view, and
 * the TypedArray species would make the copy a Buffer, so Buffers take the explicit path.
 */
export function copyBytes(buf: Uint8Array, start = 0, end = buf.length): Uint8Array {
  if (buf.constructor === Uint8Array) return sliceBytes.call(buf, start, end);
  const out = new Uint8Array(end - start);
  out.set(buf.subarray(start, end), 0);
  return out;
}

const SLAB_SIZE = 64 * 1024;
const MAX_FROM_SLAB = 8 * 1024;
let slab = new ArrayBuffer(SLAB_SIZE);
let slabUsed = 0;

/**
 * A zero-filled buffer for an outgoing packet, cut from a shared slab that is never written
 * again once handed out (as Node's Buffer pool does). Packets are short-lived, so a slab is
 * released soon after its last packet is sent.
 */
export function allocPacket(size: number): Uint8Array {
  if (size > MAX_FROM_SLAB) return new Uint8Array(size);
  if (slabUsed + size > SLAB_SIZE) {
    slab = new ArrayBuffer(SLAB_SIZE);
    slabUsed = 0;
  }
  const out = new Uint8Array(slab, slabUsed, size);
  // Eight-byte alignment keeps each packet's DataView accesses aligned.
  slabUsed = (slabUsed + size + 7) & ~7;
  return out;
}
