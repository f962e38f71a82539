/**
 * RTCPeerConnection (W3C webrtc-pc 4) for data channel connections: JSEP signalling over the
 * offer/answer code of src/jsep, and one bundled transport (ICE, DTLS, SCTP) run by PeerEngine.
 *
 * What the engine reports arrives synchronously while its driver drains the cores; it is queued
 * and handled in one macrotask per batch, so that every event reaches the page as a task, in
 * the order it happened, without a task or closure per message.
 */
import type { DataChannel, DataChannelInit } from '../datachannel/index.js';
import { randomPwd, randomUfrag } from '../ice/credentials.js';
import {
  type IceCandidate,
  parseCandidate as parseIceCandidate,
  serializeCandidate as serializeCandidateLine,
} from '../ice/index.js';
import {
  answerMismatch,
  createAnswer,
  createOffer,
  DEFAULT_SCTP_PORT,
  dtlsRoleFromSetup,
  extractTransportParams,
  findAttribute,
  iceRestartRequested,
  type LocalTransportParams,
  parseSdp,
  type RemoteTransportParams,
  randomSessionId,
  type SessionDescription,
  serializeSdp,
  transportSectionIndex,
} from '../jsep/index.js';
import { sweepArrayBuffersInPause } from '../net/index.js';
import {
  type ConnectionEngine,
  LOCAL_MAX_MESSAGE_SIZE,
  PeerEngine,
  type PeerEngineEvent,
  PMTU_MAX_SCTP_PACKET,
} from '../peer/index.js';
import { WorkerEngine } from '../peer/worker/worker-engine.js';
import { Fifo } from '../util/fifo.js';
import { withFields } from '../util/with-fields.js';
import {
  type AlgorithmIdentifier,
  certificateInternals,
  createRTCCertificate,
  generateCertificate,
  type RTCCertificate,
  type RTCCertificateExpiration,
} from './certificate.js';
import {
  configurationView,
  type RTCConfiguration,
  type ValidatedConfiguration,
  validateConfiguration,
} from './configuration.js';
import {
  deriveConnectionState,
  deriveIceConnectionState,
  type RTCIceConnectionState,
  type RTCIceGatheringState,
  type RTCPeerConnectionState,
} from './connection-state.js';
import {
  type DataChannelHost,
  RTCDataChannel,
  type RTCDataChannelInit,
  toDomError,
} from './data-channel.js';
import { defaultCertificate } from './default-certificate.js';
import { type AppliedType, DescriptionRecord } from './description-record.js';
import { domException } from './dom-exception.js';
import { RTCDtlsTransport } from './dtls-transport.js';
import { defineEventHandlers, type EventHandler } from './event-handler.js';
import {
  RTCDataChannelEvent,
  RTCPeerConnectionIceErrorEvent,
  RTCPeerConnectionIceEvent,
} from './events.js';
import { RTCIceCandidate, type RTCIceCandidateInit } from './ice-candidate.js';
import { RTCIceTransport } from './ice-transport.js';
import { OperationsChain } from './operations-chain.js';
import { RTCError } from './rtc-error.js';
import { RTCSctpTransport } from './sctp-transport.js';
import {
  isSdpType,
  type RTCSdpType,
  type RTCSessionDescription,
  type RTCSessionDescriptionInit,
} from './session-description.js';
import { nextSignalingState, type RTCSignalingState } from './signaling.js';
import { buildStatsReport } from './stats.js';
import type { RTCStatsReport } from './stats-report.js';
import { queueTask } from './task-queue.js';

export interface RTCOfferOptions {
  iceRestart?: boolean;
  /** Legacy members, accepted and ignored: there are no transceivers here. */
  offerToReceiveAudio?: boolean;
  offerToReceiveVideo?: boolean;
}
export type RTCAnswerOptions = Record<string, never>;

/** RTCPriorityType's values. */
const PRIORITIES: ReadonlySet<string> = new Set(['very-low', 'low', 'medium', 'high']);

/** The data m-section's mid when this side adds it. */
const DATA_MID = '0';

interface LocalCandidateEntry {
  ufrag: string;
  line: string;
}

type ApplySide = 'local' | 'remote';

/** A description checked and ready to apply: nothing has changed yet. */
interface CheckedDescription {
  side: ApplySide;
  type: RTCSdpType;
  text: string;
  model: SessionDescription | undefined;
  params: RemoteTransportParams | undefined;
}

export class RTCPeerConnection extends EventTarget {
  #config: ValidatedConfiguration;
  readonly #certificate: RTCCertificate;
  readonly #engine: ConnectionEngine;
  readonly #chain: OperationsChain;
  readonly #iceTransport: RTCIceTransport;
  readonly #dtlsTransport: RTCDtlsTransport;
  #sctp: RTCSctpTransport | null = null;

  #closed = false;
  #signalingState: RTCSignalingState = 'stable';
  #iceConnectionState: RTCIceConnectionState = 'new';
  #connectionState: RTCPeerConnectionState = 'new';
  #iceGatheringState: RTCIceGatheringState = 'new';
  #currentLocal: DescriptionRecord | undefined;
  #pendingLocal: DescriptionRecord | undefined;
  #currentRemote: DescriptionRecord | undefined;
  #pendingRemote: DescriptionRecord | undefined;
  #lastCreatedOffer = '';
  #lastCreatedAnswer = '';
  #negotiationNeeded = false;
  #restartPending = false;
  /**
   * New credentials for the next local description: chosen when a restart offer is created
   * (`#nextIceOurs`), or taken by the agent when the peer restarted ICE.
   */
  #nextIce: { ufrag: string; pwd: string } | undefined;
  #nextIceOurs = false;
  /** The credentials of the applied local description: the candidates surfaced are theirs. */
  #localIce: { ufrag: string; pwd: string };
  readonly #sessionId = randomSessionId();
  #sessionVersion = 0;
  #gatheringStarted = false;
  #transportStarted = false;
  #dtlsRole: 'client' | 'server' | undefined;
  #iceRoleSet = false;
  #localCandidates: LocalCandidateEntry[] = [];
  #gatheringComplete = false;
  /** Gathering of credentials no applied local description carries yet. */
  #held: PeerEngineEvent[] = [];

