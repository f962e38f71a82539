/**
 * Events as they happen, for tests that wait for "the first event like this", whether it
 * already happened or is still to come. Waits have generous limits that only turn a hang into a
 * clear failure; they are not timing assertions.
 */
export class EventLog<E> {
  private readonly seen: E[] = [];
  private readonly waiters = new Set<{ matches: (e: E) => boolean; resolve: (e: E) => void }>();
  private readonly listeners: ((e: E) => void)[] = [];

  push(event: E): void {
    this.seen.push(event);
    for (const l of this.listeners) l(event);
    for (const w of [...this.waiters]) {
      if (!w.matches(event)) continue;
      this.waiters.delete(w);
      w.resolve(event);
    }
  }

  /** Calls `listener` with every event so far, then with each new one. */
  forEach(listener: (e: E) => void): void {
    for (const e of this.seen) listener(e);
    this.listeners.push(listener);
  }

  all(): readonly E[] {
    return this.seen;
  }

  find(matches: (e: E) => boolean): E | undefined {
    return this.seen.find(matches);
  }

  waitFor(matches: (e: E) => boolean, what: string, timeoutMs = 20_000): Promise<E> {
    const past = this.seen.find(matches);
    if (past !== undefined) return Promise.resolve(past);
    return new Promise((resolve, reject) => {
      const waiter = {
        matches,
        resolve: (e: E) => {
          clearTimeout(timer);
          resolve(e);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`gave up waiting for ${what} after ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }
}
