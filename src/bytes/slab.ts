/**
 * Buffers for outgoing packets and records, cut from a shared slab that is never written again
 * once handed out (as Node's Buffer pool does). A typed array of a packet's size would get its
 * own zero-filled off-heap store, which costs far more than the bytes; packets are sent and
 * dropped at once, so a slab is released soon after its last packet. A fresh slab is
 * zero-filled, so every buffer handed out starts as zeros.
 */
export class Slab {
  private slab: ArrayBuffer;
  private used = 0;

  constructor(
    private readonly size = 64 * 1024,
    /** Larger requests get their own buffer, so one big packet does not waste a slab. */
    private readonly maxFromSlab = size / 4,
  ) {
    this.slab = new ArrayBuffer(size);
  }

  alloc(length: number): Uint8Array {
    if (length > this.maxFromSlab) return new Uint8Array(length);
    if (this.used + length > this.size) {
      this.slab = new ArrayBuffer(this.size);
      this.used = 0;
    }
    const out = new Uint8Array(this.slab, this.used, length);
    // Eight-byte alignment keeps each buffer's DataView accesses aligned.
    this.used = (this.used + length + 7) & ~7;
    return out;
  }
}
