/** RTCDtlsTransport (W3C webrtc-pc 5.5): the DTLS association under SCTP (and, later, SRTP). */
import { defineEventHandlers, type EventHandler } from './event-handler.js';
import type { RTCIceTransport } from './ice-transport.js';
import { RTCError, RTCErrorEvent } from './rtc-error.js';

export type RTCDtlsTransportState = 'new' | 'connecting' | 'connected' | 'closed' | 'failed';

let constructing = false;

export class RTCDtlsTransport extends EventTarget {
  readonly #iceTransport: RTCIceTransport;
  #state: RTCDtlsTransportState = 'new';
  #remoteCertificates: Uint8Array[] = [];

  declare onstatechange: EventHandler<RTCDtlsTransport>;
  declare onerror: EventHandler<RTCDtlsTransport, RTCErrorEvent>;

  constructor(iceTransport: RTCIceTransport) {
    if (!constructing) throw new TypeError('Illegal constructor');
    super();
    this.#iceTransport = iceTransport;
  }

  /** @internal */
  static create(iceTransport: RTCIceTransport): RTCDtlsTransport {
    constructing = true;
    try {
      return new RTCDtlsTransport(iceTransport);
    } finally {
      constructing = false;
    }
  }

  get iceTransport(): RTCIceTransport {
    return this.#iceTransport;
  }
  get state(): RTCDtlsTransportState {
    return this.#state;
  }
  /** The peer's certificate chain, DER encoded, once DTLS is connected. */
  getRemoteCertificates(): ArrayBuffer[] {
    return this.#remoteCertificates.map(
      (der) => der.buffer.slice(der.byteOffset, der.byteOffset + der.byteLength) as ArrayBuffer,
    );
  }

  get [Symbol.toStringTag](): string {
    return 'RTCDtlsTransport';
  }

  /** @internal Runs in the task that reports the change; true when the state changed. */
  updateState(state: RTCDtlsTransportState, error?: string, fire = true): boolean {
    if (this.#state === state) return false;
    this.#state = state;
    if (!fire) return true;
    if (state === 'failed') {
      const errorDetail =
        error !== undefined && /fingerprint/i.test(error) ? 'fingerprint-failure' : 'dtls-failure';
      const rtcError = new RTCError({ errorDetail }, error ?? 'DTLS failed');
      this.dispatchEvent(new RTCErrorEvent('error', { error: rtcError }));
    }
    this.dispatchEvent(new Event('statechange'));
    return true;
  }
  /** @internal */
  setRemoteCertificates(certificates: Uint8Array[]): void {
    this.#remoteCertificates = certificates.map((c) => c.slice());
  }
}

defineEventHandlers(RTCDtlsTransport.prototype, ['statechange', 'error']);
