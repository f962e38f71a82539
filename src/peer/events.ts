/** What a connection's engine reports: transport states, candidates and data channel events. */
import type { DataChannel, DataChannelEvent } from '../datachannel/index.js';
import type {
  IceCandidate,
  IceCandidateErrorEvent,
  IceEvent,
  IceGatheringState,
  IceTransportState,
} from '../ice/index.js';

export type DtlsTransportState = 'new' | 'connecting' | 'connected' | 'closed' | 'failed';
export type SctpTransportState = 'connecting' | 'connected' | 'closed';

/**
 * Transport events, then the data channel events of src/datachannel as they are (each names
 * its `channel`): 'datachannel' for a channel the peer opened, then per channel 'open',
 * 'message', 'bufferedamountlow', 'closing', 'error' and 'close', in the order they happened.
 */
export type PeerEngineEvent =
  | { type: 'local-candidate'; candidate: IceCandidate; sdp: string }
  | { type: 'gathering-state'; state: IceGatheringState }
  | IceCandidateErrorEvent
  | { type: 'ice-state'; state: IceTransportState }
  | { type: 'selected-pair'; local: IceCandidate; remote: IceCandidate }
  | { type: 'dtls-state'; state: DtlsTransportState; error?: string }
  | { type: 'sctp-state'; state: SctpTransportState }
  | { type: 'datachannel'; channel: DataChannel }
  | Exclude<DataChannelEvent, { type: 'datachannel' }>;

/** The composite core's events: the engine's, plus the mDNS work the I/O driver performs. */
export type PeerCoreEvent =
  | PeerEngineEvent
  | Extract<IceEvent, { type: 'mdns-register' } | { type: 'mdns-query' }>;
