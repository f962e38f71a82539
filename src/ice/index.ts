/** ICE (RFC 8445, 8838, 7675, 8839): the agent, the candidate grammar and priorities. */
export { IceAgent } from './agent.js';
export {
  type IceCandidate,
  type IceCandidateType,
  type IceTcpType,
  isMdnsName,
  type ParseCandidateResult,
  parseCandidate,
  serializeCandidate,
} from './candidate.js';
export { candidatePriority, computeFoundation, localPreference, pairPriority } from './priority.js';
export type {
  IceAgentOptions,
  IceCandidateErrorEvent,
  IceEvent,
  IceGatheringState,
  IceRole,
  IceTransmit,
  IceTransportState,
} from './types.js';
