/**
 * Reads and checks the transport of a description (RFC 8829 5.7 and 5.8): the ICE credentials,
 * DTLS fingerprints and setup role, candidates, BUNDLE group and data section the connection
 * uses. Errors are sentences naming the m-section, for the W3C layer's exceptions.
 */
import type {
  DescriptionType,
  ExtractTransportResult,
  Fingerprint,
  RemoteTransportParams,
} from './offer-answer-types.js';
import {
  filterAttributes,
  findAttribute,
  findGroups,
  hasAttribute,
  mediaMid,
} from './sdp-access.js';
import type { MediaDescription, SessionDescription } from './sdp-model.js';
import {
  DEFAULT_MAX_MESSAGE_SIZE,
  DEFAULT_SCTP_PORT,
  effectiveAttribute,
  effectiveAttributes,
  isDataSection,
  isRejected,
  sectionIndexByMid,
} from './section-kinds.js';
import {
  fingerprintLengthFits,
  knownFingerprintHash,
  pwdProblem,
  SUPPORTED_FINGERPRINT_HASHES,
  ufragProblem,
} from './transport-rules.js';

/**
 * Checks a parsed description and reads its transport. With no section in use (no m-lines,
 * or all rejected) the credentials are '' and there are no fingerprints.
 */
export function extractTransportParams(
  sdp: SessionDescription,
  type: DescriptionType,
): ExtractTransportResult {
  const error = checkMids(sdp) ?? checkBundleGroups(sdp) ?? checkSections(sdp, type);
  if (error !== undefined) return { ok: false, error };
  return { ok: true, params: readParams(sdp, type) };
}

/**
 * The index of the section whose transport the connection uses: the first section in use of
 * the data section's BUNDLE group (the tagged one, RFC 8843), else the data section, else the
 * first section in use of the first BUNDLE group or of the description. -1 when none is.
 */
export function transportSectionIndex(sdp: SessionDescription): number {
  const dataIndex = sdp.media.findIndex((m) => isDataSection(m) && !isRejected(m));
  if (dataIndex >= 0) {
    const mid = mediaMid(sdp.media[dataIndex]!);
    const group = findGroups(sdp, 'BUNDLE').find((g) => mid !== undefined && g.mids.includes(mid));
    return group === undefined ? dataIndex : firstInUse(sdp, group.mids);
  }
  const first = findGroups(sdp, 'BUNDLE')[0];
  const bundled = first === undefined ? -1 : firstInUse(sdp, first.mids);
  return bundled >= 0 ? bundled : sdp.media.findIndex((m) => !isRejected(m));
}

function firstInUse(sdp: SessionDescription, mids: readonly string[]): number {
  for (const mid of mids) {
    const index = sectionIndexByMid(sdp, mid);
    if (index >= 0 && !isRejected(sdp.media[index]!)) return index;
  }
  return -1;
}

function describe(index: number, media: MediaDescription): string {
  const mid = mediaMid(media);
  return mid === undefined
    ? `m-section ${index} (m=${media.kind})`
    : `m-section ${index} (mid ${mid})`;
}

function checkMids(sdp: SessionDescription): string | undefined {
  const seen = new Map<string, number>();
  for (let i = 0; i < sdp.media.length; i++) {
    const mid = mediaMid(sdp.media[i]!);
    if (mid === undefined) return `${describe(i, sdp.media[i]!)} has no a=mid`;
    const other = seen.get(mid);
    if (other !== undefined) return `m-sections ${other} and ${i} both have a=mid:${mid}`;
    seen.set(mid, i);
  }
  return undefined;
}

function checkBundleGroups(sdp: SessionDescription): string | undefined {
  const grouped = new Set<string>();
  for (const group of findGroups(sdp, 'BUNDLE')) {
    for (const mid of group.mids) {
      if (sectionIndexByMid(sdp, mid) < 0) {
        return `a=group:BUNDLE names mid ${mid}, which no m-section has`;
      }
      if (grouped.has(mid)) return `mid ${mid} appears twice in a=group:BUNDLE lines`;
      grouped.add(mid);
    }
  }
  return undefined;
}

/**
 * Every section in use is checked. Those that carry a transport of their own (not bundled, or
 * the first in use of their group) must have credentials and a fingerprint; the other bundled
 * ones may leave them out (RFC 8843 7.1.3), but what they do write must be valid.
 */
function checkSections(sdp: SessionDescription, type: DescriptionType): string | undefined {
  const owners = new Set<number>();
  const bundledMids = new Set<string>();
  for (const group of findGroups(sdp, 'BUNDLE')) {
    owners.add(firstInUse(sdp, group.mids));
    for (const mid of group.mids) bundledMids.add(mid);
  }
  for (let i = 0; i < sdp.media.length; i++) {
    const media = sdp.media[i]!;
    if (isRejected(media)) continue;
    const required = owners.has(i) || !bundledMids.has(mediaMid(media)!);
    const problem = sectionProblem(sdp, media, type, required);
    if (problem !== undefined) return `${describe(i, media)}: ${problem}`;
  }
  return undefined;
}

