/** ICE (RFC 8445, 8838, 7675, 8839): the agent, the candidate grammar and priorities. */
export {
  IceAgent,
  type IceAgentOptions,
  type IceEvent,
  type IceGatheringState,
  type IceRole,
  type IceTransmit,
  type IceTransportState,
} from './agent.js';
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
