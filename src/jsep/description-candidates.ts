/**
 * Trickled candidates written into a description already set (W3C webrtc-pc 4.4.1.x): a local
 * candidate into the pending local description as it is gathered, a remote one into the remote
 * description by addIceCandidate(). These change the model in place.
 */
import { findAttribute, mediaMid } from './sdp-access.js';
import type { MediaDescription, SdpAttribute, SessionDescription } from './sdp-model.js';

/** Which section a candidate belongs to: by mid first, else by m-line index (W3C). */
export interface CandidateTarget {
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
}

export type SectionLookup = { ok: true; index: number } | { ok: false; error: string };

/** A section found and, in `added`, whether the description changed. */
export type DescriptionEdit =
  | { ok: true; index: number; added: boolean }
  | { ok: false; error: string };

/** The section a W3C candidate names; an error when it names none. */
export function findCandidateSection(
  sdp: SessionDescription,
  target: CandidateTarget,
): SectionLookup {
  if (target.sdpMid !== undefined && target.sdpMid !== null) {
    const index = sdp.media.findIndex((m) => mediaMid(m) === target.sdpMid);
    if (index < 0) return { ok: false, error: `no m-section has mid ${target.sdpMid}` };
    return { ok: true, index };
  }
  const line = target.sdpMLineIndex;
  if (line === undefined || line === null) {
    return { ok: false, error: 'the candidate has neither sdpMid nor sdpMLineIndex' };
  }
  if (!Number.isInteger(line) || line < 0 || line >= sdp.media.length) {
    return {
      ok: false,
      error: `sdpMLineIndex ${line} is not one of the ${sdp.media.length} m-sections`,
    };
  }
  return { ok: true, index: line };
}

/**
 * Adds a=<candidate> ("candidate:..." as in RTCIceCandidate.candidate) to the section the target
 * names, after its other candidates; a candidate already there is not added twice.
 */
export function addCandidateToDescription(
  sdp: SessionDescription,
  candidate: string,
  target: CandidateTarget,
): DescriptionEdit {
  const found = findCandidateSection(sdp, target);
  if (!found.ok) return found;
  const media = sdp.media[found.index]!;
  const text = candidate.startsWith('candidate:') ? candidate : `candidate:${candidate}`;
  if (media.attributes.some((a) => a.kind === 'candidate' && a.candidate === text)) {
    return { ok: true, index: found.index, added: false };
  }
  media.attributes.splice(candidateInsertIndex(media), 0, { kind: 'candidate', candidate: text });
  return { ok: true, index: found.index, added: true };
}

/** After the last candidate; else before the ICE attributes, where browsers put the first. */
function candidateInsertIndex(media: MediaDescription): number {
  const attributes = media.attributes;
  for (let i = attributes.length - 1; i >= 0; i--) {
    if (attributes[i]!.kind === 'candidate') return i + 1;
  }
  const ufrag = findAttribute(attributes, 'ice-ufrag');
  const at = ufrag === undefined ? -1 : attributes.indexOf(ufrag);
  return at < 0 ? attributes.length : at;
}

/**
 * Adds a=end-of-candidates to the section the target names, or to every section in use when it
 * names none (the W3C empty candidate with null sdpMid and sdpMLineIndex); index -1 then. A
 * rejected section (port 0) gathers nothing and gets no mark.
 */
export function addEndOfCandidates(
  sdp: SessionDescription,
  target: CandidateTarget = {},
): DescriptionEdit {
  const named =
    (target.sdpMid !== undefined && target.sdpMid !== null) ||
    (target.sdpMLineIndex !== undefined && target.sdpMLineIndex !== null);
  if (!named) {
    let added = false;
    for (const media of sdp.media) added = markEnd(media) || added;
    return { ok: true, index: -1, added };
  }
  const found = findCandidateSection(sdp, target);
  if (!found.ok) return found;
  return { ok: true, index: found.index, added: markEnd(sdp.media[found.index]!) };
}

/** False when the section is rejected or has the mark already. */
function markEnd(media: MediaDescription): boolean {
  if (media.port === 0 || media.attributes.some((a) => a.kind === 'end-of-candidates')) {
    return false;
  }
  const end: SdpAttribute = { kind: 'end-of-candidates' };
  const attributes = media.attributes;
  let at = -1;
  for (let i = attributes.length - 1; i >= 0; i--) {
    if (attributes[i]!.kind === 'candidate') {
      at = i + 1;
      break;
    }
  }
  if (at < 0) attributes.push(end);
  else attributes.splice(at, 0, end);
  return true;
}
