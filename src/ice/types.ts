/** The ICE agent's public types. */
import type { Address } from '../stun/index.js';
import type { IceCandidate } from './candidate.js';

export type IceRole = 'controlling' | 'controlled';

export type IceTransportState =
  | 'new'
  | 'checking'
  | 'connected'
  | 'completed'
  | 'failed'
  | 'disconnected'
  | 'closed';

export type IceGatheringState = 'new' | 'gathering' | 'complete';

export interface IceTransmit {
  /** The socket (base) to send from. */
  local: Address;
  remote: Address;
  data: Uint8Array;
}

export type IceEvent =
  | { type: 'local-candidate'; candidate: IceCandidate }
  | { type: 'gathering-state'; state: IceGatheringState }
  | { type: 'state'; state: IceTransportState }
  | { type: 'selected-pair'; local: IceCandidate; remote: IceCandidate }
  /**
   * The first valid pair, before any is selected: send() already works, on the best valid
   * pair (RFC 8445 12.1), so a transport above may start its handshake a round trip sooner.
   */
  | { type: 'writable' }
  | { type: 'data'; data: Uint8Array; local: Address; remote: Address }
  | { type: 'mdns-query'; hostname: string }
  | { type: 'mdns-register'; hostname: string; address: string }
  | IceCandidateErrorEvent;

/** A STUN server that gave no mapped address (W3C icecandidateerror; 701 when unreachable). */
export interface IceCandidateErrorEvent {
  type: 'candidate-error';
  address: string;
  port: number;
  url: string;
  errorCode: number;
  errorText: string;
}

export interface IceAgentOptions {
  role: IceRole;
  now: number;
  /** Generated (ice-chars, 8 long) when absent. */
  localUfrag?: string;
  /** Generated (ice-chars, 24 long) when absent. */
  localPwd?: string;
  /** Random 64-bit when absent. */
  tieBreaker?: bigint;
  /** STUN servers for server-reflexive gathering, already resolved by the driver. */
  stunServers?: Address[];
  /** Hide host addresses behind random "<uuid>.local" names (as browsers do). */
  mdnsHostnames?: boolean;
  /** Default 1. */
  component?: number;

  /** Pacing interval Ta between new STUN transactions (RFC 8445 14.2). Default 50 ms. */
  ta?: number;
  /** Initial retransmission timeout of a connectivity check. Default 500 ms. */
  checkRto?: number;
  /**
   * Sends of one check before its pair fails (RFC 8489 Rc). Default 5: sends at 0, 0.5, 1.5,
   * 3.5 and 7.5 s, then `checkRm` RTOs of waiting.
   */
  checkRc?: number;
  /** Default 2: a check that is never answered fails its pair 8.5 s after it started. */
  checkRm?: number;
  /** Controlling: nominate the best valid pair at the latest this long after the first. */
  nominationTimeout?: number;
  /** Controlling: put USE-CANDIDATE on every check (aggressive nomination, RFC 5245). */
  aggressiveNomination?: boolean;
  /** Mean consent-check interval (RFC 7675), randomized in [0.8, 1.2]. Default 5000 ms. */
  consentInterval?: number;
  /** 'disconnected' after this long with a consent request unanswered. Default 3000 ms. */
  disconnectedTimeout?: number;
  /** 'failed' after this long without consent (RFC 7675). Default 30000 ms. */
  consentTimeout?: number;
  /**
   * Without end-of-candidates: 'failed' once nothing has been left to check for this long
   * after the PAC timer expired. Default 30000 ms.
   */
  failedTimeout?: number;
  /**
   * With end-of-candidates, 'failed' comes no earlier than this long after the first check
   * (the PAC timer of RFC 8863). Default 39500 ms.
   */
  pacTimeout?: number;
  /** STUN server (srflx) request: sends before giving up. Default 4 (4.5 s with rm 2). */
  gatherRc?: number;
  /** A PRNG in [0, 1) for the consent-interval jitter; Math.random when absent. */
  random?: () => number;
}
