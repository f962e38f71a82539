/**
 * The slice of the W3C WebRTC API that the demo, the interop suite and the benchmark use, typed
 * structurally: the project's TypeScript setup has no DOM library, and each of them accepts any
 * implementation of this shape (tsrtc, or another stack's Node binding to compare against).
 */
export interface SessionDescriptionInit {
  type: string;
  sdp: string;
}

export interface IceCandidateInit {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
}

/** The `candidate` of an icecandidate event, as every stack exposes it. */
export interface IceCandidateLike {
  readonly candidate: string;
  readonly sdpMid: string | null;
  readonly sdpMLineIndex: number | null;
}

/** One end of a selected candidate pair; the fields a stack does not fill are absent. */
export interface CandidateLike {
  readonly address?: string | null;
  readonly port?: number | null;
  readonly protocol?: string | null;
  readonly type?: string | null;
  readonly candidate?: string;
}

export interface DataChannelInit {
  ordered?: boolean;
  maxRetransmits?: number;
  maxPacketLifeTime?: number;
  protocol?: string;
  negotiated?: boolean;
  id?: number;
}

export interface DataChannelLike extends EventTarget {
  readonly label: string;
  readonly id: number | null;
  readonly readyState: string;
  readonly ordered: boolean;
  readonly maxRetransmits: number | null;
  readonly maxPacketLifeTime: number | null;
  readonly negotiated: boolean;
  readonly protocol: string;
  readonly bufferedAmount: number;
  bufferedAmountLowThreshold: number;
  binaryType: string;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onbufferedamountlow: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string | ArrayBuffer | ArrayBufferView): void;
  close(): void;
}

export interface PeerConnectionLike extends EventTarget {
  readonly localDescription: SessionDescriptionInit | null;
  readonly remoteDescription: SessionDescriptionInit | null;
  readonly connectionState: string;
  readonly iceConnectionState: string;
  readonly signalingState: string;
  readonly sctp: {
    readonly maxMessageSize: number;
    readonly state?: string;
    readonly transport?: {
      readonly iceTransport?: {
        getSelectedCandidatePair?(): { local: CandidateLike; remote: CandidateLike } | null;
      } | null;
    } | null;
  } | null;
  onicecandidate: ((ev: { candidate: IceCandidateLike | null }) => void) | null;
  ondatachannel: ((ev: { channel: DataChannelLike }) => void) | null;
  onconnectionstatechange: ((ev: unknown) => void) | null;
  createDataChannel(label: string, init?: DataChannelInit): DataChannelLike;
  createOffer(): Promise<SessionDescriptionInit>;
  createAnswer(): Promise<SessionDescriptionInit>;
  setLocalDescription(d?: SessionDescriptionInit): Promise<void>;
  setRemoteDescription(d: SessionDescriptionInit): Promise<void>;
  addIceCandidate(c?: IceCandidateInit | null): Promise<void>;
  getStats(): Promise<{ values(): Iterable<unknown> }>;
  close(): void;
}

export type PeerConnectionConstructor = new (
  config?: Record<string, unknown>,
) => PeerConnectionLike;
