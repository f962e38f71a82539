/** The session part of local descriptions, as Chrome writes it, and fresh session ids. */
import { randomUint64 } from '../util/random.js';
import { canonicalAttributeLine } from './sdp-attribute-format.js';
import type { MediaDescription, SdpAttribute, SessionDescription } from './sdp-model.js';
import { rememberOriginalText } from './sdp-original-text.js';

export interface SessionParts {
  sessionId: string;
  sessionVersion: number;
  /** One a=group:BUNDLE line per group; empty groups are left out. */
  bundleGroups: string[][];
  extmapAllowMixed: boolean;
  media: MediaDescription[];
}

/**
 * v=0, o=- <id> <version> IN IP4 127.0.0.1, s=-, t=0 0, a=group:BUNDLE, a=extmap-allow-mixed,
 * a=msid-semantic: WMS, then the sections.
 */
export function buildSession(parts: SessionParts): SessionDescription {
  const attributes: SdpAttribute[] = [];
  for (const mids of parts.bundleGroups) {
    if (mids.length > 0) attributes.push({ kind: 'group', semantics: 'BUNDLE', mids: [...mids] });
  }
  if (parts.extmapAllowMixed) attributes.push({ kind: 'extmap-allow-mixed' });
  attributes.push(chromeMsidSemantic());
  return {
    version: 0,
    origin: {
      username: '-',
      sessionId: parts.sessionId,
      sessionVersion: String(parts.sessionVersion),
      netType: 'IN',
      addrType: 'IP4',
      address: '127.0.0.1',
    },
    sessionName: '-',
    emails: [],
    phones: [],
    bandwidths: [],
    timings: [{ start: 0, stop: 0, repeats: [] }],
    attributes,
    media: parts.media,
  };
}

/** "a=msid-semantic: WMS", with the space Chrome writes (and some peers match on). */
function chromeMsidSemantic(): SdpAttribute {
  const attribute: SdpAttribute = { kind: 'msid-semantic', semantic: 'WMS', identifiers: [] };
  rememberOriginalText(attribute, canonicalAttributeLine(attribute), 'a=msid-semantic: WMS');
  return attribute;
}

/** A random o= session id: 63 bits as decimal digits, as browsers make them. */
export function randomSessionId(): string {
  return (randomUint64() >> 1n).toString();
}
