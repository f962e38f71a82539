/**
 * The slice of the W3C WebRTC API the demo uses, typed structurally: the project's TypeScript
 * setup has no DOM library, and the server accepts any implementation of this shape (tsrtc by
 * default, or another stack's Node binding to compare against).
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

export interface CandidateLike {
  readonly address?: string | null;
  readonly port?: number | null;
  readonly protocol?: string | null;
  readonly type?: string | null;
  readonly candidate?: string;
}

export interface DataChannelLike extends EventTarget {
  readonly label: string;
  readonly readyState: string;
  readonly bufferedAmount: number;
  bufferedAmountLowThreshold: number;
  binaryType: string;
  send(data: string | ArrayBuffer | ArrayBufferView): void;
  close(): void;
}

export interface PeerConnectionLike extends EventTarget {
  readonly connectionState: string;
  readonly signalingState: string;
  readonly sctp?: {
    readonly transport?: {
      readonly iceTransport?: {
        getSelectedCandidatePair?(): { local: CandidateLike; remote: CandidateLike } | null;
      } | null;
    } | null;
  } | null;
  setRemoteDescription(d: SessionDescriptionInit): Promise<void>;
  createAnswer(): Promise<SessionDescriptionInit>;
  setLocalDescription(d?: SessionDescriptionInit): Promise<void>;
  addIceCandidate(c?: IceCandidateInit | null): Promise<void>;
  getStats(): Promise<{ values(): Iterable<unknown> }>;
  close(): void;
}

export type PeerConnectionConstructor = new (
  config?: Record<string, unknown>,
) => PeerConnectionLike;
