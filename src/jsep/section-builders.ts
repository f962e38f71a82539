/**
 * Builds the m-sections of local descriptions, one builder per kind of section. Every section
 * this side accepts carries the whole transport (RFC 8829 5.2.1: browsers repeat the ICE and
 * DTLS attributes in each bundled section), laid out as Chrome writes it.
 */
import type { DataSectionParams, LocalTransportParams } from './offer-answer-types.js';
import { findAttribute } from './sdp-access.js';
import type { MediaDescription, SdpAttribute, SetupRole } from './sdp-model.js';

/** What every section of one local description shares. */
export interface SectionContext {
  transport: LocalTransportParams;
  setup: SetupRole;
  /** False in an ICE restart offer: the old candidates do not go with the new credentials. */
  withCandidates: boolean;
}

const NO_ADDRESS = { netType: 'IN', addrType: 'IP4', address: '0.0.0.0' } as const;
/** RFC 8829 5.2.1: the m= port before any candidate is chosen as default ("discard"). */
const DUMMY_PORT = 9;

function candidateAttributes(ctx: SectionContext): SdpAttribute[] {
  if (!ctx.withCandidates) return [];
  const out: SdpAttribute[] = ctx.transport.candidates.map((candidate) => ({
    kind: 'candidate',
    candidate,
  }));
  if (ctx.transport.endOfCandidates) out.push({ kind: 'end-of-candidates' });
  return out;
}

/** a=ice-ufrag, a=ice-pwd, a=ice-options, a=fingerprint..., a=setup */
function iceAndDtlsAttributes(ctx: SectionContext): SdpAttribute[] {
  const t = ctx.transport;
  const out: SdpAttribute[] = [
    { kind: 'ice-ufrag', ufrag: t.iceUfrag },
    { kind: 'ice-pwd', password: t.icePwd },
  ];
  if (t.iceOptions.length > 0) out.push({ kind: 'ice-options', options: [...t.iceOptions] });
  for (const f of t.fingerprints) {
    out.push({ kind: 'fingerprint', algorithm: f.algorithm, value: f.value });
  }
  out.push({ kind: 'setup', role: ctx.setup });
  return out;
}

/** m=application 9 <proto> webrtc-datachannel with this side's SCTP port and message size. */
export function buildDataSection(
  ctx: SectionContext,
  data: DataSectionParams,
  proto = 'UDP/DTLS/SCTP',
): MediaDescription {
  return {
    kind: 'application',
    port: DUMMY_PORT,
    proto,
    formats: ['webrtc-datachannel'],
    connections: [{ ...NO_ADDRESS }],
    bandwidths: [],
    attributes: [
      ...candidateAttributes(ctx),
      ...iceAndDtlsAttributes(ctx),
      { kind: 'mid', mid: data.mid },
      { kind: 'sctp-port', port: data.sctpPort },
      { kind: 'max-message-size', size: data.maxMessageSize },
    ],
  };
}

/**
 * A section this side does not take: port 0 with the source's kind, proto and first format
 * (RFC 3264 6 wants one), the same mid, and inactive for RTP kinds. The transport attributes
 * stay, without candidates, for parsers that want them in every section.
 */
export function buildRejectedSection(
  ctx: SectionContext,
  source: MediaDescription,
  mid: string,
): MediaDescription {
  const format = source.formats[0];
  const attributes: SdpAttribute[] = [...iceAndDtlsAttributes(ctx), { kind: 'mid', mid }];
  if (source.kind !== 'application') attributes.push({ kind: 'direction', direction: 'inactive' });
  if (format !== undefined) {
    const rtpmap = source.attributes.find(
      (a) => a.kind === 'rtpmap' && String(a.payloadType) === format,
    );
    if (rtpmap !== undefined) attributes.push({ ...rtpmap });
  }
  return {
    kind: source.kind,
    port: 0,
    proto: source.proto,
    formats: format === undefined ? [] : [format],
    connections: [{ ...NO_ADDRESS }],
    bandwidths: [],
    attributes,
  };
}

/** The mid of a source section, or its index as text when it has none (pre-JSEP peers). */
export function sourceMid(source: MediaDescription, index: number): string {
  return findAttribute(source.attributes, 'mid')?.mid ?? String(index);
}
