/**
 * The answerer's choice for each offered m-section, one builder per media kind. A kind with no
 * builder (audio and video, until media support lands) is rejected; the media layer adds its
 * builders to ANSWER_SECTION_BUILDERS without touching the rest of createAnswer.
 */
import type { AnswerOptions } from './offer-answer-types.js';
import type { MediaDescription, SessionDescription } from './sdp-model.js';
import { buildDataSection, type SectionContext } from './section-builders.js';
import { isDataSection } from './section-kinds.js';

/** What the builders of one answer share, including what earlier sections took. */
export interface AnswerContext extends SectionContext {
  offer: SessionDescription;
  options: AnswerOptions;
  /** Set once a data section is accepted: a connection has one SCTP association. */
  dataAccepted: boolean;
}

/** The accepted section for this offered one, or undefined to reject it. */
export type AnswerSectionBuilder = (
  offered: MediaDescription,
  mid: string,
  ctx: AnswerContext,
) => MediaDescription | undefined;

const answerDataSection: AnswerSectionBuilder = (offered, mid, ctx) => {
  const data = ctx.options.data;
  if (data === undefined || ctx.dataAccepted || !isDataSection(offered)) return undefined;
  ctx.dataAccepted = true;
  return buildDataSection(
    ctx,
    { mid, sctpPort: data.sctpPort, maxMessageSize: data.maxMessageSize },
    offered.proto,
  );
};

export const ANSWER_SECTION_BUILDERS = new Map<string, AnswerSectionBuilder>([
  ['application', answerDataSection],
]);
