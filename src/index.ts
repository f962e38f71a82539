/**
 * tsrtc: WebRTC for Node.js. The W3C globals are exported from here; the protocol layers are
 * available as subpath exports (tsrtc/stun, tsrtc/ice, tsrtc/net, ...).
 */

export { RTCCertificate } from './api/certificate.js';
export type {
  RTCBundlePolicy,
  RTCConfiguration,
  RTCIceServer,
  RTCIceTransportPolicy,
  RTCRtcpMuxPolicy,
  TsrtcOptions,
} from './api/configuration.js';
export type {
  RTCIceConnectionState,
  RTCIceGatheringState,
  RTCPeerConnectionState,
} from './api/connection-state.js';
export {
  type BinaryType,
  RTCDataChannel,
  type RTCDataChannelInit,
  type RTCDataChannelState,
  type RTCPriorityType,
} from './api/data-channel.js';
export { RTCDtlsTransport, type RTCDtlsTransportState } from './api/dtls-transport.js';
export {
  RTCDataChannelEvent,
  type RTCDataChannelEventInit,
  RTCPeerConnectionIceErrorEvent,
  type RTCPeerConnectionIceErrorEventInit,
  RTCPeerConnectionIceEvent,
  type RTCPeerConnectionIceEventInit,
} from './api/events.js';
export {
  RTCIceCandidate,
  type RTCIceCandidateInit,
  type RTCIceCandidateType,
  type RTCIceComponent,
  type RTCIceProtocol,
  type RTCIceTcpCandidateType,
} from './api/ice-candidate.js';
export {
  type RTCIceCandidatePair,
  type RTCIceGathererState,
  type RTCIceParameters,
  type RTCIceRole,
  RTCIceTransport,
  type RTCIceTransportState,
} from './api/ice-transport.js';
export {
  type RTCAnswerOptions,
  type RTCOfferOptions,
  RTCPeerConnection,
} from './api/peer-connection.js';
export {
  RTCError,
  type RTCErrorDetailType,
  RTCErrorEvent,
  type RTCErrorEventInit,
  type RTCErrorInit,
} from './api/rtc-error.js';
export { RTCSctpTransport, type RTCSctpTransportState } from './api/sctp-transport.js';
export {
  type RTCSdpType,
  RTCSessionDescription,
  type RTCSessionDescriptionInit,
} from './api/session-description.js';
export type { RTCSignalingState } from './api/signaling.js';
export { type RTCStats, RTCStatsReport, type RTCStatsType } from './api/stats-report.js';

export * as ice from './ice/index.js';
export * as stun from './stun/index.js';
