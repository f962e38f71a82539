/**
 * The anti-replay window of RFC 6347 4.1.2.6 for one epoch: a record is fresh if its sequence
 * number is newer than any seen, or within the window and not seen yet. A ring of flags indexed
 * by sequence number avoids multi-word bit shifts on 48-bit numbers.
 */
export const REPLAY_WINDOW_SIZE = 64;

export class ReplayWindow {
  private readonly seen = new Uint8Array(REPLAY_WINDOW_SIZE);
  private max = -1;

  /** True if a record with this sequence number may be processed. */
  check(seq: number): boolean {
    if (seq > this.max) return true;
    if (this.max - seq >= REPLAY_WINDOW_SIZE) return false;
    return this.seen[seq % REPLAY_WINDOW_SIZE] === 0;
  }

  /** Records `seq` as received; call only once the record has been authenticated. */
  mark(seq: number): void {
    if (seq > this.max) {
      const gap = Math.min(seq - this.max, REPLAY_WINDOW_SIZE);
      for (let i = 1; i <= gap; i++) this.seen[(seq - gap + i) % REPLAY_WINDOW_SIZE] = 0;
      this.max = seq;
    }
    this.seen[seq % REPLAY_WINDOW_SIZE] = 1;
  }

  reset(): void {
    this.seen.fill(0);
    this.max = -1;
  }
}
