/**
 * Reading and building of handshake bodies. Reads are bounds-checked: a short read throws,
 * caught by `tryDecode`.
 */

class ShortRead extends Error {}

export class ByteReader {
  offset = 0;
  constructor(readonly data: Uint8Array) {}

  get remaining(): number {
    return this.data.length - this.offset;
  }

  private need(n: number): void {
    if (this.offset + n > this.data.length) throw new ShortRead();
  }

  u8(): number {
    this.need(1);
    return this.data[this.offset++]!;
  }

  u16(): number {
    this.need(2);
    const v = (this.data[this.offset]! << 8) | this.data[this.offset + 1]!;
    this.offset += 2;
    return v;
  }

  u24(): number {
    this.need(3);
    const d = this.data;
    const o = this.offset;
    this.offset += 3;
    return (d[o]! << 16) | (d[o + 1]! << 8) | d[o + 2]!;
  }

  bytes(n: number): Uint8Array {
    this.need(n);
    const v = this.data.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  vec8(): Uint8Array {
    return this.bytes(this.u8());
  }

  vec16(): Uint8Array {
    return this.bytes(this.u16());
  }

  vec24(): Uint8Array {
    return this.bytes(this.u24());
  }

  /** Fails unless every byte was consumed. */
  end(): void {
    if (this.offset !== this.data.length) throw new ShortRead();
  }
}

/** Runs a decoder; any read past the end or explicit rejection gives undefined. */
export function tryDecode<T>(data: Uint8Array, decode: (r: ByteReader) => T): T | undefined {
  try {
    const r = new ByteReader(data);
    const v = decode(r);
    r.end();
    return v;
  } catch {
    return undefined;
  }
}

export function reject(): never {
  throw new ShortRead();
}

/** Accumulates bytes for building handshake bodies (not used per record). */
export class ByteWriter {
  private buf = new Uint8Array(256);
  length = 0;

  private grow(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  u8(v: number): this {
    this.grow(1);
    this.buf[this.length++] = v;
    return this;
  }

  u16(v: number): this {
    this.grow(2);
    this.buf[this.length++] = v >> 8;
    this.buf[this.length++] = v & 0xff;
    return this;
  }

  u24(v: number): this {
    this.grow(3);
    this.buf[this.length++] = v >> 16;
    this.buf[this.length++] = (v >> 8) & 0xff;
    this.buf[this.length++] = v & 0xff;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.grow(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  vec8(b: Uint8Array): this {
    return this.u8(b.length).bytes(b);
  }

  vec16(b: Uint8Array): this {
    return this.u16(b.length).bytes(b);
  }

  vec24(b: Uint8Array): this {
    return this.u24(b.length).bytes(b);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
