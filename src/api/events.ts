/** The event interfaces of RTCPeerConnection (W3C webrtc-pc). */

import type { RTCDataChannel } from './data-channel.js';
import type { EventInit } from './event-init.js';
import type { RTCIceCandidate } from './ice-candidate.js';

export interface RTCPeerConnectionIceEventInit extends EventInit {
  candidate?: RTCIceCandidate | null;
  url?: string | null;
}

/** icecandidate: a gathered candidate, an end-of-candidates mark (""), or null when all done. */
export class RTCPeerConnectionIceEvent extends Event {
  readonly #candidate: RTCIceCandidate | null;
  readonly #url: string | null;

  constructor(type: string, init: RTCPeerConnectionIceEventInit = {}) {
    super(type, init);
    this.#candidate = init.candidate ?? null;
    this.#url = init.url ?? null;
  }

  get candidate(): RTCIceCandidate | null {
    return this.#candidate;
  }

  /** Deprecated in the spec but still read by applications: the STUN/TURN server's URL. */
  get url(): string | null {
    return this.#url;
  }
}

export interface RTCDataChannelEventInit extends EventInit {
  channel: RTCDataChannel;
}

export class RTCDataChannelEvent extends Event {
  readonly #channel: RTCDataChannel;

  constructor(type: string, init: RTCDataChannelEventInit) {
    if (typeof init !== 'object' || init === null || init.channel == null) {
      throw new TypeError('RTCDataChannelEvent requires a channel');
    }
    super(type, init);
    this.#channel = init.channel;
  }

  get channel(): RTCDataChannel {
    return this.#channel;
  }
}

export interface RTCPeerConnectionIceErrorEventInit extends EventInit {
  address?: string | null;
  port?: number | null;
  url?: string;
  errorCode: number;
  errorText?: string;
}

/** icecandidateerror: a STUN or TURN server could not be used. */
export class RTCPeerConnectionIceErrorEvent extends Event {
  readonly address: string | null;
  readonly port: number | null;
  readonly url: string;
  readonly errorCode: number;
  readonly errorText: string;

  constructor(type: string, init: RTCPeerConnectionIceErrorEventInit) {
    if (typeof init !== 'object' || init === null || typeof init.errorCode !== 'number') {
      throw new TypeError('RTCPeerConnectionIceErrorEvent requires an errorCode');
    }
    super(type, init);
    this.address = init.address ?? null;
    this.port = init.port ?? null;
    this.url = init.url ?? '';
    this.errorCode = init.errorCode;
    this.errorText = init.errorText ?? '';
  }
}
