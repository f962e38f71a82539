/**
 * A first-in first-out queue with O(1) push and shift: an array with a moving head and tail,
 * compacted now and then. Every sans-IO core queues its events and transmits in one of these,
 * since Array.prototype.shift is O(n) on long queues. A drained queue keeps its (small) array:
 * queues that fill and drain every event-loop turn would otherwise regrow it each time.
 */
const KEEP_WHEN_DRAINED = 1024;
/** Taken items kept at the front before the array is compacted (when they are half of it). */
const COMPACT_AFTER = 1024;

export class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;
  private tail = 0;

  get length(): number {
    return this.tail - this.head;
  }

  push(item: T): void {
    if (this.tail < this.items.length) this.items[this.tail] = item;
    else this.items.push(item);
    this.tail++;
  }

  shift(): T | undefined {
    if (this.head >= this.tail) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head === this.tail) {
      this.head = 0;
      this.tail = 0;
      if (this.items.length > KEEP_WHEN_DRAINED) this.items = [];
    } else if (this.head >= COMPACT_AFTER && this.head * 2 >= this.tail) {
      this.items = this.items.slice(this.head, this.tail);
      this.tail -= this.head;
      this.head = 0;
    }
    return item;
  }

  /** The most recently pushed item still queued (to merge consecutive reports). */
  last(): T | undefined {
    return this.tail > this.head ? this.items[this.tail - 1] : undefined;
  }

  clear(): void {
    this.items.fill(undefined, this.head, this.tail);
    this.head = 0;
    this.tail = 0;
    if (this.items.length > KEEP_WHEN_DRAINED) this.items = [];
  }
}
