/**
 * Offer/answer (RFC 8829 5.2 and 5.3): builds this side's offers and answers as models that
 * serializeSdp() writes. Sections are built by kind (section-builders.ts, answer-sections.ts);
 * this file decides their order, their mids and the BUNDLE group.
 */
import { ANSWER_SECTION_BUILDERS, type AnswerContext } from './answer-sections.js';
import { answerSetup } from './dtls-setup.js';
import type { AnswerOptions, OfferOptions } from './offer-answer-types.js';
import { findAttribute, findGroups, hasAttribute, mediaMid } from './sdp-access.js';
import type { MediaDescription, SessionDescription } from './sdp-model.js';
import {
  buildDataSection,
  buildRejectedSection,
  type SectionContext,
  sourceMid,
} from './section-builders.js';
import { effectiveAttribute, isDataSection, isRejected } from './section-kinds.js';
import { buildSession } from './session-builder.js';
import { transportSectionIndex } from './transport-params.js';

export { iceRestartRequested } from './ice-restart.js';
export type {
  AnswerOptions,
  DataSectionParams,
  DescriptionType,
  ExtractTransportResult,
  Fingerprint,
  LocalTransportParams,
  OfferOptions,
  RemoteTransportParams,
} from './offer-answer-types.js';
export { extractTransportParams } from './transport-params.js';

interface BuiltSection {
  media: MediaDescription;
  mid: string;
  accepted: boolean;
}

/**
 * An offer. With `previous`, its sections come first, in order and with their mids; the data
 * section takes the place of the previous one, and any other previous section (audio/video,
 * or a data section no longer wanted) is offered again as rejected. A new data section goes
 * last, with `data.mid` unless that mid is taken.
 */
export function createOffer(o: OfferOptions): SessionDescription {
  const ctx: SectionContext = {
    transport: o.transport,
    setup: o.setup,
    withCandidates: o.iceRestart !== true,
  };
  const sections: BuiltSection[] = [];
  const usedMids = new Set<string>();
  let dataPlaced = false;
  o.previous?.media.forEach((source, index) => {
    const mid = sourceMid(source, index);
    usedMids.add(mid);
    if (o.data !== undefined && !dataPlaced && isDataSection(source) && !isRejected(source)) {
      dataPlaced = true;
      const media = buildDataSection(ctx, { ...o.data, mid }, source.proto);
      sections.push({ media, mid, accepted: true });
    } else {
      sections.push({ media: buildRejectedSection(ctx, source, mid), mid, accepted: false });
    }
  });
  if (o.data !== undefined && !dataPlaced) {
    const mid = usedMids.has(o.data.mid) ? unusedMid(usedMids) : o.data.mid;
    sections.push({ media: buildDataSection(ctx, { ...o.data, mid }), mid, accepted: true });
  }
  return buildSession({
    sessionId: o.sessionId,
    sessionVersion: o.sessionVersion,
    bundleGroups: [sections.filter((s) => s.accepted).map((s) => s.mid)],
    extmapAllowMixed: true,
    media: sections.map((s) => s.media),
  });
}

/**
 * An answer: one section per offered section, same order and mids. Sections offered with
 * port 0 and kinds with no builder are rejected (port 0, inactive) and left out of BUNDLE.
 */
export function createAnswer(o: AnswerOptions): SessionDescription {
  const offer = o.offer;
  const transportIndex = transportSectionIndex(offer);
  const offeredSetup =
    transportIndex < 0
      ? undefined
      : effectiveAttribute(offer, offer.media[transportIndex]!, 'setup')?.role;
  const ctx: AnswerContext = {
    transport: o.transport,
    setup: answerSetup(offeredSetup, o.setup),
    withCandidates: true,
    offer,
    options: o,
    dataAccepted: false,
  };
  const accepted = new Set<string>();
  const media = offer.media.map((offered, index) => {
    const mid = sourceMid(offered, index);
    const built = isRejected(offered)
      ? undefined
      : ANSWER_SECTION_BUILDERS.get(offered.kind)?.(offered, mid, ctx);
    if (built === undefined) return buildRejectedSection(ctx, offered, mid);
    accepted.add(mid);
    return built;
  });
  return buildSession({
    sessionId: o.sessionId,
    sessionVersion: o.sessionVersion,
    bundleGroups: findGroups(offer, 'BUNDLE').map((g) => g.mids.filter((m) => accepted.has(m))),
    // RFC 8285 6: the answerer may only include it when offered.
    extmapAllowMixed: hasAttribute(offer.attributes, 'extmap-allow-mixed'),
    media,
  });
}

/** The smallest non-negative integer, as text, that no section uses as its mid. */
function unusedMid(used: ReadonlySet<string>): string {
  let n = 0;
  while (used.has(String(n))) n++;
  return String(n);
}

/**
 * Why an answer does not fit its offer, or undefined when it does: RFC 3264 6 and RFC 8829
 * 5.8 want the same m-sections, in the same order, of the same kinds, with the same mids.
 */
export function answerMismatch(
  offer: SessionDescription,
  answer: SessionDescription,
): string | undefined {
  if (offer.media.length !== answer.media.length) {
    return `the answer has ${answer.media.length} m-sections, the offer ${offer.media.length}`;
  }
  for (let i = 0; i < offer.media.length; i++) {
    const o = offer.media[i]!;
    const a = answer.media[i]!;
    if (o.kind !== a.kind)
      return `m-section ${i} is m=${o.kind} in the offer, m=${a.kind} in the answer`;
    const offerMid = mediaMid(o);
    const answerMid = findAttribute(a.attributes, 'mid')?.mid;
    if (offerMid !== answerMid) {
      return `m-section ${i} has mid ${String(offerMid)} in the offer, ${String(answerMid)} in the answer`;
    }
  }
  return undefined;
}
