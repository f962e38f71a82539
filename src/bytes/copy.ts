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
