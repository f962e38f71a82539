/** Retransmission timeout estimation (RFC 9260 6.3.1). */
export class RtoEstimator {
  private srtt = 0;
  private rttvar = 0;
  private measured = false;
  rto: number;

  constructor(
    readonly initial: number,
    readonly min: number,
    readonly max: number,
  ) {
    this.rto = initial;
  }

  /** A new round-trip measurement (Karn's rule is the caller's: only from chunks sent once). */
  sample(r: number): void {
    if (r < 0) return;
    if (!this.measured) {
      this.srtt = r;
      this.rttvar = r / 2;
      this.measured = true;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - r);
      this.srtt = 0.875 * this.srtt + 0.125 * r;
    }
    this.rto = Math.min(this.max, Math.max(this.min, this.srtt + 4 * this.rttvar));
  }

  /** Exponential back-off after a timer expiry. */
  backOff(): void {
    this.rto = Math.min(this.max, this.rto * 2);
  }

  get smoothedRtt(): number | undefined {
    return this.measured ? this.srtt : undefined;
  }
}
