/** The aggregate states of RTCPeerConnection (W3C webrtc-pc 4.3.2 and 4.3.3). */
import type { RTCDtlsTransportState } from './dtls-transport.js';
import type { RTCIceGathererState, RTCIceTransportState } from './ice-transport.js';

export type RTCIceConnectionState = RTCIceTransportState;
export type RTCIceGatheringState = RTCIceGathererState;
export type RTCPeerConnectionState =
  | 'closed'
  | 'failed'
  | 'disconnected'
  | 'new'
  | 'connecting'
  | 'connected';

/** With one bundled transport, the connection's ICE state is the transport's. */
export function deriveIceConnectionState(
  closed: boolean,
  ice: RTCIceTransportState,
): RTCIceConnectionState {
  return closed ? 'closed' : ice;
}

export function deriveConnectionState(
  closed: boolean,
  ice: RTCIceTransportState,
  dtls: RTCDtlsTransportState,
): RTCPeerConnectionState {
  if (closed) return 'closed';
  if (ice === 'failed' || dtls === 'failed') return 'failed';
  if (ice === 'disconnected') return 'disconnected';
  if ((ice === 'new' || ice === 'closed') && (dtls === 'new' || dtls === 'closed')) return 'new';
  if (ice === 'new' || ice === 'checking' || dtls === 'new' || dtls === 'connecting') {
    return 'connecting';
  }
  return 'connected';
}
