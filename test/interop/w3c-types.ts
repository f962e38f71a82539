/**
 * The slice of the W3C WebRTC API that the interop suite uses, typed structurally so that the
 * same suite drives tsrtc and, to check the suite itself, the native stacks' Node bindings.
 * (The project's TypeScript setup has no DOM library, so these are spelled out here.)
 */
export interface SessionDescriptionInit {
  type: string;
  sdp: string;
}

export interface IceCandidateInit {
  candidate: string;
  sdpMid: string | null;
  sdpMLineIndex: number | null;
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
  binaryType: string;
  send(data: string | ArrayBuffer | ArrayBufferView): void;
  close(): void;
}

export interface PeerConnectionLike extends EventTarget {
  readonly localDescription: SessionDescriptionInit | null;
  readonly remoteDescription: SessionDescriptionInit | null;
  readonly connectionState: string;
  readonly iceConnectionState: string;
  readonly signalingState: string;
  readonly sctp: { readonly maxMessageSize: number; readonly state?: string } | null;
  createDataChannel(label: string, init?: DataChannelInit): DataChannelLike;
  createOffer(): Promise<SessionDescriptionInit>;
  createAnswer(): Promise<SessionDescriptionInit>;
  setLocalDescription(d?: SessionDescriptionInit): Promise<void>;
  setRemoteDescription(d: SessionDescriptionInit): Promise<void>;
  addIceCandidate(c?: IceCandidateInit | null): Promise<void>;
  close(): void;
}

export type PeerConnectionConstructor = new (
  config?: Record<string, unknown>,
) => PeerConnectionLike;

/** The `candidate` of an icecandidate event, as every stack exposes it. */
export interface IceCandidateLike {
  readonly candidate: string;
  readonly sdpMid: string | null;
  readonly sdpMLineIndex: number | null;
}
