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

/**
 * The ArrayBuffer `data` spans exactly, if it does, else undefined. A received message whose
 * view covers its whole buffer had the buffer made for it (a reassembled message, or a copy
 * of a chunk), so the buffer can be handed on instead of copied; a chunk kept as a view of its
 * packet never starts at offset 0 (headers come first).
 */
export function wholeBuffer(data: Uint8Array): ArrayBuffer | undefined {
  const buf = data.buffer;
  return data.byteOffset === 0 && data.byteLength === buf.byteLength && buf instanceof ArrayBuffer
    ? buf
    : undefined;
}
