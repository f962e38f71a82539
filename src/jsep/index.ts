/**
 * JSEP: the SDP model with its parser and serializer (RFC 8866 and the WebRTC attributes), and
 * offer/answer (RFC 8829): building local descriptions, checking and reading remote ones.
 *
 *   const parsed = parseSdp(remote.sdp);
 *   if (!parsed.ok) reject(parsed.error, parsed.line);
 *   for (const m of parsed.sdp.media) findAttribute(m.attributes, 'mid')?.mid;
 *   serializeSdp(parsed.sdp); // the same text, CRLF line endings
 *
 *   const checked = extractTransportParams(parsed.sdp, 'offer');
 *   if (!checked.ok) reject(checked.error);
 *   const answer = serializeSdp(createAnswer({ ..., offer: parsed.sdp, setup: 'active' }));
 */

export {
  addCandidateToDescription,
  addEndOfCandidates,
  type CandidateTarget,
  findCandidateSection,
  type SectionLookup,
} from './description-candidates.js';
export { answerSetup, dtlsRoleFromSetup } from './dtls-setup.js';
export {
  type AnswerOptions,
  answerMismatch,
  createAnswer,
  createOffer,
  type DataSectionParams,
  type DescriptionType,
  type ExtractTransportResult,
  extractTransportParams,
  type Fingerprint,
  iceRestartRequested,
  type LocalTransportParams,
  type OfferOptions,
  type RemoteTransportParams,
} from './offer-answer.js';
export {
  filterAttributes,
  findAttribute,
  findGroups,
  findUnknownAttribute,
  hasAttribute,
  mediaDirection,
  mediaMid,
} from './sdp-access.js';
export {
  type AttributeParseResult,
  parseAttribute,
  parseAttributeLine,
} from './sdp-attribute-parse.js';
export type * from './sdp-model.js';
export { type ParseSdpResult, parseSdp } from './sdp-parse.js';
export { formatAttributeLine, serializeSdp } from './sdp-serialize.js';
export {
  DEFAULT_MAX_MESSAGE_SIZE,
  DEFAULT_SCTP_PORT,
  isDataSection,
  isRejected,
} from './section-kinds.js';
export { randomSessionId } from './session-builder.js';
export { transportSectionIndex } from './transport-params.js';
