/** The events an association reports through `pollEvent()`. */
export type SctpEvent =
  | { type: 'connected' }
  | { type: 'message'; streamId: number; ppid: number; data: Uint8Array }
  | { type: 'sent'; streamId: number; bytes: number }
  | { type: 'stream-reset'; streamIds: number[] }
  | { type: 'reset-complete'; streamIds: number[] }
  | { type: 'closed'; reason: string; error: boolean };

/** A FIFO with O(1) push and shift (an array with a moving head, compacted now and then). */
export class EventQueue {
  private items: (SctpEvent | undefined)[] = [];
  private head = 0;

  push(e: SctpEvent): void {
    this.items.push(e);
  }

  shift(): SctpEvent | undefined {
    if (this.head >= this.items.length) return undefined;
    const e = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return e;
  }

  /** The most recently pushed event, for merging consecutive 'sent' reports. */
  last(): SctpEvent | undefined {
    return this.items.length > this.head ? this.items[this.items.length - 1] : undefined;
  }

  get length(): number {
    return this.items.length - this.head;
  }
}
