/**
 * Consent freshness on the selected pair (RFC 7675), as timing only: when a consent request is
 * due, whether the pair counts as disconnected, and when consent has expired.
 *
 * A request goes out every `interval` ms randomized in [0.8, 1.2] (RFC 7675 5.1); each is a
 * retransmitting STUN transaction, so one lost packet does not count against the pair. The
 * pair is "disconnected" once a request has gone unanswered for `disconnectedTimeout` ms
 * (3 s by default, between Chrome's 2.5 s and Firefox's 5 s), measured from the first request
 * sent after the last response, and consent expires `timeout` ms (30 s) after the last
 * response. These checks also serve as keepalives (RFC 8445 11): a request at least every 6 s
 * is well within the 15 s keepalive interval, so no separate Binding indications are sent.
 */
/**
 * How late the I/O layer may run a deadline seconds ahead (COARSE_SLACK_MS in src/net, which
 * a test keeps at most this).
 */
export const TIMER_LATENESS_MS = 500;

export class ConsentTracker {
  lastResponseAt = 0;
  pendingSince: number | undefined;
  nextCheckAt = 0;
  expired = false;

  constructor(
    private readonly interval: number,
    private readonly disconnectedTimeout: number,
    private readonly timeout: number,
    private readonly random: () => number,
  ) {}

  /** A pair was just selected: it has fresh consent. */
  start(now: number): void {
    this.lastResponseAt = now;
    this.pendingSince = undefined;
    this.nextCheckAt = now + this.jittered();
    this.expired = false;
  }

  /**
   * 0.8 to 1.2 times the interval (RFC 7675 5.1), less the time by which the I/O layer may run
   * a deadline seconds ahead late (src/net/timer-wheel.ts), so that requests never go out
   * further apart than the RFC allows.
   */
  private jittered(): number {
    return this.interval * 0.8 + (this.interval * 0.4 - TIMER_LATENESS_MS) * this.random();
  }

  /** True when a consent request should be sent now (the caller sends it). */
  takeDue(now: number): boolean {
    if (this.expired || now < this.nextCheckAt) return false;
    this.nextCheckAt = now + this.jittered();
    this.pendingSince ??= now;
    return true;
  }

  /** An authenticated success response arrived on the selected pair. */
  responded(now: number): void {
    if (this.expired) return;
    this.lastResponseAt = now;
    this.pendingSince = undefined;
  }

  /** Returns true when consent expired at this call. */
  update(now: number): boolean {
    if (this.expired || now - this.lastResponseAt < this.timeout) return false;
    this.expired = true;
    return true;
  }

  isDisconnected(now: number): boolean {
    return this.pendingSince !== undefined && now - this.pendingSince >= this.disconnectedTimeout;
  }

  nextTimeout(now: number): number | undefined {
    if (this.expired) return undefined;
    let t = Math.min(this.nextCheckAt, this.lastResponseAt + this.timeout);
    if (this.pendingSince !== undefined) {
      const d = this.pendingSince + this.disconnectedTimeout;
      if (d > now && d < t) t = d;
    }
    return t;
  }
}
