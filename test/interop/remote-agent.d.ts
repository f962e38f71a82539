/** Types for remote-agent.js, which stays plain JavaScript so that it runs unchanged in a page. */
export declare class InteropAgent {
  constructor(w3c: { RTCPeerConnection: unknown }, emit: (event: Record<string, unknown>) => void);
  createPeer(config?: Record<string, unknown>): void;
  createDataChannel(label: string, init?: Record<string, unknown>): void;
  createOffer(): Promise<{ type: string; sdp: string }>;
  acceptOffer(offer: { type: string; sdp: string }): Promise<{ type: string; sdp: string }>;
  acceptAnswer(answer: { type: string; sdp: string }): Promise<void>;
  addIceCandidate(
    c: { candidate: string; sdpMid: string | null; sdpMLineIndex: number | null } | null,
  ): Promise<void>;
  closeChannel(label: string): void;
  channelInfo(label: string): Record<string, unknown> | null;
  connectionInfo(): Record<string, unknown>;
  closePeer(): void;
}

export declare function loopbackEcho(w3c: {
  RTCPeerConnection: unknown;
}): Promise<{ echo: string; candidates: string[] }>;
export declare function gatherCandidates(w3c: { RTCPeerConnection: unknown }): Promise<string[]>;
