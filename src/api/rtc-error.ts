/** RTCError and RTCErrorEvent (W3C webrtc-pc, "Error Handling"). */
import type { EventInit } from './event-init.js';

export type RTCErrorDetailType =
  | 'data-channel-failure'
  | 'dtls-failure'
  | 'fingerprint-failure'
  | 'sctp-failure'
  | 'sdp-syntax-error'
  | 'hardware-encoder-not-available'
  | 'hardware-encoder-error';

const ERROR_DETAILS: ReadonlySet<string> = new Set<RTCErrorDetailType>([
  'data-channel-failure',
  'dtls-failure',
  'fingerprint-failure',
  'sctp-failure',
  'sdp-syntax-error',
  'hardware-encoder-not-available',
  'hardware-encoder-error',
]);

export interface RTCErrorInit {
  errorDetail: RTCErrorDetailType;
  sdpLineNumber?: number;
  sctpCauseCode?: number;
  receivedAlert?: number;
  sentAlert?: number;
  httpRequestStatusCode?: number;
}

/** A DOMException named OperationError with WebRTC's details. */
export class RTCError extends DOMException {
  readonly errorDetail: RTCErrorDetailType;
  readonly sdpLineNumber: number | null;
  readonly sctpCauseCode: number | null;
  readonly receivedAlert: number | null;
  readonly sentAlert: number | null;
  readonly httpRequestStatusCode: number | null;

  constructor(init: RTCErrorInit, message = '') {
    super(String(message), 'OperationError');
    if (typeof init !== 'object' || init === null) {
      throw new TypeError('RTCError requires an RTCErrorInit dictionary');
    }
    if (!ERROR_DETAILS.has(init.errorDetail)) {
      throw new TypeError(`unknown errorDetail: ${String(init.errorDetail)}`);
    }
    this.errorDetail = init.errorDetail;
    this.sdpLineNumber = optionalLong(init.sdpLineNumber);
    this.sctpCauseCode = optionalLong(init.sctpCauseCode);
    this.receivedAlert = optionalLong(init.receivedAlert);
    this.sentAlert = optionalLong(init.sentAlert);
    this.httpRequestStatusCode = optionalLong(init.httpRequestStatusCode);
  }
}

function optionalLong(value: number | undefined): number | null {
  return value === undefined || value === null ? null : Math.trunc(Number(value));
}

export interface RTCErrorEventInit extends EventInit {
  error: RTCError;
}

export class RTCErrorEvent extends Event {
  readonly #error: RTCError;

  constructor(type: string, init: RTCErrorEventInit) {
    if (typeof init !== 'object' || init === null || !(init.error instanceof RTCError)) {
      throw new TypeError('RTCErrorEvent requires an RTCError as error');
    }
    super(type, init);
    this.#error = init.error;
  }

  get error(): RTCError {
    return this.#error;
  }
}