function sectionProblem(
  sdp: SessionDescription,
  media: MediaDescription,
  type: DescriptionType,
  required: boolean,
): string | undefined {
  const ufrag = effectiveAttribute(sdp, media, 'ice-ufrag');
  if (ufrag === undefined) {
    if (required) return 'no a=ice-ufrag';
  } else {
    const problem = ufragProblem(ufrag.ufrag);
    if (problem !== undefined) return `a=ice-ufrag ${problem}`;
  }
  const pwd = effectiveAttribute(sdp, media, 'ice-pwd');
  if (pwd === undefined) {
    if (required) return 'no a=ice-pwd';
  } else {
    const problem = pwdProblem(pwd.password);
    if (problem !== undefined) return `a=ice-pwd ${problem}`;
  }
  const fingerprintProblem = fingerprintsProblem(sdp, media, required);
  if (fingerprintProblem !== undefined) return fingerprintProblem;
  const setup = effectiveAttribute(sdp, media, 'setup')?.role;
  if (type !== 'offer' && setup !== undefined && setup !== 'active' && setup !== 'passive') {
    return `a=setup:${setup} is not allowed in an answer (active or passive)`;
  }
  return undefined;
}

function fingerprintsProblem(
  sdp: SessionDescription,
  media: MediaDescription,
  required: boolean,
): string | undefined {
  const all = effectiveAttributes(sdp, media, 'fingerprint');
  if (all.length === 0) return required ? 'no a=fingerprint' : undefined;
  let known = 0;
  for (const f of all) {
    const hash = knownFingerprintHash(f.algorithm);
    if (hash === undefined) continue;
    if (!fingerprintLengthFits(hash, f.value)) {
      return `a=fingerprint ${f.algorithm} value has ${(f.value.length + 1) / 3} bytes, not the hash's length`;
    }
    known++;
  }
  if (known > 0) return undefined;
  const names = all.map((f) => f.algorithm).join(', ');
  return `no a=fingerprint with a supported hash (${SUPPORTED_FINGERPRINT_HASHES.join(', ')}): got ${names}`;
}

function knownFingerprints(sdp: SessionDescription, media: MediaDescription): Fingerprint[] {
  const out: Fingerprint[] = [];
  for (const f of effectiveAttributes(sdp, media, 'fingerprint')) {
    const algorithm = knownFingerprintHash(f.algorithm);
    if (algorithm !== undefined) out.push({ algorithm, value: f.value.toUpperCase() });
  }
  return out;
}

/** The sections sharing the transport of section `index`: its BUNDLE group's, or itself. */
function transportMembers(sdp: SessionDescription, index: number): MediaDescription[] {
  const mid = mediaMid(sdp.media[index]!);
  const group = findGroups(sdp, 'BUNDLE').find((g) => mid !== undefined && g.mids.includes(mid));
  if (group === undefined) return [sdp.media[index]!];
  return group.mids.map((m) => sdp.media[sectionIndexByMid(sdp, m)]!).filter((m) => !isRejected(m));
}

function readParams(sdp: SessionDescription, type: DescriptionType): RemoteTransportParams {
  const firstBundle = findGroups(sdp, 'BUNDLE')[0];
  const params: RemoteTransportParams = {
    iceUfrag: '',
    icePwd: '',
    iceLite: hasAttribute(sdp.attributes, 'ice-lite'),
    iceOptions: [],
    fingerprints: [],
    setup: type === 'offer' ? 'actpass' : 'active',
    candidates: [],
    endOfCandidates: hasAttribute(sdp.attributes, 'end-of-candidates'),
    bundleMids: firstBundle === undefined ? [] : [...firstBundle.mids],
  };
  const index = transportSectionIndex(sdp);
  if (index >= 0) {
    const media = sdp.media[index]!;
    params.iceUfrag = effectiveAttribute(sdp, media, 'ice-ufrag')?.ufrag ?? '';
    params.icePwd = effectiveAttribute(sdp, media, 'ice-pwd')?.password ?? '';
    params.iceLite ||= hasAttribute(media.attributes, 'ice-lite');
    params.iceOptions = effectiveAttributes(sdp, media, 'ice-options').flatMap((a) => a.options);
    params.fingerprints = knownFingerprints(sdp, media);
    // RFC 4145 4: no a=setup means active; an offerer without one is taken as actpass.
    params.setup = effectiveAttribute(sdp, media, 'setup')?.role ?? params.setup;
    const candidates = new Set<string>();
    for (const member of transportMembers(sdp, index)) {
      for (const c of filterAttributes(member.attributes, 'candidate')) candidates.add(c.candidate);
      params.endOfCandidates ||= hasAttribute(member.attributes, 'end-of-candidates');
    }
    params.candidates = [...candidates];
  }
  const data = sdp.media.find(isDataSection);
  if (data !== undefined) {
    params.data = {
      mid: mediaMid(data)!,
      sctpPort: findAttribute(data.attributes, 'sctp-port')?.port ?? DEFAULT_SCTP_PORT,
      maxMessageSize:
        findAttribute(data.attributes, 'max-message-size')?.size ?? DEFAULT_MAX_MESSAGE_SIZE,
      rejected: isRejected(data),
    };
  }
  return params;
}
