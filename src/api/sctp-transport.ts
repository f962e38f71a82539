/** RTCSctpTransport (W3C webrtc-pc 6.1): the SCTP association that carries data channels. */
import type { RTCDtlsTransport } from './dtls-transport.js';
import { defineEventHandlers, type EventHandler } from './event-handler.js';

export type RTCSctpTransportState = 'connecting' | 'connected' | 'closed';

let constructing = false;

export class RTCSctpTransport extends EventTarget {
  readonly #transport: RTCDtlsTransport;
  #state: RTCSctpTransportState = 'connecting';
  #maxMessageSize: number;
  #maxChannels: number | null = null;

  declare onstatechange: EventHandler<RTCSctpTransport>;

  constructor(transport: RTCDtlsTransport, maxMessageSize: number) {
    if (!constructing) throw new TypeError('Illegal constructor');
    super();
    this.#transport = transport;
    this.#maxMessageSize = maxMessageSize;
  }

  /** @internal */
  static create(transport: RTCDtlsTransport, maxMessageSize: number): RTCSctpTransport {
    constructing = true;
    try {
      return new RTCSctpTransport(transport, maxMessageSize);
    } finally {
      constructing = false;
    }
  }

  get transport(): RTCDtlsTransport {
    return this.#transport;
  }
  get state(): RTCSctpTransportState {
    return this.#state;
  }
  /** The largest message send() accepts: the peer's a=max-message-size (Infinity if 0). */
  get maxMessageSize(): number {
    return this.#maxMessageSize;
  }
  /** Null until the association is up and its stream counts are known. */
  get maxChannels(): number | null {
    return this.#maxChannels;
  }

  get [Symbol.toStringTag](): string {
    return 'RTCSctpTransport';
  }

  /** @internal */
  setMaxMessageSize(size: number): void {
    this.#maxMessageSize = size;
  }
  /** @internal Runs in the task that reports the change; true when the state changed. */
  updateState(state: RTCSctpTransportState, maxChannels?: number, fire = true): boolean {
    if (this.#state === state) return false;
    this.#state = state;
    if (maxChannels !== undefined) this.#maxChannels = maxChannels;
    if (fire) this.dispatchEvent(new Event('statechange'));
    return true;
  }
}

defineEventHandlers(RTCSctpTransport.prototype, ['statechange']);
