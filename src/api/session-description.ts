/** RTCSessionDescription (W3C webrtc-pc 4.8). */

export type RTCSdpType = 'offer' | 'pranswer' | 'answer' | 'rollback';

export interface RTCSessionDescriptionInit {
  type?: RTCSdpType;
  sdp?: string;
}

const SDP_TYPES: ReadonlySet<string> = new Set<RTCSdpType>([
  'offer',
  'pranswer',
  'answer',
  'rollback',
]);

export function isSdpType(value: unknown): value is RTCSdpType {
  return typeof value === 'string' && SDP_TYPES.has(value);
}

export class RTCSessionDescription {
  readonly #type: RTCSdpType;
  readonly #sdp: string;

  constructor(init: RTCSessionDescriptionInit) {
    if (typeof init !== 'object' || init === null) {
      throw new TypeError('RTCSessionDescription requires an RTCSessionDescriptionInit');
    }
    // The constructor's dictionary has a required type.
    if (!isSdpType(init.type)) {
      throw new TypeError(`invalid RTCSdpType: ${String(init.type)}`);
    }
    this.#type = init.type;
    this.#sdp = init.sdp === undefined ? '' : String(init.sdp);
  }

  get type(): RTCSdpType {
    return this.#type;
  }

  get sdp(): string {
    return this.#sdp;
  }

  toJSON(): { type: RTCSdpType; sdp: string } {
    return { type: this.#type, sdp: this.#sdp };
  }

  get [Symbol.toStringTag](): string {
    return 'RTCSessionDescription';
  }
}
