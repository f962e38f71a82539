/**
 * A description the connection has applied, kept as its SDP model so that candidates gathered
 * or added later appear in localDescription/remoteDescription, as the spec requires.
 */
import {
  addCandidateToDescription,
  addEndOfCandidates,
  findAttribute,
  findGroups,
  mediaMid,
  type SessionDescription,
  serializeSdp,
} from '../jsep/index.js';
import { RTCSessionDescription } from './session-description.js';

export type AppliedType = 'offer' | 'answer' | 'pranswer';

export class DescriptionRecord {
  readonly type: AppliedType;
  readonly model: SessionDescription;
  /**
   * The text, serialised again only when read after a change: a connection gathers and
   * receives candidates one by one, and each changes the description.
   */
  #text: string | undefined;
  #view: RTCSessionDescription | undefined;
  #transportIndex: number | undefined;

  constructor(type: AppliedType, model: SessionDescription, text: string) {
    this.type = type;
    this.model = model;
    this.#text = text;
  }

  get sdp(): string {
    this.#text ??= serializeSdp(this.model);
    return this.#text;
  }

  /** The W3C object; the same one until the description changes. */
  get view(): RTCSessionDescription {
    if (this.#view === undefined) {
      this.#view = new RTCSessionDescription({ type: this.type, sdp: this.sdp });
    }
    return this.#view;
  }

  /** The index of the section whose transport is in use (BUNDLE tag), or -1. */
  get transportIndex(): number {
    this.#transportIndex ??= transportIndexOf(this.model);
    return this.#transportIndex;
  }

  /** The mids of the sections, in order (undefined where a section has none). */
  mids(): (string | undefined)[] {
    return this.model.media.map(mediaMid);
  }

  /** The ice-ufrag that applies to a section (its own, else the session's). */
  ufragOf(index: number): string | undefined {
    const media = this.model.media[index];
    if (media === undefined) return undefined;
    return (
      findAttribute(media.attributes, 'ice-ufrag')?.ufrag ??
      findAttribute(this.model.attributes, 'ice-ufrag')?.ufrag
    );
  }

  /** Adds a=candidate to a section unless it is there already; false when nothing changed. */
  addCandidate(index: number, candidate: string): boolean {
    const edit = addCandidateToDescription(this.model, candidate, { sdpMLineIndex: index });
    if (!edit.ok || !edit.added) return false;
    this.#changed();
    return true;
  }

  /** Adds a=end-of-candidates to a section (every section in use when index is undefined). */
  addEndOfCandidates(index?: number): void {
    const edit = addEndOfCandidates(
      this.model,
      index === undefined ? {} : { sdpMLineIndex: index },
    );
    if (edit.ok && edit.added) this.#changed();
  }

  #changed(): void {
    this.#text = undefined;
    this.#view = undefined;
    this.#transportIndex = undefined;
  }
}

/** The first section in use of the first BUNDLE group, else the first section in use. */
function transportIndexOf(sdp: SessionDescription): number {
  const group = findGroups(sdp, 'BUNDLE')[0];
  if (group !== undefined) {
    for (const mid of group.mids) {
      const index = sdp.media.findIndex((m) => mediaMid(m) === mid);
      if (index >= 0 && sdp.media[index]!.port !== 0) return index;
    }
  }
  return sdp.media.findIndex((m) => m.port !== 0);
}
