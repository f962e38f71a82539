/**
 * One process-wide timer for every driver. Each connection has a deadline that moves on almost
 * every input (a check sent, a packet acknowledged); with a Node timer per connection that is a
 * clearTimeout/setTimeout pair, and a new Timeout object, each time, and thousands of them in
 * Node's timer lists. Here a deadline is a slot in one binary heap, moved in place, and a single
 * Node timer is armed for the earliest one.
 *
 * Deadlines use the performance.now() clock. A deadline already due runs from setImmediate, in
 * the same event-loop turn, rather than after the 1 ms minimum of a Node timer: a core that
 * defers work to "as soon as this burst of input is over" gets it at the end of the burst.
 */
import { performance } from 'node:perf_hooks';

/** A deadline owned by one driver; schedule() moves it, cancel() removes it. */
export class TimerSlot {
  /** When it is due, NaN while not scheduled. */
  at = Number.NaN;
  /** Position in the heap, -1 while not scheduled. */
  index = -1;

  constructor(readonly fire: () => void) {}

  get scheduled(): boolean {
    return this.index >= 0;
  }
}

export class TimerWheel {
  private readonly heap: TimerSlot[] = [];
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.NaN;
  private immediate: NodeJS.Immediate | undefined;
  private running = false;

  /** Number of scheduled deadlines. */
  get size(): number {
    return this.heap.length;
  }

  /** Sets (or moves) the slot's deadline. */
  schedule(slot: TimerSlot, at: number): void {
    if (slot.index >= 0) {
      if (at === slot.at) return;
      const earlier = at < slot.at;
      slot.at = at;
      if (earlier) this.up(slot.index);
      else this.down(slot.index);
    } else {
      slot.at = at;
      slot.index = this.heap.length;
      this.heap.push(slot);
      this.up(slot.index);
    }
    if (!this.running && this.heap[0] === slot) this.arm();
  }

  cancel(slot: TimerSlot): void {
    const i = slot.index;
    if (i < 0) return;
    const last = this.heap.pop()!;
    if (last !== slot) {
      this.heap[i] = last;
      last.index = i;
      this.up(i);
      this.down(last.index);
    }
    slot.index = -1;
    slot.at = Number.NaN;
    // The Node timer may now fire early for nothing; run() then just re-arms it.
  }

  private arm(): void {
    const top = this.heap[0];
    if (top === undefined) {
      this.disarm();
      return;
    }
    const delay = top.at - performance.now();
    if (delay <= 0) {
      // Not unref'd: an unref'd immediate does not stop the event loop from blocking in its
      // poll phase, so it would wait for the next unrelated I/O or timer.
      this.immediate ??= setImmediate(this.onImmediate);
      return;
    }
    if (this.timer !== undefined && this.timerAt <= top.at) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    // Node timers have 1 ms resolution and may fire a fraction early against
    // performance.now(); run() re-arms for what is not due yet.
    this.timerAt = top.at;
    this.timer = setTimeout(this.onTimer, Math.ceil(delay));
    this.timer.unref();
  }

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.NaN;
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.timerAt = Number.NaN;
    this.run();
  };

  private readonly onImmediate = (): void => {
    this.immediate = undefined;
    this.run();
  };

  /**
   * Fires every slot due now. The due ones are taken out first, so a slot a callback makes due
   * again runs in a later turn, never in a loop here.
   */
  private run(): void {
    if (this.running) return;
    this.running = true;
    const now = performance.now();
    const due: TimerSlot[] = [];
    try {
      for (let top = this.heap[0]; top !== undefined && top.at <= now; top = this.heap[0]) {
        this.cancel(top);
        due.push(top);
      }
      for (const slot of due) {
        try {
          slot.fire();
        } catch (err) {
          queueMicrotask(() => {
            throw err;
          });
        }
      }
    } finally {
      this.running = false;
    }
    this.arm();
  }

  private up(i: number): void {
    const heap = this.heap;
    const slot = heap[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (p.at <= slot.at) break;
      heap[i] = p;
      p.index = i;
      i = parent;
    }
    heap[i] = slot;
    slot.index = i;
  }

  private down(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const slot = heap[i]!;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && heap[right]!.at < heap[child]!.at) child = right;
      const c = heap[child]!;
      if (c.at >= slot.at) break;
      heap[i] = c;
      c.index = i;
      i = child;
    }
    heap[i] = slot;
    slot.index = i;
  }
}

/** The wheel every driver of this process shares. */
export const timerWheel = new TimerWheel();
