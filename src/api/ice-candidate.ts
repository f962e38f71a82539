/** RTCIceCandidate (W3C webrtc-pc 4.8.2): every attribute is read from the candidate string. */
import { type IceCandidate, parseCandidate } from '../ice/index.js';

export type RTCIceProtocol = 'udp' | 'tcp';
export type RTCIceCandidateType = 'host' | 'srflx' | 'prflx' | 'relay';
export type RTCIceTcpCandidateType = 'active' | 'passive' | 'so';
export type RTCIceComponent = 'rtp' | 'rtcp';
export type RTCIceServerTransportProtocol = 'udp' | 'tcp' | 'tls';

export interface RTCIceCandidateInit {
  candidate?: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

export interface RTCIceCandidateJSON {
  candidate: string;
  sdpMid: string | null;
  sdpMLineIndex: number | null;
  usernameFragment: string | null;
}

/** Parsed fields; all null when the candidate string is empty or does not parse. */
interface ParsedFields {
  foundation: string | null;
  component: RTCIceComponent | null;
  priority: number | null;
  address: string | null;
  protocol: RTCIceProtocol | null;
  port: number | null;
  type: RTCIceCandidateType | null;
  tcpType: RTCIceTcpCandidateType | null;
  relatedAddress: string | null;
  relatedPort: number | null;
}

const NO_FIELDS: ParsedFields = Object.freeze({
  foundation: null,
  component: null,
  priority: null,
  address: null,
  protocol: null,
  port: null,
  type: null,
  tcpType: null,
  relatedAddress: null,
  relatedPort: null,
});

export class RTCIceCandidate {
  readonly #candidate: string;
  readonly #sdpMid: string | null;
  readonly #sdpMLineIndex: number | null;
  readonly #usernameFragment: string | null;
  readonly #fields: ParsedFields;
  readonly #relayProtocol: RTCIceServerTransportProtocol | null;
  readonly #url: string | null;
  /** The parsed form, for the connection; undefined when the string is empty or malformed. */
  readonly #parsed: IceCandidate | undefined;

  constructor(init: RTCIceCandidateInit = {}) {
    if (init === null || init === undefined) init = {};
    if (typeof init !== 'object') throw new TypeError('RTCIceCandidateInit must be an object');
    const sdpMid = init.sdpMid ?? null;
    const sdpMLineIndex = init.sdpMLineIndex ?? null;
    if (sdpMid === null && sdpMLineIndex === null) {
      throw new TypeError('sdpMid and sdpMLineIndex are both null');
    }
    this.#candidate = init.candidate === undefined ? '' : String(init.candidate);
    this.#sdpMid = sdpMid === null ? null : String(sdpMid);
    this.#sdpMLineIndex = sdpMLineIndex === null ? null : toUnsignedShort(sdpMLineIndex);
    let ufrag = init.usernameFragment ?? null;
    const parsed = this.#candidate === '' ? undefined : parseCandidate(this.#candidate);
    if (parsed?.ok) {
      const c = parsed.candidate;
      this.#parsed = c;
      this.#fields = fieldsOf(c);
      if (ufrag === null && c.ufrag !== undefined) ufrag = c.ufrag;
    } else {
      this.#fields = NO_FIELDS;
    }
    this.#usernameFragment = ufrag === null ? null : String(ufrag);
    this.#relayProtocol = null;
    this.#url = null;
  }

  get candidate(): string {
    return this.#candidate;
  }
  get sdpMid(): string | null {
    return this.#sdpMid;
  }
  get sdpMLineIndex(): number | null {
    return this.#sdpMLineIndex;
  }
  get foundation(): string | null {
    return this.#fields.foundation;
  }
  get component(): RTCIceComponent | null {
    return this.#fields.component;
  }
  get priority(): number | null {
    return this.#fields.priority;
  }
  get address(): string | null {
    return this.#fields.address;
  }
  get protocol(): RTCIceProtocol | null {
    return this.#fields.protocol;
  }
  get port(): number | null {
    return this.#fields.port;
  }
  get type(): RTCIceCandidateType | null {
    return this.#fields.type;
  }
  get tcpType(): RTCIceTcpCandidateType | null {
    return this.#fields.tcpType;
  }
  get relatedAddress(): string | null {
    return this.#fields.relatedAddress;
  }
  get relatedPort(): number | null {
    return this.#fields.relatedPort;
  }
  get usernameFragment(): string | null {
    return this.#usernameFragment;
  }
  /** Only set on local relay candidates: how this peer reaches its TURN server. */
  get relayProtocol(): RTCIceServerTransportProtocol | null {
    return this.#relayProtocol;
  }
  /** Only set on local server-reflexive and relay candidates: the server's URL. */
  get url(): string | null {
    return this.#url;
  }

  toJSON(): RTCIceCandidateJSON {
    return {
      candidate: this.#candidate,
      sdpMid: this.#sdpMid,
      sdpMLineIndex: this.#sdpMLineIndex,
      usernameFragment: this.#usernameFragment,
    };
  }

  get [Symbol.toStringTag](): string {
    return 'RTCIceCandidate';
  }

  /** @internal The ICE layer's form of the candidate, when the string parses. */
  static parsedOf(candidate: RTCIceCandidate): IceCandidate | undefined {
    return candidate.#parsed;
  }
}

function fieldsOf(c: IceCandidate): ParsedFields {
  return {
    foundation: c.foundation,
    // RFC 8839: component 1 is RTP, 2 is RTCP; others have no name in the W3C enum.
    component: c.component === 1 ? 'rtp' : c.component === 2 ? 'rtcp' : null,
    priority: c.priority,
    address: c.address,
    protocol: c.transport,
    port: c.port,
    type: c.type,
    tcpType: c.tcpType ?? null,
    relatedAddress: c.relatedAddress ?? null,
    relatedPort: c.relatedPort ?? null,
  };
}

/** WebIDL unsigned short conversion (modulo 2^16, as without [EnforceRange]). */
function toUnsignedShort(value: unknown): number {
  const n = Math.trunc(Number(value));
  if (!Number.isFinite(n)) return 0;
  return ((n % 65536) + 65536) % 65536;
}
