/** Typed look-ups over a section's ordered attribute list. */
import type {
  AttributeOf,
  Direction,
  GroupAttribute,
  MediaDescription,
  SdpAttribute,
  SdpAttributeKind,
  SessionDescription,
  UnknownAttribute,
} from './sdp-model.js';

/** The first attribute of a kind, e.g. findAttribute(m.attributes, 'mid')?.mid. */
export function findAttribute<K extends SdpAttributeKind>(
  attributes: readonly SdpAttribute[],
  kind: K,
): AttributeOf<K> | undefined {
  for (const a of attributes) if (a.kind === kind) return a as AttributeOf<K>;
  return undefined;
}

/** Every attribute of a kind, in order, e.g. filterAttributes(m.attributes, 'rtpmap'). */
export function filterAttributes<K extends SdpAttributeKind>(
  attributes: readonly SdpAttribute[],
  kind: K,
): AttributeOf<K>[] {
  const found: AttributeOf<K>[] = [];
  for (const a of attributes) if (a.kind === kind) found.push(a as AttributeOf<K>);
  return found;
}

export function hasAttribute(attributes: readonly SdpAttribute[], kind: SdpAttributeKind): boolean {
  return attributes.some((a) => a.kind === kind);
}

/** The first attribute with no typed form under this name (e.g. "ptime"). */
export function findUnknownAttribute(
  attributes: readonly SdpAttribute[],
  name: string,
): UnknownAttribute | undefined {
  for (const a of attributes) if (a.kind === 'unknown' && a.name === name) return a;
  return undefined;
}

/** The section's direction: its own attribute, else the session's, else sendrecv (RFC 8866). */
export function mediaDirection(session: SessionDescription, media: MediaDescription): Direction {
  return (
    findAttribute(media.attributes, 'direction')?.direction ??
    findAttribute(session.attributes, 'direction')?.direction ??
    'sendrecv'
  );
}

/** The section's a=mid, if any. */
export function mediaMid(media: MediaDescription): string | undefined {
  return findAttribute(media.attributes, 'mid')?.mid;
}

/** The session's a=group lines with these semantics (e.g. "BUNDLE"). */
export function findGroups(session: SessionDescription, semantics: string): GroupAttribute[] {
  return filterAttributes(session.attributes, 'group').filter((g) => g.semantics === semantics);
}
