/**
 * What an m-section is for offer/answer: rejected or not, data channel or not, and its
 * attributes with the session level as fallback (browsers write ICE and DTLS attributes per
 * section; Firefox writes its fingerprint and ice-options once at the session level).
 */
import { filterAttributes, findAttribute, hasAttribute, mediaMid } from './sdp-access.js';
import type {
  AttributeOf,
  MediaDescription,
  SdpAttributeKind,
  SessionDescription,
} from './sdp-model.js';

export const DATA_CHANNEL_FORMAT = 'webrtc-datachannel';
/** RFC 8841: the SCTP port when a=sctp-port is absent. */
export const DEFAULT_SCTP_PORT = 5000;
/** RFC 8841: the message size a peer can take when a=max-message-size is absent. */
export const DEFAULT_MAX_MESSAGE_SIZE = 65536;

/**
 * Port 0 rejects a section (RFC 3264 6), except with a=bundle-only, where it means "only
 * over the BUNDLE transport" (RFC 8843 6).
 */
export function isRejected(media: MediaDescription): boolean {
  return media.port === 0 && !hasAttribute(media.attributes, 'bundle-only');
}

/** An SCTP-over-DTLS data channel section (RFC 8841): UDP/DTLS/SCTP or TCP/DTLS/SCTP. */
export function isDataSection(media: MediaDescription): boolean {
  return (
    media.kind === 'application' &&
    (media.proto === 'UDP/DTLS/SCTP' || media.proto === 'TCP/DTLS/SCTP') &&
    media.formats.includes(DATA_CHANNEL_FORMAT)
  );
}

/** The section's attribute of this kind, else the session's. */
export function effectiveAttribute<K extends SdpAttributeKind>(
  session: SessionDescription,
  media: MediaDescription,
  kind: K,
): AttributeOf<K> | undefined {
  return findAttribute(media.attributes, kind) ?? findAttribute(session.attributes, kind);
}

/** The section's attributes of this kind, else the session's (never a mix of both). */
export function effectiveAttributes<K extends SdpAttributeKind>(
  session: SessionDescription,
  media: MediaDescription,
  kind: K,
): AttributeOf<K>[] {
  const own = filterAttributes(media.attributes, kind);
  return own.length > 0 ? own : filterAttributes(session.attributes, kind);
}

/** The index of the section with this mid, or -1. */
export function sectionIndexByMid(session: SessionDescription, mid: string): number {
  return session.media.findIndex((m) => mediaMid(m) === mid);
}
