/**
 * One process-wide timer for every driver. Each connection has a deadline that moves on almost
 * every input (a check sent, a packet acknowledged); with a Node timer per connection that is a
 * clearTimeout/setTimeout pair, and a new Timeout object, each time, and thousands of them in
 * Node's timer lists. Here a deadline is a slot in a binary heap, moved in place, and a single
 * Node timer is armed for the earliest one. Deadlines at least a second ahead go to a second
 * heap and may run a little late, so that thousands of idle connections' periodic work shares
 * wakeups.
 *
 * Deadlines use the performance.now() clock. A deadline already due runs from setImmediate, in
 * the same event-loop turn, rather than after the 1 ms minimum of a Node timer: a core that
 * defers work to "as soon as this burst of input is over" gets it at the end of the burst.
 */
import { performance } from 'node:perf_hooks';
import { DeadlineHeap } from './deadline-heap.js';

/**
 * A deadline this far ahead or more is coarse: it may fire up to COARSE_SLACK_MS late, so that
 * the coarse deadlines of many connections that fall close together (consent checks every
 * 4-6 s, keepalives, long timeouts) run in one wakeup rather than one each. At 1,000 idle
 * connection pairs in one process, half a second of slack (about 200 consent checks a burst)
 * took idle CPU from 7-8% of a core with 25 ms to 4.3-5.3%: a burst runs on warm caches. ICE
 * consent requests are scheduled early by as much (TIMER_LATENESS_MS in src/ice/consent.ts),
 * so they still go out within RFC 7675's 4-6 s.
 */
export const COARSE_AFTER_MS = 2000;
export const COARSE_SLACK_MS = 500;

/** A deadline owned by one driver; schedule() moves it, cancel() removes it. */
export class TimerSlot {
  /** When it is due, NaN while not scheduled. */
  at = Number.NaN;
  /** Position in its heap, -1 while not scheduled. */
  index = -1;
  /** In the heap of coarse deadlines. */
  coarse = false;

  constructor(readonly fire: () => void) {}

  get scheduled(): boolean {
    return this.index >= 0;
  }
}

export class TimerWheel {
  private readonly precise = new DeadlineHeap<TimerSlot>();
  private readonly coarse = new DeadlineHeap<TimerSlot>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.NaN;
  private immediate: NodeJS.Immediate | undefined;
  private running = false;

  /** Number of scheduled deadlines. */
  get size(): number {
    return this.precise.size + this.coarse.size;
  }

  /** Sets (or moves) the slot's deadline. */
  schedule(slot: TimerSlot, at: number): void {
    // Unchanged, it keeps its class: a coarse deadline stays coarse as it comes closer.
    if (slot.index >= 0 && at === slot.at) return;
    const coarse = at - performance.now() >= COARSE_AFTER_MS;
    if (slot.index >= 0 && slot.coarse === coarse) {
      (coarse ? this.coarse : this.precise).move(slot, at);
    } else {
      if (slot.index >= 0) (slot.coarse ? this.coarse : this.precise).remove(slot);
      slot.at = at;
      slot.coarse = coarse;
      (coarse ? this.coarse : this.precise).insert(slot);
    }
    if (!this.running && (coarse ? this.coarse : this.precise).peek() === slot) this.arm();
  }

  cancel(slot: TimerSlot): void {
    if (slot.index < 0) return;
    (slot.coarse ? this.coarse : this.precise).remove(slot);
    slot.at = Number.NaN;
    // The Node timer may now fire early for nothing; run() then just re-arms it.
  }

  /** When the next wakeup is needed: the earliest precise deadline or coarse one plus slack. */
  private nextWakeup(): number {
    const p = this.precise.peek();
    const c = this.coarse.peek();
    if (c === undefined) return p === undefined ? Number.NaN : p.at;
    const late = c.at + COARSE_SLACK_MS;
    return p === undefined || late < p.at ? late : p.at;
  }

  private arm(): void {
    const at = this.nextWakeup();
    if (Number.isNaN(at)) {
      this.disarm();
      return;
    }
    const delay = at - performance.now();
    if (delay <= 0) {
      // Not unref'd: an unref'd immediate does not stop the event loop from blocking in its
      // poll phase, so it would wait for the next unrelated I/O or timer.
      this.immediate ??= setImmediate(this.onImmediate);
      return;
    }
    if (this.timer !== undefined && this.timerAt <= at) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    // Node timers have 1 ms resolution and may fire a fraction early against
    // performance.now(); run() re-arms for what is not due yet.
    this.timerAt = at;
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
   * Fires every slot due now, precise and coarse, in deadline order. The due ones are taken
   * out first, so a slot a callback makes due again runs in a later turn, never in a loop here.
   */
  private run(): void {
    if (this.running) return;
    this.running = true;
    const now = performance.now();
    const due: TimerSlot[] = [];
    try {
      for (;;) {
        const p = this.precise.peek();
        const c = this.coarse.peek();
        const top = c === undefined || (p !== undefined && p.at <= c.at) ? p : c;
        if (top === undefined || top.at > now) break;
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
}

/** The wheel every driver of this process shares. */
export const timerWheel = new TimerWheel();
