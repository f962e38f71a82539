/** RTCIceTransport (W3C webrtc-pc 5.6): a view of the connection's ICE agent. */
import { defineEventHandlers, type EventHandler } from './event-handler.js';
import type { RTCIceCandidate } from './ice-candidate.js';

export type RTCIceRole = 'unknown' | 'controlling' | 'controlled';
export type RTCIceTransportState =
  | 'new'
  | 'checking'
  | 'connected'
  | 'completed'
  | 'disconnected'
  | 'failed'
  | 'closed';
export type RTCIceGathererState = 'new' | 'gathering' | 'complete';

export interface RTCIceParameters {
  usernameFragment: string;
  password: string;
}

export interface RTCIceCandidatePair {
  local: RTCIceCandidate;
  remote: RTCIceCandidate;
}

let constructing = false;

export class RTCIceTransport extends EventTarget {
  #role: RTCIceRole = 'unknown';
  #state: RTCIceTransportState = 'new';
  #gatheringState: RTCIceGathererState = 'new';
  #localCandidates: RTCIceCandidate[] = [];
  #remoteCandidates: RTCIceCandidate[] = [];
  #selectedPair: RTCIceCandidatePair | null = null;
  #localParameters: RTCIceParameters | null = null;
  #remoteParameters: RTCIceParameters | null = null;

  declare onstatechange: EventHandler<RTCIceTransport>;
  declare ongatheringstatechange: EventHandler<RTCIceTransport>;
  declare onselectedcandidatepairchange: EventHandler<RTCIceTransport>;

  constructor() {
    if (!constructing) throw new TypeError('Illegal constructor');
    super();
  }

  /** @internal */
  static create(): RTCIceTransport {
    constructing = true;
    try {
      return new RTCIceTransport();
    } finally {
      constructing = false;
    }
  }

  get role(): RTCIceRole {
    return this.#role;
  }
  /** Always RTP: WebRTC multiplexes RTCP and data on one component (rtcp-mux is required). */
  get component(): 'rtp' {
    return 'rtp';
  }
  get state(): RTCIceTransportState {
    return this.#state;
  }
  get gatheringState(): RTCIceGathererState {
    return this.#gatheringState;
  }
  getLocalCandidates(): RTCIceCandidate[] {
    return [...this.#localCandidates];
  }
  getRemoteCandidates(): RTCIceCandidate[] {
    return [...this.#remoteCandidates];
  }
  getSelectedCandidatePair(): RTCIceCandidatePair | null {
    return this.#selectedPair === null ? null : { ...this.#selectedPair };
  }
  getLocalParameters(): RTCIceParameters | null {
    return this.#localParameters === null ? null : { ...this.#localParameters };
  }
  getRemoteParameters(): RTCIceParameters | null {
    return this.#remoteParameters === null ? null : { ...this.#remoteParameters };
  }

  get [Symbol.toStringTag](): string {
    return 'RTCIceTransport';
  }

  /** @internal Setters used by the connection, in the tasks that fire the events. */
  setRole(role: RTCIceRole): void {
    this.#role = role;
  }
  /** @internal Returns true when the state changed (and the event was fired). */
  updateState(state: RTCIceTransportState, fire = true): boolean {
    if (this.#state === state) return false;
    this.#state = state;
    if (fire) this.dispatchEvent(new Event('statechange'));
    return true;
  }
  /** @internal */
  updateGatheringState(state: RTCIceGathererState): boolean {
    if (this.#gatheringState === state) return false;
    this.#gatheringState = state;
    this.dispatchEvent(new Event('gatheringstatechange'));
    return true;
  }
  /** @internal */
  addLocalCandidate(candidate: RTCIceCandidate): void {
    this.#localCandidates.push(candidate);
  }
  /** @internal */
  addRemoteCandidate(candidate: RTCIceCandidate): void {
    this.#remoteCandidates.push(candidate);
  }
  /** @internal An ICE restart starts a new generation of candidates. */
  clearCandidates(): void {
    this.#localCandidates = [];
    this.#remoteCandidates = [];
  }
  /** @internal */
  setSelectedPair(pair: RTCIceCandidatePair): void {
    this.#selectedPair = pair;
    this.dispatchEvent(new Event('selectedcandidatepairchange'));
  }
  /** @internal */
  setLocalParameters(p: RTCIceParameters): void {
    this.#localParameters = p;
  }
  /** @internal */
  setRemoteParameters(p: RTCIceParameters): void {
    this.#remoteParameters = p;
  }
}

defineEventHandlers(RTCIceTransport.prototype, [
  'statechange',
  'gatheringstatechange',
  'selectedcandidatepairchange',
]);
