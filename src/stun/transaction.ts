import { decodeMessageMethod } from './constants.js';
import type { StunMessage } from './message.js';

export interface StunTransactionOptions {
  /** Initial retransmission timeout in ms (RFC 8489 6.2.1: 500 by default). */
  rto?: number;
  /** Total number of sends, the first included (Rc, default 7). */
  rc?: number;
  /** After the last send, wait rm * rto for a response before giving up (Rm, default 16). */
  rm?: number;
  /**
   * Over TCP/TLS the transport retransmits: send once and give up after `rto * (2^(rc-1) - 1)
   * + rm * rto` ms (39.5 s by default, Ti in RFC 8489 6.2.2).
   */
  reliable?: boolean;
}

export type StunTransactionState = 'pending' | 'succeeded' | 'failed' | 'timeout';

/**
 * A client transaction (RFC 8489 6.2.1), sans-IO: sends at 0, rto, 3 rto, 7 rto... (each
 * interval double the last) up to rc sends, then waits rm * rto for the last chance of a
 * response. `failed` means an error response arrived; `timeout` that none did.
 */
export class StunClientTransaction {
  readonly request: Uint8Array;
  readonly transactionId: Uint8Array;
  readonly method: number;
  private _state: StunTransactionState = 'pending';
  private _response: StunMessage | undefined;
  private _rtt: number | undefined;
  private readonly rto: number;
  private readonly rc: number;
  private readonly rm: number;
  private readonly firstSendAt: number;
  private sends = 0;
  private interval: number;
  private deadline: number;
  private transmitQueued = true;

  constructor(
    request: Uint8Array,
    transactionId: Uint8Array,
    now: number,
    opts: StunTransactionOptions = {},
  ) {
    this.request = request;
    this.transactionId = transactionId;
    this.method = request.length >= 2 ? decodeMessageMethod((request[0]! << 8) | request[1]!) : 0;
    this.rto = opts.rto ?? 500;
    this.rc = Math.max(1, opts.rc ?? 7);
    this.rm = opts.rm ?? 16;
    this.firstSendAt = now;
    this.interval = this.rto;
    this.sends = 1;
    if (opts.reliable) {
      this.rc = 1;
      this.deadline = now + this.rto * (2 ** ((opts.rc ?? 7) - 1) - 1) + this.rm * this.rto;
    } else {
      this.deadline = this.rc > 1 ? now + this.interval : now + this.rm * this.rto;
    }
  }

  get state(): StunTransactionState {
    return this._state;
  }

  /** The success or error response, once one has arrived. */
  get response(): StunMessage | undefined {
    return this._response;
  }

  /** Round-trip time, only when the request was sent once (Karn: otherwise it is ambiguous). */
  get rtt(): number | undefined {
    return this._rtt;
  }

  /** How many times the request has been (or is about to be) sent. */
  get sendCount(): number {
    return this.sends;
  }

  nextTimeout(): number | undefined {
    return this._state === 'pending' ? this.deadline : undefined;
  }

  handleTimeout(now: number): void {
    if (this._state !== 'pending' || now < this.deadline) return;
    if (this.sends >= this.rc) {
      this._state = 'timeout';
      this.transmitQueued = false;
      return;
    }
    this.sends++;
    this.transmitQueued = true;
    // Timed from now rather than from the planned time, so a late timer never bursts sends.
    if (this.sends < this.rc) {
      this.interval *= 2;
      this.deadline = now + this.interval;
    } else {
      this.deadline = now + this.rm * this.rto;
    }
  }

  /** The request, once at creation and once per retransmission. */
  pollTransmit(): Uint8Array | undefined {
    if (!this.transmitQueued || this._state !== 'pending') return undefined;
    this.transmitQueued = false;
    return this.request;
  }

  /**
   * Offers a decoded response. Returns true when it carries this transaction's id and method
   * and is a success or error response (also for a duplicate after completion, so the caller
   * knows it was consumed); the first such response completes the transaction.
   */
  handleResponse(m: StunMessage, now: number): boolean {
    if (m.class !== 'success' && m.class !== 'error') return false;
    if (m.method !== this.method || !sameId(m.transactionId, this.transactionId)) return false;
    if (this._state !== 'pending') return true;
    this._state = m.class === 'success' ? 'succeeded' : 'failed';
    this._response = m;
    this.transmitQueued = false;
    if (this.sends === 1) this._rtt = now - this.firstSendAt;
    return true;
  }
}

export function sameId(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
