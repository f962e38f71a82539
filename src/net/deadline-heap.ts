/** What a DeadlineHeap holds: a deadline and the slot's position, kept up to date by the heap. */
export interface HeapSlot {
  at: number;
  /** Position in the heap, -1 while in none. */
  index: number;
}

/** A binary min-heap of slots by deadline, each of which knows its position, so it can move in place. */
export class DeadlineHeap<T extends HeapSlot> {
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  /** The slot with the earliest deadline. */
  peek(): T | undefined {
    return this.items[0];
  }

  /** Adds a slot that is in no heap, with its deadline already set. */
  insert(slot: T): void {
    slot.index = this.items.length;
    this.items.push(slot);
    this.up(slot.index);
  }

  /** Moves a slot of this heap to a new deadline. */
  move(slot: T, at: number): void {
    const earlier = at < slot.at;
    slot.at = at;
    if (earlier) this.up(slot.index);
    else this.down(slot.index);
  }

  /** Takes a slot of this heap out; its index becomes -1. */
  remove(slot: T): void {
    const i = slot.index;
    const last = this.items.pop()!;
    if (last !== slot) {
      this.items[i] = last;
      last.index = i;
      this.up(i);
      this.down(last.index);
    }
    slot.index = -1;
  }

  private up(i: number): void {
    const items = this.items;
    const slot = items[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent]!;
      if (p.at <= slot.at) break;
      items[i] = p;
      p.index = i;
      i = parent;
    }
    items[i] = slot;
    slot.index = i;
  }

  private down(i: number): void {
    const items = this.items;
    const n = items.length;
    const slot = items[i]!;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && items[right]!.at < items[child]!.at) child = right;
      const c = items[child]!;
      if (c.at >= slot.at) break;
      items[i] = c;
      c.index = i;
      i = child;
    }
    items[i] = slot;
    slot.index = i;
  }
}
