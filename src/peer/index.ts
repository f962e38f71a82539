/**
 * The connection engine: one connection's ICE, DTLS, SCTP and data channels wired together as
 * a sans-IO composite (PeerCore), and PeerEngine, which drives it over real UDP for the W3C
 * layer.
 */
export { AssociationPort } from './association-port.js';
export type { ConnectionEngine } from './connection-engine.js';
export {
  classifyDatagram,
  DATAGRAM_DTLS,
  DATAGRAM_RTP,
  DATAGRAM_UNKNOWN,
  type DatagramKind,
} from './demux.js';
export {
  LOCAL_MAX_MESSAGE_SIZE,
  PeerEngine,
  type PeerEngineOptions,
  PMTU_MAX_SCTP_PACKET,
} from './engine.js';
export type {
  DtlsTransportState,
  PeerCoreEvent,
  PeerEngineEvent,
  SctpTransportState,
} from './events.js';
export {
  type ChannelLayer,
  PeerCore,
  type PeerCoreCounters,
  type PeerCoreOptions,
  type SctpTransportParams,
  type TransportParams,
} from './peer-core.js';
export { buildEngineStats, type CandidatePairStats, type PeerEngineStats } from './stats.js';
