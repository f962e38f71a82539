/**
 * JSEP: the SDP model with its parser and serializer (RFC 8866 and the WebRTC attributes).
 *
 *   const parsed = parseSdp(remote.sdp);
 *   if (!parsed.ok) reject(parsed.error, parsed.line);
 *   for (const m of parsed.sdp.media) findAttribute(m.attributes, 'mid')?.mid;
 *   serializeSdp(parsed.sdp); // the same text, CRLF line endings
 */
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
