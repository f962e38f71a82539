/**
 * What one channel has handed to the association and not yet seen go out, in send order, so
 * that the association's 'sent' events (counted in wire bytes, per stream) can be turned back
 * into user bytes for bufferedAmount. Control messages and empty messages occupy wire bytes
 * but no user bytes; they are stored negated. A ring of numbers: no object per message.
 */
export class SendLedger {
  private ring = new Float64Array(16);
  private head = 0;
  private count = 0;
  /** Wire bytes still pending across all entries. */
  wireBytes = 0;

  get empty(): boolean {
    return this.count === 0;
  }

  /** Records a message of `wireBytes` (> 0), of which all or none are user bytes. */
  push(wireBytes: number, isUserData: boolean): void {
    if (this.count === this.ring.length) this.grow();
    this.ring[(this.head + this.count) % this.ring.length] = isUserData ? wireBytes : -wireBytes;
    this.count++;
    this.wireBytes += wireBytes;
  }

  /**
   * Consumes `bytes` wire bytes from the oldest entries and returns how many of them were user
   * bytes. Bytes beyond what is recorded are ignored.
   */
  consume(bytes: number): number {
    let user = 0;
    while (bytes > 0 && this.count > 0) {
      const entry = this.ring[this.head]!;
      const size = Math.abs(entry);
      const take = Math.min(bytes, size);
      if (entry > 0) user += take;
      bytes -= take;
      this.wireBytes -= take;
      if (take === size) {
        this.head = (this.head + 1) % this.ring.length;
        this.count--;
      } else {
        this.ring[this.head] = entry < 0 ? entry + take : entry - take;
      }
    }
    return user;
  }

  /** Drops every entry; returns the user bytes they held. */
  clear(): number {
    let user = 0;
    for (let i = 0; i < this.count; i++) {
      const entry = this.ring[(this.head + i) % this.ring.length]!;
      if (entry > 0) user += entry;
    }
    this.head = 0;
    this.count = 0;
    this.wireBytes = 0;
    return user;
  }

  private grow(): void {
    const next = new Float64Array(this.ring.length * 2);
    for (let i = 0; i < this.count; i++) next[i] = this.ring[(this.head + i) % this.ring.length]!;
    this.ring = next;
    this.head = 0;
  }
}
