/**
 * A first-in first-out queue with O(1) push and shift: an array with a moving head, compacted
 * now and then. Every sans-IO core queues its events and transmits in one of these, since
 * Array.prototype.shift is O(n) on long queues.
 */
export class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** The most recently pushed item still queued (to merge consecutive reports). */
  last(): T | undefined {
    return this.items.length > this.head ? this.items[this.items.length - 1] : undefined;
  }

  clear(): void {
    this.items.length = 0;
    this.head = 0;
  }
}
