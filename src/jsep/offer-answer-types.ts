/** The inputs and outputs of offer/answer (RFC 8829): what the W3C layer passes in and reads out. */
import type { SessionDescription, SetupRole } from './sdp-model.js';

export interface Fingerprint {
  /** Hash name as in SDP, e.g. "sha-256". */
  algorithm: string;
  /** Upper-case hex pairs joined by ":", e.g. "AB:CD:...". */
  value: string;
}

/** This side's transport, written into every bundled section. */
export interface LocalTransportParams {
  iceUfrag: string;
  icePwd: string;
  /** e.g. ['trickle']; no a=ice-options line when empty. */
  iceOptions: string[];
  fingerprints: Fingerprint[];
  /** "candidate:..." strings gathered so far. */
  candidates: string[];
  endOfCandidates: boolean;
}

/** The data channel m-section of an offer. */
export interface DataSectionParams {
  mid: string;
  sctpPort: number;
  maxMessageSize: number;
}

export interface OfferOptions {
  /** Decimal digits for o=; see randomSessionId(). */
  sessionId: string;
  sessionVersion: number;
  transport: LocalTransportParams;
  setup: 'actpass';
  /** Present once a data channel exists (and for every later offer of the connection). */
  data?: DataSectionParams;
  /**
   * The current local or remote description. Its m-sections keep their order and mids
   * (RFC 8829 5.2.2); sections this side cannot fill are offered again as rejected.
   */
  previous?: SessionDescription;
  /**
   * An ICE restart offer: `transport` carries the new credentials. The candidates of the old
   * credentials must not be offered with the new ones, and the new generation has not been
   * gathered yet, so no candidate or end-of-candidates lines are written (they trickle).
   */
  iceRestart?: boolean;
}

export interface AnswerOptions {
  sessionId: string;
  sessionVersion: number;
  transport: LocalTransportParams;
  offer: SessionDescription;
  /**
   * The role to take when the offer says actpass: 'active' (DTLS client) as browsers do. On a
   * re-offer pass the role this side already has, so the DTLS association is kept (RFC 8842
   * 5.5). An offer of active or passive gets the opposite role whatever this says.
   */
  setup: 'active' | 'passive';
  /** Accept the offered data section with these; without it the data section is rejected. */
  data?: { sctpPort: number; maxMessageSize: number };
}

/** The transport of a description as read by extractTransportParams(). */
export interface RemoteTransportParams {
  iceUfrag: string;
  icePwd: string;
  iceLite: boolean;
  iceOptions: string[];
  /** Only fingerprints with a hash this stack knows (RFC 8122: others are ignored). */
  fingerprints: Fingerprint[];
  setup: SetupRole;
  /** "candidate:..." strings of the transport's sections, without duplicates. */
  candidates: string[];
  endOfCandidates: boolean;
  /** The first BUNDLE group's mids, in order ([] when there is none). */
  bundleMids: string[];
  data?: {
    mid: string;
    sctpPort: number;
    /** 65536 when absent (RFC 8841); 0 means the peer sets no limit. */
    maxMessageSize: number;
    rejected: boolean;
  };
}

export type ExtractTransportResult =
  | { ok: true; params: RemoteTransportParams }
  | { ok: false; error: string };

export type DescriptionType = 'offer' | 'answer' | 'pranswer';
