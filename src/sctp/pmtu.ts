/**
 * Packetization layer path MTU discovery (RFC 8899) for SCTP, the search half: which packet
 * size to probe next and what the answers mean. A probe is a packet of exactly the candidate
 * size (a HEARTBEAT padded with a PAD chunk, RFC 4820) whose HEARTBEAT-ACK confirms that such
 * packets reach the peer; data then uses the largest confirmed size. The search tries the
 * maximum first (most paths carry it), then halves the interval between the largest size
 * confirmed and the smallest size found too big. A size whose probes go unanswered
 * MAX_PROBES times counts as too big; lost probes are not congestion. When data starts timing
 * out above the base size (a black hole), data drops back to the base and the search starts
 * over below the size that failed.
 */

/** Probes of one size before it counts as too big (RFC 8899 MAX_PROBES). */
export const MAX_PROBES = 3;
/** Stop once the interval left is smaller than this: the last few bytes are not worth probes. */
const RESOLUTION = 32;

export class PmtuSearch {
  /** The packet size data uses: the largest confirmed. */
  current: number;
  /** The size being probed, or 0 when the search has ended. */
  probing = 0;
  /** Probes of `probing` sent so far. */
  attempts = 0;
  /** Identifies the probe in flight: an answer to an earlier one confirms nothing new. */
  nonce = 0;
  private tooBig: number;

  constructor(
    /** What every path carries (the association's configured MTU). */
    readonly base: number,
    /** The largest size to probe for. */
    readonly max: number,
  ) {
    this.current = base;
    this.tooBig = max + 4;
    this.probing = max > base ? max : 0;
  }

  get searching(): boolean {
    return this.probing !== 0;
  }

  /** A probe of `probing` goes out now: its nonce. */
  sent(): number {
    this.attempts++;
    this.nonce = (this.nonce + 1) >>> 0;
    return this.nonce;
  }

  /**
   * An answer to a probe of `size` came back: true when it answers the probe in flight, which
   * confirms `size` (the search only probes above `current`) and moves the search on.
   */
  acked(size: number, nonce: number): boolean {
    if (!this.searching || size !== this.probing || nonce !== this.nonce) return false;
    this.current = size;
    this.next();
    return true;
  }

  /** The probe in flight was not answered in time. */
  timedOut(): void {
    if (!this.searching || this.attempts < MAX_PROBES) return;
    this.tooBig = this.probing;
    this.next();
  }

  /** Data packets of `current` size stopped getting through: back to the base, search below. */
  blackHole(): boolean {
    if (this.current <= this.base) return false;
    this.tooBig = this.current;
    this.current = this.base;
    this.next();
    return true;
  }

  private next(): void {
    this.attempts = 0;
    const lo = this.current;
    const hi = this.tooBig - 4;
    if (hi - lo < RESOLUTION) {
      this.probing = 0;
      return;
    }
    this.probing = (lo + Math.floor((hi - lo) / 2)) & ~3;
  }
}