  readonly #channels = new Map<DataChannel, RTCDataChannel>();
  readonly #channelHost: ConnectionChannelHost;
  #anyChannelCreated = false;
  #channelsOpened = 0;
  #channelsClosed = 0;

  readonly #engineEvents = new Fifo<PeerEngineEvent>();
  #drainScheduled = false;

  declare onnegotiationneeded: EventHandler<RTCPeerConnection>;
  declare onicecandidate: EventHandler<RTCPeerConnection, RTCPeerConnectionIceEvent>;
  declare onicecandidateerror: EventHandler<RTCPeerConnection, RTCPeerConnectionIceErrorEvent>;
  declare onsignalingstatechange: EventHandler<RTCPeerConnection>;
  declare oniceconnectionstatechange: EventHandler<RTCPeerConnection>;
  declare onicegatheringstatechange: EventHandler<RTCPeerConnection>;
  declare onconnectionstatechange: EventHandler<RTCPeerConnection>;
  declare ondatachannel: EventHandler<RTCPeerConnection, RTCDataChannelEvent>;

  constructor(configuration: RTCConfiguration = {}) {
    super();
    this.#config = validateConfiguration(configuration);
    this.#certificate = this.#config.certificates[0] ?? createRTCCertificate(defaultCertificate());
    const c = this.#config;
    // Per-packet native buffers are freed fastest inside V8's pause (src/net/array-buffer-sweeping.ts).
    sweepArrayBuffersInPause();
    const Engine = c.tsrtc.worker === true ? WorkerEngine : PeerEngine;
    this.#engine = new Engine({
      iceServers: c.iceServers,
      iceTransportPolicy: c.iceTransportPolicy,
      certificate: certificateInternals(this.#certificate),
      ...(c.tsrtc.addresses !== undefined ? { addresses: c.tsrtc.addresses } : {}),
      ...(c.tsrtc.portRange !== undefined ? { portRange: c.tsrtc.portRange } : {}),
      ...(c.tsrtc.mdns !== undefined ? { mdns: c.tsrtc.mdns } : {}),
      ...(c.tsrtc.sharedPort !== undefined ? { sharedPort: c.tsrtc.sharedPort } : {}),
      ...(c.tsrtc.pathMtuDiscovery ? { cores: { sctp: { maxMtu: PMTU_MAX_SCTP_PACKET } } } : {}),
      onError: () => {
        // A socket that failed is dropped by the driver; ICE carries on with the others.
      },
    });
    this.#engine.onEvent = this.#queueEngineEvent;
    this.#localIce = { ufrag: this.#engine.localUfrag, pwd: this.#engine.localPwd };
    this.#chain = new OperationsChain({
      isClosed: () => this.#closed,
      chainEmptied: () => this.#updateNegotiationNeeded(),
    });
    this.#channelHost = new ConnectionChannelHost(this.#engine, this.#channels);
    this.#iceTransport = RTCIceTransport.create();
    this.#dtlsTransport = RTCDtlsTransport.create(this.#iceTransport);
  }

  static generateCertificate(
    keygenAlgorithm: AlgorithmIdentifier & RTCCertificateExpiration,
  ): Promise<RTCCertificate> {
    return generateCertificate(keygenAlgorithm);
  }

  // ---- Attributes ---------------------------------------------------------------------------

  get localDescription(): RTCSessionDescription | null {
    return (this.#pendingLocal ?? this.#currentLocal)?.view ?? null;
  }
  get currentLocalDescription(): RTCSessionDescription | null {
    return this.#currentLocal?.view ?? null;
  }
  get pendingLocalDescription(): RTCSessionDescription | null {
    return this.#pendingLocal?.view ?? null;
  }
  get remoteDescription(): RTCSessionDescription | null {
    return (this.#pendingRemote ?? this.#currentRemote)?.view ?? null;
  }
  get currentRemoteDescription(): RTCSessionDescription | null {
    return this.#currentRemote?.view ?? null;
  }
  get pendingRemoteDescription(): RTCSessionDescription | null {
    return this.#pendingRemote?.view ?? null;
  }
  get signalingState(): RTCSignalingState {
    return this.#signalingState;
  }
  get iceGatheringState(): RTCIceGatheringState {
    return this.#iceGatheringState;
  }
  get iceConnectionState(): RTCIceConnectionState {
    return this.#iceConnectionState;
  }
  get connectionState(): RTCPeerConnectionState {
    return this.#connectionState;
  }
  /** Null until a remote description says whether the peer trickles (a=ice-options:trickle). */
  get canTrickleIceCandidates(): boolean | null {
    const remote = this.#pendingRemote ?? this.#currentRemote;
    if (remote === undefined) return null;
    const r = extractTransportParams(remote.model, remote.type);
    return r.ok ? r.params.iceOptions.includes('trickle') : false;
  }
  get sctp(): RTCSctpTransport | null {
    return this.#sctp;
  }

  get [Symbol.toStringTag](): string {
    return 'RTCPeerConnection';
  }

  getConfiguration(): RTCConfiguration {
    return configurationView(this.#config);
  }

  setConfiguration(configuration: RTCConfiguration = {}): void {
    if (this.#closed) throw domException('InvalidStateError', 'the connection is closed');
    const localSet = this.#currentLocal !== undefined || this.#pendingLocal !== undefined;
    const next = validateConfiguration(configuration, this.#config, localSet);
    // The engine took the servers and policy when it was made; a restart is where new ones
    // would apply, and browsers too keep the gathered candidates until then.
    this.#config = next;
  }

  // ---- Offer/answer -------------------------------------------------------------------------

  createOffer(options?: RTCOfferOptions): Promise<RTCSessionDescriptionInit>;
  /** The legacy callback form. */
  createOffer(
    success: (description: RTCSessionDescriptionInit) => void,
    failure: (error: unknown) => void,
    options?: RTCOfferOptions,
  ): Promise<void>;
  createOffer(...args: unknown[]): Promise<unknown> {
    if (typeof args[0] === 'function') {
      return legacy(this.#createOffer(args[2] as RTCOfferOptions | undefined), args);
    }
    return this.#createOffer(args[0] as RTCOfferOptions | undefined);
  }

  #createOffer(options: RTCOfferOptions | undefined): Promise<RTCSessionDescriptionInit> {
    return this.#chain.chain(async () => {
      this.#throwIfClosed();
      const iceRestart = options?.iceRestart === true;
      return { type: 'offer', sdp: this.#buildOffer(iceRestart) };
    });
  }

  createAnswer(options?: RTCAnswerOptions): Promise<RTCSessionDescriptionInit>;
  /** The legacy callback form. */
  createAnswer(
    success: (description: RTCSessionDescriptionInit) => void,
    failure: (error: unknown) => void,
  ): Promise<void>;
  createAnswer(...args: unknown[]): Promise<unknown> {
    if (typeof args[0] === 'function') return legacy(this.#createAnswer(), args);
    return this.#createAnswer();
  }

  #createAnswer(): Promise<RTCSessionDescriptionInit> {
    return this.#chain.chain(async () => {
      this.#throwIfClosed();
      const s = this.#signalingState;
      if (s !== 'have-remote-offer' && s !== 'have-local-pranswer') {
        throw domException('InvalidStateError', `createAnswer() in signaling state ${s}`);
      }
      return { type: 'answer', sdp: this.#buildAnswer() };
    });
  }

  setLocalDescription(
    description?: RTCSessionDescriptionInit | null,
    ...legacyCallbacks: [success?: () => void, failure?: (error: unknown) => void]
  ): Promise<void> {
    if (typeof legacyCallbacks[0] === 'function') {
      return legacy(this.setLocalDescription(description), legacyCallbacks, 0);
    }
    const init = description ?? {};
    if (typeof init !== 'object') {
      return Promise.reject(new TypeError('setLocalDescription takes a description'));
    }
    if (init.type !== undefined && !isSdpType(init.type)) {
      return Promise.reject(new TypeError(`invalid RTCSdpType: ${String(init.type)}`));
    }
    const type = init.type;
    const sdp = init.sdp === undefined || init.sdp === null ? '' : String(init.sdp);
    return this.#chain.chain(async () => {
      this.#throwIfClosed();
      let t: RTCSdpType;
      let text = sdp;
      if (type === undefined) {
        const s = this.#signalingState;
        t =
          s === 'stable' || s === 'have-local-offer' || s === 'have-remote-pranswer'
            ? 'offer'
            : 'answer';
      } else {
        t = type;
      }
      if (t === 'offer' || t === 'answer' || t === 'pranswer') {
        if (text === '') {
          // The implicit form: create what this state calls for (also when only type is given).
          if (t === 'offer') {
            text = this.#buildOffer(false);
          } else {
            this.#checkState('local', t);
            text = this.#buildAnswer();
          }
        } else if (text !== (t === 'offer' ? this.#lastCreatedOffer : this.#lastCreatedAnswer)) {
          throw domException(
            'InvalidModificationError',
            `the ${t} is not the last one created by create${t === 'offer' ? 'Offer' : 'Answer'}()`,
          );
        }
      }
      const checked = this.#check('local', t, text);
      await this.#apply(checked);
    });
  }

  setRemoteDescription(
    description: RTCSessionDescriptionInit,
    ...legacyCallbacks: [success?: () => void, failure?: (error: unknown) => void]
  ): Promise<void> {
    if (typeof legacyCallbacks[0] === 'function') {
      return legacy(this.setRemoteDescription(description), legacyCallbacks, 0);
    }
    if (typeof description !== 'object' || description === null) {
      return Promise.reject(new TypeError('setRemoteDescription takes a description'));
    }
    if (!isSdpType(description.type)) {
      return Promise.reject(new TypeError(`invalid RTCSdpType: ${String(description.type)}`));
    }
    const type = description.type;
    const text =
      description.sdp === undefined || description.sdp === null ? '' : String(description.sdp);
    return this.#chain.chain(async () => {
      this.#throwIfClosed();
      if (type === 'offer' && this.#signalingState === 'have-local-offer') {
        // Glare: the spec rolls the local offer back first, then applies the remote one. The
        // remote offer is checked before anything changes.
        const checked = this.#check('remote', type, text, 'have-remote-offer');
        await this.#apply(this.#check('local', 'rollback', ''));
        await this.#apply(checked);
        return;
      }
      await this.#apply(this.#check('remote', type, text));
    });
  }

  addIceCandidate(
    candidate?: RTCIceCandidateInit | RTCIceCandidate | null,
    ...legacyCallbacks: [success?: () => void, failure?: (error: unknown) => void]
  ): Promise<void> {
    if (typeof legacyCallbacks[0] === 'function') {
      return legacy(this.addIceCandidate(candidate), legacyCallbacks, 0);
    }
    const init = normaliseCandidateInit(candidate);
    if (init instanceof Error) return Promise.reject(init);
    return this.#chain.chain(async () => {
      this.#throwIfClosed();
      const remote = this.#pendingRemote ?? this.#currentRemote;
      if (remote === undefined) {
        throw domException('InvalidStateError', 'addIceCandidate() before a remote description');
      }
      this.#addRemoteCandidate(remote, init);
    });
  }

  restartIce(): void {
    if (this.#closed) return;
    this.#restartPending = true;
    this.#updateNegotiationNeeded();
  }

  createDataChannel(
    ...args: [label: string, dataChannelDict?: RTCDataChannelInit]
  ): RTCDataChannel {
    if ((args as unknown[]).length === 0) throw new TypeError('createDataChannel needs a label');
    const [label, init = {}] = args;
    if (this.#closed) throw domException('InvalidStateError', 'the connection is closed');
    if (init === null || (typeof init !== 'object' && init !== undefined)) {
      throw new TypeError('RTCDataChannelInit must be an object');
    }
    const labelText = String(label);
    const o = init ?? {};
    const ordered = o.ordered === undefined ? true : Boolean(o.ordered);
    const maxPacketLifeTime = optionalUnsignedShort(o.maxPacketLifeTime, 'maxPacketLifeTime');
    const maxRetransmits = optionalUnsignedShort(o.maxRetransmits, 'maxRetransmits');
    const protocol = o.protocol === undefined ? '' : String(o.protocol);
    const negotiated = o.negotiated === undefined ? false : Boolean(o.negotiated);
    const id = optionalUnsignedShort(o.id, 'id');
    if (utf8Length(labelText) > 65535) throw new TypeError('label is longer than 65535 bytes');
    if (utf8Length(protocol) > 65535) throw new TypeError('protocol is longer than 65535 bytes');
    if (negotiated && id === undefined) {
      throw new TypeError('a negotiated data channel needs an id');
    }
    if (maxPacketLifeTime !== undefined && maxRetransmits !== undefined) {
      throw new TypeError('maxPacketLifeTime and maxRetransmits cannot both be set');
    }
    if (negotiated && id === 65535) throw new TypeError('id 65535 is not a valid stream id');
    if (o.priority !== undefined && !PRIORITIES.has(o.priority)) {
      throw new TypeError(`invalid priority: ${String(o.priority)}`);
    }
    const channelInit: DataChannelInit = { protocol, ordered, negotiated };
    if (maxRetransmits !== undefined) channelInit.maxRetransmits = maxRetransmits;
    if (maxPacketLifeTime !== undefined) channelInit.maxPacketLifeTime = maxPacketLifeTime;
    if (negotiated && id !== undefined) channelInit.id = id;
    if (o.priority !== undefined) channelInit.priority = o.priority;
    let channel: DataChannel;
    try {
      channel = this.#engine.createDataChannel(labelText, channelInit);
    } catch (e) {
      throw toDomError(e);
    }
    const dc = RTCDataChannel.create(channel, this.#channelHost, 'connecting');
    this.#channels.set(channel, dc);
    if (!this.#anyChannelCreated) {
      this.#anyChannelCreated = true;
      this.#updateNegotiationNeeded();
    }
    return dc;
  }

  async getStats(selector?: unknown): Promise<RTCStatsReport> {
    if (selector !== undefined && selector !== null) {
      throw domException('InvalidAccessError', 'stats selectors need media tracks');
    }
    const stats = await this.#engine.stats();
    return buildStatsReport({
      engine: stats,
      channels: [...this.#channels.values()],
      channelsOpened: this.#channelsOpened,
      channelsClosed: this.#channelsClosed,
      localCertificate: certificateInternals(this.#certificate).der,
      remoteCertificates: this.#engine.remoteCertificates,
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#channelHost.isClosed = true;
    this.#signalingState = 'closed';
    for (const dc of this.#channels.values()) dc.abort();
    this.#channels.clear();
    this.#engineEvents.clear();
    this.#engine.close();
    this.#sctp?.updateState('closed', undefined, false);
    this.#dtlsTransport.updateState('closed', undefined, false);
    this.#iceTransport.updateState('closed', false);
    this.#iceConnectionState = 'closed';
    this.#connectionState = 'closed';
  }

  // ---- Internals: descriptions --------------------------------------------------------------

  #throwIfClosed(): void {
    if (this.#closed) throw domException('InvalidStateError', 'the connection is closed');
  }

  #localTransport(): LocalTransportParams {
    const fresh = this.#nextIce !== undefined;
    const ice = this.#nextIce ?? this.#localIce;
    // New credentials have no candidates yet: they trickle once the description is applied.
    const candidates = fresh
      ? []
      : this.#localCandidates.filter((c) => c.ufrag === ice.ufrag).map((c) => c.line);
    return {
      iceUfrag: ice.ufrag,
      icePwd: ice.pwd,
      iceOptions: ['trickle'],
      fingerprints: this.#engine.localFingerprints,
      candidates,
      endOfCandidates: !fresh && this.#gatheringComplete,
    };
  }

  #buildOffer(iceRestartOption: boolean): string {
    const iceRestart = iceRestartOption || this.#restartPending;
    if (iceRestart && this.#currentLocal !== undefined) {
      // New credentials for this offer; they take effect when it is applied.
      if (this.#nextIce === undefined || !this.#nextIceOurs) {
        this.#nextIce = { ufrag: randomUfrag(), pwd: randomPwd() };
        this.#nextIceOurs = true;
      }
    } else if (this.#nextIceOurs) {
      this.#nextIce = undefined;
      this.#nextIceOurs = false;
    }
    const previous = this.#currentLocal?.model ?? this.#currentRemote?.model;
    const wantsData =
      this.#anyChannelCreated ||
      hasData(this.#currentLocal?.model) ||
      hasData(this.#currentRemote?.model);
    const model = createOffer({
      sessionId: this.#sessionId,
      sessionVersion: this.#sessionVersion++,
      transport: this.#localTransport(),
      setup: 'actpass',
      ...(wantsData
        ? {
            data: {
              mid: DATA_MID,
              sctpPort: DEFAULT_SCTP_PORT,
              maxMessageSize: LOCAL_MAX_MESSAGE_SIZE,
            },
          }
        : {}),
      ...(previous !== undefined ? { previous } : {}),
      ...(this.#nextIce !== undefined ? { iceRestart: true } : {}),
    });
    const sdp = serializeSdp(model);
    this.#lastCreatedOffer = sdp;
    return sdp;
  }

  #buildAnswer(): string {
    const remote = this.#pendingRemote;
    if (remote === undefined) throw domException('InvalidStateError', 'no remote offer');
    const model = createAnswer({
      sessionId: this.#sessionId,
      sessionVersion: this.#sessionVersion++,
      transport: this.#localTransport(),
      offer: remote.model,
      setup: this.#dtlsRole === 'server' ? 'passive' : 'active',
      data: { sctpPort: DEFAULT_SCTP_PORT, maxMessageSize: LOCAL_MAX_MESSAGE_SIZE },
    });
    const sdp = serializeSdp(model);
    this.#lastCreatedAnswer = sdp;
    return sdp;
  }

  #checkState(side: ApplySide, type: RTCSdpType, from = this.#signalingState): RTCSignalingState {
    const next = nextSignalingState(from, side, type);
    if (next === undefined) {
      throw domException(
        'InvalidStateError',
        `cannot set a ${side} ${type} in signaling state ${from}`,
      );
    }
    return next;
  }

  /** Every check of "set the session description" that can fail, before anything changes. */
  #check(
    side: ApplySide,
    type: RTCSdpType,
    text: string,
    from?: RTCSignalingState,
  ): CheckedDescription {
    this.#checkState(side, type, from);
    if (type === 'rollback') {
      return { side, type, text: '', model: undefined, params: undefined };
    }
    const parsed = parseSdp(text);
    if (!parsed.ok) {
      throw new RTCError(
        { errorDetail: 'sdp-syntax-error', sdpLineNumber: parsed.line },
        `invalid SDP: ${parsed.error}`,
      );
    }
    const extracted = extractTransportParams(parsed.sdp, type);
    if (!extracted.ok) throw domException('InvalidAccessError', extracted.error);
    const params = extracted.params;
    if (type === 'answer' || type === 'pranswer') {
      const offer = side === 'remote' ? this.#pendingLocal : this.#pendingRemote;
      if (offer !== undefined) {
        const mismatch = answerMismatch(offer.model, parsed.sdp);
        if (mismatch !== undefined) throw domException('InvalidAccessError', mismatch);
      }
    }
    if (side === 'remote' && transportSectionIndex(parsed.sdp) >= 0) {
      if (params.fingerprints.length === 0) {
        throw domException('InvalidAccessError', 'the description has no usable a=fingerprint');
      }
      if (
        this.#dtlsRole !== undefined &&
        (type === 'answer' || type === 'pranswer') &&
        params.setup !== 'active' &&
        params.setup !== 'passive'
      ) {
        throw domException('InvalidAccessError', `a=setup:${params.setup} in an answer`);
      }
    }
    return { side, type, text, model: parsed.sdp, params };
  }

  /**
   * Applies a checked description in a task of its own, as the spec's "set the session
   * description" does: the state changes, the events fire, then the promise resolves.
   */
  #apply(d: CheckedDescription): Promise<void> {
    return new Promise((resolve, reject) => {
      queueTask(() => {
        if (this.#closed) return;
        try {
          this.#applyNow(d);
          resolve();
        } catch (e) {
          reject(e);
        }
      });
    });
  }

  #applyNow(d: CheckedDescription): void {
    const before = this.#signalingState;
    const next = this.#checkState(d.side, d.type);
    if (d.type === 'rollback') {
      if (d.side === 'local') {
        this.#pendingLocal = undefined;
      } else {
        this.#pendingRemote = undefined;
      }
    } else {
      const record = new DescriptionRecord(d.type as AppliedType, d.model!, d.text);
      const final = d.type === 'answer';
      if (d.side === 'local') this.#applyLocal(record, d.type, final);
      else this.#applyRemote(record, d.params!, d.type, final);
    }
    this.#signalingState = next;
    if (next !== before) this.dispatchEvent(new Event('signalingstatechange'));
    if (next === 'stable') {
      this.#updateNegotiationNeeded();
    }
  }

  #applyLocal(record: DescriptionRecord, type: RTCSdpType, final: boolean): void {
    const next = this.#nextIce;
    const index = record.transportIndex;
    if (next !== undefined && index >= 0 && record.ufragOf(index) === next.ufrag) {
      // An ICE restart: ours gathers anew now; the peer's already has, with these credentials.
      if (this.#nextIceOurs) this.#engine.restartIce(next.ufrag, next.pwd);
      this.#nextIce = undefined;
      this.#nextIceOurs = false;
      this.#localIce = next;
      this.#gatheringComplete = false;
      this.#localCandidates = [];
      this.#iceTransport.clearCandidates();
    }
    if (type === 'offer') this.#restartPending = false;
    if (final) {
      this.#currentLocal = record;
      this.#pendingLocal = undefined;
      if (this.#pendingRemote !== undefined) this.#currentRemote = this.#pendingRemote;
      this.#pendingRemote = undefined;
    } else {
      this.#pendingLocal = record;
    }
    this.#iceTransport.setLocalParameters({
      usernameFragment: this.#localIce.ufrag,
      password: this.#localIce.pwd,
    });
    if (index >= 0) {
      // Candidates gathered before this description are part of it already; later ones trickle.
      this.#startGathering();
      this.#releaseHeld();
    }
    if (type === 'answer' || type === 'pranswer') {
      const remote = this.#currentRemote ?? this.#pendingRemote;
      this.#startTransports(record, remote);
    }
  }

  #applyRemote(
    record: DescriptionRecord,
    params: RemoteTransportParams,
    type: RTCSdpType,
    final: boolean,
  ): void {
    const previous = this.#currentRemote;
    if (type === 'offer' && !this.#iceRoleSet && this.#currentLocal === undefined) {
      this.#iceRoleSet = true;
      this.#engine.setIceRole('controlled');
      this.#iceTransport.setRole('controlled');
    }
    if (final) {
      this.#currentRemote = record;
      this.#pendingRemote = undefined;
      if (this.#pendingLocal !== undefined) this.#currentLocal = this.#pendingLocal;
      this.#pendingLocal = undefined;
    } else {
      this.#pendingRemote = record;
    }
    const index = record.transportIndex;
    if (index < 0 || params.iceUfrag === '') return;
    const restart = iceRestartRequested(previous?.model, record.model);
    if (restart) this.#iceTransport.clearCandidates();
    if (restart && type === 'offer') {
      // The peer restarted ICE: a new generation with new local credentials, which the answer
      // carries; the remote credentials below then belong to it.
      this.#nextIce = this.#engine.restartIce();
      this.#nextIceOurs = false;
    }
    this.#engine.setRemoteIce(params.iceUfrag, params.icePwd);
    this.#iceTransport.setRemoteParameters({
      usernameFragment: params.iceUfrag,
      password: params.icePwd,
    });
    const mid = record.mids()[index] ?? null;
    for (const line of params.candidates) {
      const parsed = parseCandidateLine(line);
      if (parsed === undefined) continue;
      this.#engine.addRemoteCandidate(parsed);
      this.#iceTransport.addRemoteCandidate(
        new RTCIceCandidate({
          candidate: line,
          sdpMid: mid,
          sdpMLineIndex: index,
          usernameFragment: params.iceUfrag,
        }),
      );
    }
    if (params.endOfCandidates) this.#engine.endOfRemoteCandidates();
    if (params.data !== undefined && !params.data.rejected) {
      this.#setRemoteMaxMessageSize(params.data.maxMessageSize);
    }
    if (type === 'answer' || type === 'pranswer') {
      this.#startTransports(this.#currentLocal ?? this.#pendingLocal, record);
    }
  }

  /** Once both sides' descriptions are known: DTLS (and SCTP when data was negotiated). */
  #startTransports(
    local: DescriptionRecord | undefined,
    remote: DescriptionRecord | undefined,
  ): void {
    if (local === undefined || remote === undefined) return;
    const li = local.transportIndex;
    const ri = remote.transportIndex;
    if (li < 0 || ri < 0) return;
    const rp = extractTransportParams(remote.model, remote.type);
    if (!rp.ok) return;
    const localSetup = findAttribute(local.model.media[li]!.attributes, 'setup')?.role ?? 'actpass';
    const dataLocal = local.model.media.find(
      (m) => m.kind === 'application' && m.port !== 0 && m.formats.includes('webrtc-datachannel'),
    );
    const data = rp.params.data;
    const sctp =
      dataLocal !== undefined && data !== undefined && !data.rejected
        ? {
            localPort: findAttribute(dataLocal.attributes, 'sctp-port')?.port ?? DEFAULT_SCTP_PORT,
            remotePort: data.sctpPort,
            remoteMaxMessageSize: data.maxMessageSize,
          }
        : undefined;
    if (!this.#transportStarted) {
      const role = dtlsRoleFromSetup(localSetup, rp.params.setup) ?? 'client';
      this.#dtlsRole = role;
      this.#transportStarted = true;
      if (!this.#iceRoleSet) {
        this.#iceRoleSet = true;
        this.#iceTransport.setRole(this.#engine.iceRoleInUse);
      }
      this.#engine.startTransport({
        dtlsRole: role,
        remoteFingerprints: rp.params.fingerprints,
        ...(sctp !== undefined ? { sctp } : {}),
      });
    } else if (sctp !== undefined) {
      this.#engine.startSctp(sctp);
    }
    if (sctp === undefined) return;
    const size = maxMessageSizeOf(sctp.remoteMaxMessageSize);
    this.#sctp ??= RTCSctpTransport.create(this.#dtlsTransport, size);
    this.#setRemoteMaxMessageSize(sctp.remoteMaxMessageSize);
  }

  /** The peer's a=max-message-size: the limit of RTCSctpTransport and of RTCDataChannel.send. */
  #setRemoteMaxMessageSize(remote: number): void {
    const size = maxMessageSizeOf(remote);
    this.#sctp?.setMaxMessageSize(size);
    this.#channelHost.maxMessageSize = size;
  }

  #startGathering(): void {
    if (this.#gatheringStarted) return;
    this.#gatheringStarted = true;
    this.#engine.startGathering().catch((err: unknown) => {
      if (this.#closed) return;
      // No socket could be bound: gathering ends with nothing, and ICE cannot succeed.
      const text = err instanceof Error ? err.message : String(err);
      this.#queueEngineEvent({
        type: 'candidate-error',
        address: '',
        port: 0,
        url: '',
        errorCode: 701,
        errorText: text,
      });
      this.#queueEngineEvent({ type: 'gathering-state', state: 'complete' });
    });
  }

  #addRemoteCandidate(remote: DescriptionRecord, init: NormalisedCandidate): void {
    const model = remote.model;
    let index: number;
    if (init.sdpMid !== null) {
      index = remote.mids().indexOf(init.sdpMid);
      if (index < 0) throw domException('OperationError', `no m-section has mid ${init.sdpMid}`);
    } else if (init.sdpMLineIndex !== null) {
      index = init.sdpMLineIndex;
      if (index >= model.media.length) {
        throw domException(
          'OperationError',
          `sdpMLineIndex ${index} is not one of the ${model.media.length} m-sections`,
        );
      }
    } else {
      index = -1;
    }
    if (init.usernameFragment !== null) {
      const ufrags = remote.model.media.map((_, i) => remote.ufragOf(i));
      if (!ufrags.includes(init.usernameFragment)) {
        throw domException(
          'OperationError',
          `usernameFragment ${init.usernameFragment} is not the remote description's`,
        );
      }
    }
    if (init.candidate === '') {
      // End of candidates: for one section, or all of them.
      remote.addEndOfCandidates(index < 0 ? undefined : index);
      this.#engine.endOfRemoteCandidates();
      return;
    }
    const parsed = parseCandidateLine(init.candidate);
    if (parsed === undefined) {
      throw domException('OperationError', `invalid candidate: ${init.candidate}`);
    }
    const transportIndex = remote.transportIndex;
    if (index !== transportIndex) {
      // A bundled section: the candidate is the transport's. Browsers accept it.
      if (index < 0) index = transportIndex;
    }
    const line = init.candidate.startsWith('a=') ? init.candidate.slice(2) : init.candidate;
    remote.addCandidate(index, line);
    if (init.usernameFragment !== null && parsed.ufrag === undefined) {
      parsed.ufrag = init.usernameFragment;
    }
    this.#engine.addRemoteCandidate(parsed);
    this.#iceTransport.addRemoteCandidate(
      new RTCIceCandidate({
        candidate: line,
        sdpMid: remote.mids()[index] ?? null,
        sdpMLineIndex: index,
        usernameFragment: init.usernameFragment ?? remote.ufragOf(index) ?? null,
      }),
    );
  }

  // ---- Negotiation-needed -------------------------------------------------------------------

  #isNegotiationNeeded(): boolean {
    if (this.#restartPending) return true;
    if (this.#anyChannelCreated && !hasData(this.#currentLocal?.model)) return true;
    return false;
  }

  /** "Update the negotiation-needed flag". */
  #updateNegotiationNeeded(): void {
    if (this.#closed) return;
    if (this.#chain.length !== 0) {
      this.#chain.updateNegotiationNeededOnEmpty = true;
      return;
    }
    queueTask(() => {
      if (this.#closed) return;
      if (this.#chain.length !== 0) {
        this.#chain.updateNegotiationNeededOnEmpty = true;
        return;
      }
      if (this.#signalingState !== 'stable') return;
      if (!this.#isNegotiationNeeded()) {
        this.#negotiationNeeded = false;
        return;
      }
      if (this.#negotiationNeeded) return;
      this.#negotiationNeeded = true;
      this.dispatchEvent(new Event('negotiationneeded'));
    });
  }

  // ---- Internals: engine events -------------------------------------------------------------

  readonly #queueEngineEvent = (e: PeerEngineEvent): void => {
    this.#engineEvents.push(e);
    if (!this.#drainScheduled) {
      this.#drainScheduled = true;
      queueTask(this.#drainEngineEvents);
    }
  };

  readonly #drainEngineEvents = (): void => {
    this.#drainScheduled = false;
    const events = this.#engineEvents;
    // Those queued so far: the ones a listener causes come in a task of their own. The queue is
    // kept, not replaced, so that a busy connection does not make an array per task.
    for (let n = events.length; n > 0; n--) {
      if (this.#closed) return;
      const e = events.shift()!;
      try {
        this.#handleEngineEvent(e);
      } catch (err) {
        // A listener threw: report it as browsers do, and go on with the next event.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  };

  #handleEngineEvent(e: PeerEngineEvent): void {
    switch (e.type) {
      case 'message':
      case 'open':
      case 'bufferedamountlow':
      case 'closing':
      case 'error':
      case 'close': {
        const dc = this.#channels.get(e.channel);
        if (dc === undefined) return;
        if (e.type === 'open') this.#channelsOpened++;
        else if (e.type === 'close' && (dc.readyState === 'open' || dc.readyState === 'closing')) {
          this.#channelsClosed++;
        }
        dc.dispatchChannelEvent(e);
        return;
      }
      case 'datachannel': {
        const dc = RTCDataChannel.create(e.channel, this.#channelHost, 'open');
        this.#channels.set(e.channel, dc);
        this.dispatchEvent(new RTCDataChannelEvent('datachannel', { channel: dc }));
        return;
      }
      case 'local-candidate':
        this.#onLocalCandidate(e.candidate);
        return;
      case 'gathering-state':
        this.#onGatheringState(e.state);
        return;
      case 'candidate-error':
        this.dispatchEvent(
          new RTCPeerConnectionIceErrorEvent('icecandidateerror', {
            address: e.address === '' ? null : e.address,
            port: e.port === 0 ? null : e.port,
            url: e.url,
            errorCode: e.errorCode,
            errorText: e.errorText,
          }),
        );
        return;
      case 'ice-state':
        this.#updateStates(this.#iceTransport.updateState(e.state, false));
        return;
      case 'selected-pair': {
        const local = this.#pendingLocal ?? this.#currentLocal;
        const index = local?.transportIndex ?? 0;
        const mid = local?.mids()[index] ?? DATA_MID;
        this.#iceTransport.setSelectedPair({
          local: candidateObject(e.local, mid, index),
          remote: candidateObject(e.remote, mid, index),
        });
        return;
      }
      case 'dtls-state':
        if (e.state === 'connected') {
          this.#dtlsTransport.setRemoteCertificates(this.#engine.remoteCertificates);
        }
        this.#dtlsTransport.updateState(e.state, e.error);
        this.#updateStates(false);
        return;
      case 'sctp-state': {
        const sctp = this.#sctp;
        if (sctp === null) return;
        sctp.updateState(e.state, this.#engine.sctpMaxChannels);
        return;
      }
    }
  }

  /** The connection's aggregate states, with their events in the spec's order. */
  #updateStates(iceChanged: boolean): void {
    const ice = this.#iceTransport.state;
    const iceState = deriveIceConnectionState(this.#closed, ice);
    const connState = deriveConnectionState(this.#closed, ice, this.#dtlsTransport.state);
    const iceStateChanged = iceState !== this.#iceConnectionState;
    const connChanged = connState !== this.#connectionState;
    this.#iceConnectionState = iceState;
    this.#connectionState = connState;
    if (iceChanged) this.#iceTransport.dispatchEvent(new Event('statechange'));
    if (iceStateChanged) this.dispatchEvent(new Event('iceconnectionstatechange'));
    if (connChanged) this.dispatchEvent(new Event('connectionstatechange'));
  }

  #onLocalCandidate(c: IceCandidate): void {
    const ufrag = c.ufrag ?? this.#localIce.ufrag;
    if (ufrag !== this.#localIce.ufrag) {
      // A candidate of credentials not yet in an applied local description.
      if (this.#held.length < 256)
        this.#held.push({ type: 'local-candidate', candidate: c, sdp: '' });
      return;
    }
    this.#surfaceCandidate(c);
  }

  /** After a local description with new credentials: what was gathered for them surfaces. */
  #releaseHeld(): void {
    if (this.#held.length === 0) return;
    const held = this.#held;
    this.#held = [];
    queueTask(() => {
      if (this.#closed) return;
      for (const e of held) {
        // Candidates of credentials that were never applied are stale: dropped.
        if (e.type === 'local-candidate' && e.candidate.ufrag !== this.#localIce.ufrag) continue;
        this.#handleEngineEvent(e);
      }
    });
  }

  /** "Surface the candidate": into the local description, then the icecandidate event. */
  #surfaceCandidate(c: IceCandidate): void {
    const withUfrag = c.ufrag === undefined ? withFields(c, { ufrag: this.#localIce.ufrag }) : c;
    const line = serializeCandidateLine(withUfrag);
    if (this.#localCandidates.some((e) => e.line === line)) return;
    this.#localCandidates.push({ ufrag: this.#localIce.ufrag, line });
    const record = this.#pendingLocal ?? this.#currentLocal;
    const index = record?.transportIndex ?? 0;
    const mid = record?.mids()[index] ?? DATA_MID;
    if (record !== undefined && index >= 0) record.addCandidate(index, line);
    const candidate = new RTCIceCandidate({
      candidate: line,
      sdpMid: mid,
      sdpMLineIndex: index,
      usernameFragment: this.#localIce.ufrag,
    });
    this.#iceTransport.addLocalCandidate(candidate);
    this.dispatchEvent(new RTCPeerConnectionIceEvent('icecandidate', { candidate }));
  }

  #onGatheringState(state: RTCIceGatheringState): void {
    if (state === 'complete') {
      if (this.#held.length > 0 || this.#engine.localUfrag !== this.#localIce.ufrag) {
        this.#held.push({ type: 'gathering-state', state });
        return;
      }
      if (this.#gatheringComplete && this.#iceGatheringState === 'complete') return;
      this.#gatheringComplete = true;
      const record = this.#pendingLocal ?? this.#currentLocal;
      const index = record?.transportIndex ?? 0;
      const mid = record?.mids()[index] ?? DATA_MID;
      if (record !== undefined && index >= 0) record.addEndOfCandidates(index);
      // The end-of-candidates indication for the transport, then the state, then null.
      this.dispatchEvent(
        new RTCPeerConnectionIceEvent('icecandidate', {
          candidate: new RTCIceCandidate({
            candidate: '',
            sdpMid: mid,
            sdpMLineIndex: index,
            usernameFragment: this.#localIce.ufrag,
          }),
        }),
      );
      this.#iceTransport.updateGatheringState('complete');
      this.#iceGatheringState = 'complete';
      this.dispatchEvent(new Event('icegatheringstatechange'));
      this.dispatchEvent(new RTCPeerConnectionIceEvent('icecandidate', { candidate: null }));
      return;
    }
    if (state === 'gathering') this.#gatheringComplete = false;
    this.#iceTransport.updateGatheringState(state);
    if (this.#iceGatheringState !== state) {
      this.#iceGatheringState = state;
      this.dispatchEvent(new Event('icegatheringstatechange'));
    }
  }
}

defineEventHandlers(RTCPeerConnection.prototype, [
  'negotiationneeded',
  'icecandidate',
  'icecandidateerror',
  'signalingstatechange',
  'iceconnectionstatechange',
  'icegatheringstatechange',
  'connectionstatechange',
  'datachannel',
]);

// ---- Conversions and small utilities ---------------------------------------------------------

/**
 * What a connection's data channels need from it, kept up to date by the connection. An
 * instance of one class with plain fields, read on every send and event: the same shape for
 * every connection, unlike an object literal of closures and getters made per connection.
 */
class ConnectionChannelHost implements DataChannelHost {
  isClosed = false;
  maxMessageSize = maxMessageSizeOf(65536);

  constructor(
    private readonly engine: ConnectionEngine,
    private readonly channels: Map<DataChannel, RTCDataChannel>,
  ) {}

  sendOnChannel(channel: DataChannel, data: string | Uint8Array): void {
    this.engine.send(channel, data);
  }

  closeChannel(channel: DataChannel): void {
    this.engine.closeChannel(channel);
  }

  channelClosed(channel: DataChannel): void {
    this.channels.delete(channel);
  }
}

/** Callback forms of the legacy API: success and failure callbacks instead of the promise. */
function legacy<T>(p: Promise<T>, args: unknown[], start = 0): Promise<void> {
  const success = args[start] as ((v: T) => void) | undefined;
  const failure = args[start + 1] as ((e: unknown) => void) | undefined;
  return p.then(
    (v) => {
      if (typeof success === 'function') success(v);
    },
    (e: unknown) => {
      if (typeof failure === 'function') failure(e);
    },
  );
}

function hasData(sdp: SessionDescription | undefined): boolean {
  if (sdp === undefined) return false;
  return sdp.media.some(
    (m) => m.kind === 'application' && m.port !== 0 && m.formats.includes('webrtc-datachannel'),
  );
}

function maxMessageSizeOf(remote: number): number {
  return remote === 0 ? Number.POSITIVE_INFINITY : remote;
}

function utf8Length(s: string): number {
  if (s.length * 3 <= 65535) return s.length;
  return Buffer.byteLength(s, 'utf8');
}

/** WebIDL [EnforceRange] unsigned short, undefined for a missing (or null) member. */
function optionalUnsignedShort(value: unknown, what: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new TypeError(`${what} is not a finite number`);
  const t = Math.trunc(n);
  if (t < 0 || t > 65535) throw new TypeError(`${what} is out of range: ${n}`);
  return t;
}

interface NormalisedCandidate {
  candidate: string;
  sdpMid: string | null;
  sdpMLineIndex: number | null;
  usernameFragment: string | null;
}

function normaliseCandidateInit(
  value: RTCIceCandidateInit | RTCIceCandidate | null | undefined,
): NormalisedCandidate | Error {
  if (value === undefined || value === null) {
    return { candidate: '', sdpMid: null, sdpMLineIndex: null, usernameFragment: null };
  }
  if (typeof value !== 'object')
    return new TypeError('addIceCandidate takes an RTCIceCandidateInit');
  const candidate = value.candidate === undefined ? '' : String(value.candidate);
  const sdpMid = value.sdpMid === undefined || value.sdpMid === null ? null : String(value.sdpMid);
  let sdpMLineIndex: number | null = null;
  if (value.sdpMLineIndex !== undefined && value.sdpMLineIndex !== null) {
    const n = Math.trunc(Number(value.sdpMLineIndex));
    sdpMLineIndex = Number.isFinite(n) ? ((n % 65536) + 65536) % 65536 : 0;
  }
  const usernameFragment =
    value.usernameFragment === undefined || value.usernameFragment === null
      ? null
      : String(value.usernameFragment);
  if (candidate !== '' && sdpMid === null && sdpMLineIndex === null) {
    return new TypeError('the candidate has neither sdpMid nor sdpMLineIndex');
  }
  return { candidate, sdpMid, sdpMLineIndex, usernameFragment };
}

function parseCandidateLine(line: string): IceCandidate | undefined {
  const r = parseIceCandidate(line);
  return r.ok ? r.candidate : undefined;
}

function candidateObject(c: IceCandidate, mid: string, index: number): RTCIceCandidate {
  return new RTCIceCandidate({
    candidate: serializeCandidateLine(c),
    sdpMid: mid,
    sdpMLineIndex: index,
    usernameFragment: c.ufrag ?? null,
  });
}
