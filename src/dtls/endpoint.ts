/**
 * A DTLS 1.2 endpoint (RFC 6347) as a sans-IO state machine: datagrams and the time go in,
 * datagrams and events come out. The record layer and flight machinery live here; what each
 * handshake message means for the client and the server lives in client-handshake.ts and
 * server-handshake.ts.
 */
import { createHash, type KeyObject, timingSafeEqual } from 'node:crypto';
import { Fifo } from '../util/fifo.js';
import { concatBytes } from './byte-reader.js';
import { type DtlsCertificate, fingerprintMatches } from './certificate.js';
import { type CipherSuiteInfo, SUPPORTED_CIPHER_SUITES } from './cipher-suites.js';
import { createClientHandshake } from './client-handshake.js';
import {
  AlertDescription,
  AlertLevel,
  ContentType,
  DTLS_1_2,
  HandshakeType,
  RECORD_HEADER_LENGTH,
} from './constants.js';
import { CookieMaker } from './cookie.js';
import { type FlightItem, packFlight, type RecordSealer } from './flight.js';
import {
  decodeError,
  type HandshakeContext,
  HandshakeFailure,
  type HandshakeLogic,
  type HandshakeSecrets,
  type ServerInitial,
} from './handshake-context.js';
import {
  FragmentResult,
  type HandshakeMessage,
  HandshakeReassembler,
} from './handshake-reassembler.js';
import { decodeCertificate, encodeHandshakeFragment } from './messages.js';
import { peerPublicKey } from './peer-key.js';
import {
  exportKeyingMaterial as exportFromMaster,
  extendedMasterSecret,
  keyBlock,
  verifyData,
} from './prf.js';
import { newRecordHeader, plainRecord, type RecordHeader, readRecord } from './record.js';
import { RecordProtection } from './record-protection.js';
import { ReplayWindow } from './replay-window.js';
import { createServerHandshake } from './server-handshake.js';
import {
  DEFAULT_SRTP_PROFILES,
  type DtlsEvent,
  type DtlsOptions,
  type DtlsRole,
  type DtlsState,
  SRTP_PROFILE_IDS,
  type SrtpProfile,
} from './types.js';

/** Records of the next epoch kept while its ChangeCipherSpec is still missing. */
const MAX_EARLY_RECORDS = 16;
const MAX_PLAINTEXT = 16384;
const RESERVED_EXPORTER_LABELS = [
  'client finished',
  'server finished',
  'master secret',
  'extended master secret',
  'key expansion',
];

export class DtlsEndpoint {
  readonly role: DtlsRole;
  readonly certificate: DtlsCertificate;
  private readonly suites: readonly CipherSuiteInfo[];
  private readonly srtpOffer: readonly number[];
  private readonly secrets: HandshakeSecrets = {};
  /** What the client/server handshake logic may use of this endpoint. */
  private readonly ctx: HandshakeContext;

  private _state: DtlsState = 'new';
  private _remoteCertificate?: Uint8Array;
  private _srtpProfile?: SrtpProfile;
  private readonly transmits = new Fifo<Uint8Array>();
  private readonly events = new Fifo<DtlsEvent>();

  private readonly mtu: number;
  private readonly remoteFingerprints?: { algorithm: string; value: string }[];
  private readonly initialRetransmit: number;
  private readonly maxRetransmit: number;
  private readonly handshakeTimeout: number;
  private readonly cookies?: CookieMaker;

  // Record layer.
  private writeEpoch = 0;
  private readonly writeSeq = [0, 0];
  private readEpoch = 0;
  private readonly replay = [new ReplayWindow(), new ReplayWindow()];
  private protection?: RecordProtection;
  private readonly header: RecordHeader = newRecordHeader();
  private earlyRecords: Uint8Array[] = [];
  private earlyAppData: Uint8Array[] = [];
  private readonly sealer: RecordSealer;

  // Handshake.
  private readonly reassembler = new HandshakeReassembler();
  private sendMessageSeq = 0;
  private transcriptParts: Uint8Array[] = [];
  private flight: FlightItem[] = [];
  private flightIsFinal = false;
  private retransmitAt?: number;
  private retransmitInterval: number;
  private lastFlightSentAt = Number.NEGATIVE_INFINITY;
  private handshakeDeadline?: number;
  private peerRetransmitted = false;
  private closeSent = false;
  private logic?: HandshakeLogic;
  private now: number;

  constructor(opts: DtlsOptions) {
    this.role = opts.role;
    this.certificate = opts.certificate;
    this.now = opts.now;
    this.mtu = Math.max(200, opts.mtu ?? 1200);
    this.remoteFingerprints = opts.remoteFingerprints;
    this.suites = SUPPORTED_CIPHER_SUITES.filter(
      (s) => opts.cipherSuites === undefined || opts.cipherSuites.includes(s.id),
    );
    this.srtpOffer = (opts.srtpProfiles ?? DEFAULT_SRTP_PROFILES).map((p) => SRTP_PROFILE_IDS[p]);
    this.initialRetransmit = opts.initialRetransmitTimeout ?? 50;
    this.maxRetransmit = opts.maxRetransmitTimeout ?? 60_000;
    this.handshakeTimeout = opts.handshakeTimeout ?? 30_000;
    this.retransmitInterval = this.initialRetransmit;
    if (this.role === 'server' && opts.cookieExchange !== false) {
      this.cookies = new CookieMaker(opts.cookieSecret);
    }
    this.sealer = {
      overhead: (epoch) =>
        epoch === 0 || this.protection === undefined
          ? RECORD_HEADER_LENGTH
          : this.protection.overhead,
      seal: (type, epoch, payload) => this.sealRecord(type, epoch, payload),
    };
    this.ctx = {
      role: this.role,
      certificate: this.certificate,
      suites: this.suites,
      srtpOffer: this.srtpOffer,
      secrets: this.secrets,
      cookies: this.cookies,
      message: (type, body, epoch) => this.message(type, body, epoch),
      received: (m) => this.received(m),
      transcript: () => this.transcript(),
      sendFlight: (items, final) => this.sendFlight(items, final),
      acceptPeerCertificate: (body) => this.acceptPeerCertificate(body),
      deriveKeys: (pms) => this.deriveKeys(pms),
      finishedVerifyData: (label) => this.finishedVerifyData(label),
      setSrtpProfile: (id) => this.setSrtpProfile(id),
      peerChangedCipher: () => this.readEpoch === 1,
      changeWriteCipher: () => this.changeWriteCipher(),
      adoptClientHello: (seq, recordSeq, msg) => this.adoptClientHello(seq, recordSeq, msg),
      resetTranscript: () => this.resetTranscript(),
      sendPlainRecord: (type, version, seq, body) => this.sendPlainRecord(type, version, seq, body),
      checkFinished: (label, received) => this.checkFinished(label, received),
      connected: () => this.connected(),
    };
  }

  get state(): DtlsState {
    return this._state;
  }

  /** The peer's leaf certificate (DER) once received. */
  get remoteCertificate(): Uint8Array | undefined {
    return this._remoteCertificate;
  }

  get srtpProfile(): SrtpProfile | undefined {
    return this._srtpProfile;
  }

  get cipherSuite(): number | undefined {
    return this._state === 'new' ? undefined : this.secrets.suite?.id;
  }

  /** The client sends its ClientHello; the server waits for one. */
  start(now: number): void {
    if (this._state !== 'new') return;
    this.now = now;
    this._state = 'connecting';
    this.guard(() => {
      this.logic = this.createLogic();
      if (this.role === 'client') {
        this.handshakeDeadline = now + this.handshakeTimeout;
        this.logic.start?.();
      }
    });
  }

  /** One UDP datagram, which may hold several records. */
  handleDatagram(data: Uint8Array, now: number): void {
    if (this._state === 'closed' || this._state === 'failed') return;
    if (this._state === 'new') {
      // A server may hear the ClientHello before its owner calls start().
      if (this.role === 'client') return;
      this.start(now);
    }
    this.now = now;
    // Inline rather than through guard(): this runs per datagram and should not allocate a closure.
    try {
      this.peerRetransmitted = false;
      let offset = 0;
      while (offset < data.length && this.isLive()) {
        offset = readRecord(data, offset, this.header);
        if (offset < 0) break;
        this.handleRecord(data, this.header);
      }
      if (this.peerRetransmitted) this.answerRetransmission();
    } catch (e) {
      this.internalError(e);
    }
  }

  handleTimeout(now: number): void {
    if (this._state !== 'connecting') return;
    this.now = now;
    this.guard(() => {
      if (this.handshakeDeadline !== undefined && now >= this.handshakeDeadline) {
        this.fail(undefined, 'handshake timeout');
        return;
      }
      if (this.retransmitAt !== undefined && now >= this.retransmitAt) {
        this.retransmitInterval = Math.min(this.retransmitInterval * 2, this.maxRetransmit);
        this.transmitFlight();
        this.retransmitAt = now + this.retransmitInterval;
      }
    });
  }

  nextTimeout(): number | undefined {
    if (this._state !== 'connecting') return undefined;
    const a = this.retransmitAt;
    const b = this.handshakeDeadline;
    if (a === undefined) return b;
    if (b === undefined) return a;
    return Math.min(a, b);
  }

  pollTransmit(): Uint8Array | undefined {
    return this.transmits.shift();
  }

  pollEvent(): DtlsEvent | undefined {
    return this.events.shift();
  }

  /** Sends one application-data record. */
  send(data: Uint8Array): void {
    if (this._state !== 'connected') {
      throw new Error(`InvalidStateError: DTLS is ${this._state}, not connected`);
    }
    if (data.length > MAX_PLAINTEXT) {
      throw new RangeError(`a DTLS record carries at most ${MAX_PLAINTEXT} bytes`);
    }
    this.transmits.push(this.sealRecord(ContentType.applicationData, 1, data));
  }

  /** Sends close_notify and closes. */
  close(now: number): void {
    if (this._state === 'closed' || this._state === 'failed') return;
    this.now = now;
    if (this._state !== 'new') this.sendCloseNotify();
    this.setClosed();
  }

  /** RFC 5705 keying material exporter (e.g. "EXTRACTOR-dtls_srtp", RFC 5764 4.2). */
  exportKeyingMaterial(label: string, length: number, context?: Uint8Array): Uint8Array {
    const s = this.secrets;
    if (this._state !== 'connected' || !s.masterSecret || !s.suite) {
      throw new Error('InvalidStateError: keying material exists only once DTLS is connected');
    }
    if (RESERVED_EXPORTER_LABELS.includes(label)) {
      throw new TypeError(`exporter label "${label}" is reserved`);
    }
    if (!Number.isInteger(length) || length < 0 || length > 0xffff) {
      throw new RangeError('exporter length out of range');
    }
    return exportFromMaster(
      s.suite.hash,
      s.masterSecret,
      s.clientRandom!,
      s.serverRandom!,
      label,
      length,
      context,
    );
  }

  // ---- for the handshake logic, through ctx -------------------------------------------------------------------

  private message(type: number, body: Uint8Array, epoch = 0): FlightItem {
    const messageSeq = this.sendMessageSeq++;
    this.transcriptParts.push(encodeHandshakeFragment(type, messageSeq, body, 0, body.length));
    return { kind: 'handshake', epoch, type, messageSeq, body };
  }

  private received(m: HandshakeMessage): void {
    this.transcriptParts.push(
      encodeHandshakeFragment(m.type, m.messageSeq, m.body, 0, m.body.length),
    );
  }

  private transcript(): Uint8Array {
    return concatBytes(...this.transcriptParts);
  }

  private sendFlight(items: FlightItem[], final: boolean): void {
    this.flight = items;
    this.flightIsFinal = final;
    this.retransmitInterval = this.initialRetransmit;
    this.transmitFlight();
    this.retransmitAt = final ? undefined : this.now + this.retransmitInterval;
  }

  private acceptPeerCertificate(body: Uint8Array): KeyObject | HandshakeFailure {
    const certs = decodeCertificate(body);
    if (certs === undefined) return decodeError('Certificate');
    const leaf = certs[0];
    if (leaf === undefined) {
      return new HandshakeFailure(AlertDescription.handshakeFailure, 'peer sent no certificate');
    }
    this._remoteCertificate = leaf.slice();
    const fps = this.remoteFingerprints;
    if (fps !== undefined && !fps.some((f) => fingerprintMatches(leaf, f.algorithm, f.value))) {
      return new HandshakeFailure(
        AlertDescription.badCertificate,
        'peer certificate does not match the remote fingerprint',
      );
    }
    try {
      return peerPublicKey(leaf);
    } catch {
      return new HandshakeFailure(AlertDescription.badCertificate, 'unparsable peer certificate');
    }
  }

  private deriveKeys(preMasterSecret: Uint8Array): void {
    const s = this.secrets;
    const suite = s.suite!;
    const sessionHash = createHash(suite.hash).update(this.transcript()).digest();
    s.masterSecret = extendedMasterSecret(suite.hash, preMasterSecret, sessionHash);
    const kb = keyBlock(
      suite.hash,
      s.masterSecret,
      s.clientRandom!,
      s.serverRandom!,
      suite.keyLength,
      suite.fixedIvLength,
    );
    this.protection =
      this.role === 'client'
        ? new RecordProtection(suite, kb.clientKey, kb.clientIv, kb.serverKey, kb.serverIv)
        : new RecordProtection(suite, kb.serverKey, kb.serverIv, kb.clientKey, kb.clientIv);
  }

  private finishedVerifyData(label: 'client finished' | 'server finished'): Uint8Array {
    const s = this.secrets;
    return verifyData(s.suite!.hash, s.masterSecret!, label, this.transcript());
  }

  private setSrtpProfile(id: number | undefined): void {
    this._srtpProfile = undefined;
    for (const [name, value] of Object.entries(SRTP_PROFILE_IDS)) {
      if (value === id) this._srtpProfile = name as SrtpProfile;
    }
  }

  private connected(): void {
    this._state = 'connected';
    this.retransmitAt = undefined;
    this.handshakeDeadline = undefined;
    this.events.push({ type: 'connected' });
    const early = this.earlyAppData;
    this.earlyAppData = [];
    for (const d of early) this.events.push({ type: 'data', data: d });
  }

  /** Starts the write epoch 1 once our ChangeCipherSpec is in a flight. */
  private changeWriteCipher(): void {
    this.writeEpoch = 1;
  }

  /** The server accepts a ClientHello statelessly: numbering continues from it. */
  private adoptClientHello(messageSeq: number, recordSeq: number, fullMessage: Uint8Array): void {
    this.reassembler.resetTo(messageSeq + 1);
    this.sendMessageSeq = messageSeq;
    this.writeSeq[0] = Math.max(this.writeSeq[0]!, recordSeq);
    this.transcriptParts = [fullMessage];
    this.handshakeDeadline ??= this.now + this.handshakeTimeout;
  }

  /** The client restarts its transcript with the ClientHello that carries the cookie. */
  private resetTranscript(): void {
    this.transcriptParts = [];
  }

  /** A record sent outside any flight (HelloVerifyRequest): plaintext, chosen sequence number. */
  private sendPlainRecord(
    type: number,
    version: number,
    recordSeq: number,
    body: Uint8Array,
  ): void {
    this.transmits.push(plainRecord(type, version, 0, recordSeq, body));
  }

  private checkFinished(
    label: 'client finished' | 'server finished',
    received: Uint8Array,
  ): boolean {
    const expected = this.finishedVerifyData(label);
    return received.length === expected.length && timingSafeEqual(expected, received);
  }

  // ---- internals ----------------------------------------------------------------------------

  private createLogic(): HandshakeLogic {
    return this.role === 'client'
      ? createClientHandshake(this.ctx)
      : createServerHandshake(this.ctx);
  }

  private isLive(): boolean {
    return this._state === 'connecting' || this._state === 'connected';
  }

  /** Runs a step so that nothing, not even a bug, escapes a public entry point as an exception. */
  private guard(step: () => void): void {
    try {
      step();
    } catch (e) {
      this.internalError(e);
    }
  }

  private internalError(e: unknown): void {
    this.fail(AlertDescription.internalError, `internal error: ${(e as Error)?.message ?? e}`);
  }

  private sealRecord(type: number, epoch: number, payload: Uint8Array): Uint8Array {
    if (epoch === 0 || this.protection === undefined) {
      return plainRecord(type, DTLS_1_2, 0, this.writeSeq[0]!++, payload);
    }
    return this.protection.seal(type, DTLS_1_2, 1, this.writeSeq[1]!++, payload);
  }

  private transmitFlight(): void {
    for (const d of packFlight(this.flight, this.mtu, this.sealer)) this.transmits.push(d);
    this.lastFlightSentAt = this.now;
  }

  /**
   * The peer resent messages we already have, so our last flight was lost (RFC 6347 4.2.4).
   * Rate-limited because one lost flight of ours shows up as several old records of theirs.
   */
  private answerRetransmission(): void {
    if (this.flight.length === 0) return;
    if (this._state === 'connected' && !this.flightIsFinal) return;
    if (!this.isLive()) return;
    if (this.now - this.lastFlightSentAt < this.initialRetransmit / 2) return;
    this.transmitFlight();
  }

  private handleRecord(data: Uint8Array, h: RecordHeader): void {
    if (h.version >> 8 !== 0xfe) return;
    const body = data.subarray(h.bodyOffset, h.bodyOffset + h.bodyLength);
    if (h.epoch === this.readEpoch) {
      const window = this.replay[h.epoch]!;
      if (!window.check(h.seq)) return;
      let plain: Uint8Array | undefined = body;
      if (h.epoch === 1) {
        // RFC 6347 4.1.2.7: a record that does not authenticate is dropped, not fatal.
        plain = this.protection!.open(h.type, h.version, h.epoch, h.seq, body);
        if (plain === undefined) return;
      }
      window.mark(h.seq);
      this.handleContent(h.type, h.epoch, h.seq, plain);
    } else if (h.epoch === 1 && this.readEpoch === 0 && this.protection !== undefined) {
      if (this.earlyRecords.length < MAX_EARLY_RECORDS) {
        this.earlyRecords.push(
          data.slice(h.bodyOffset - RECORD_HEADER_LENGTH, h.bodyOffset + h.bodyLength),
        );
      }
    } else if (h.epoch === 0 && this.readEpoch === 1 && h.type === ContentType.handshake) {
      // The peer's previous flight again, in the epoch before its ChangeCipherSpec.
      if (this.reassembler.scan(body) & FragmentResult.old) this.peerRetransmitted = true;
    }
  }

  private handleContent(type: number, epoch: number, recordSeq: number, plain: Uint8Array): void {
    switch (type) {
      case ContentType.handshake:
        this.handleHandshakeRecord(plain, epoch, recordSeq);
        return;
      case ContentType.changeCipherSpec:
        this.handleChangeCipherSpec(plain);
        return;
      case ContentType.alert:
        this.handleAlert(plain);
        return;
      case ContentType.applicationData:
        if (epoch !== 1) return;
        if (this._state === 'connected') this.events.push({ type: 'data', data: plain });
        else if (this.earlyAppData.length < MAX_EARLY_RECORDS) this.earlyAppData.push(plain);
        return;
      default:
        return;
    }
  }

  private handleHandshakeRecord(plain: Uint8Array, epoch: number, recordSeq: number): void {
    if (this._state === 'connected') {
      const r = this.reassembler.scan(plain);
      if (r & FragmentResult.old) this.peerRetransmitted = true;
      const t = this.reassembler.lastNewType;
      if (r & FragmentResult.added && epoch === 1) {
        if (t === HandshakeType.clientHello || t === HandshakeType.helloRequest) {
          this.sendAlert(AlertLevel.warning, AlertDescription.noRenegotiation);
        }
      }
      return;
    }
    const logic = this.logic!;
    if (this.role === 'server' && this.handshakeDeadline === undefined) {
      // Before a ClientHello with a valid cookie the server keeps no state (RFC 6347 4.2.1).
      const failure = (logic as ServerInitial).handleInitialRecord(plain, recordSeq);
      if (failure) this.fail(failure.alert, failure.reason);
      return;
    }
    const r = this.reassembler.addFragments(plain);
    if (r & FragmentResult.malformed) {
      this.fail(AlertDescription.decodeError, 'malformed handshake fragment');
      return;
    }
    if (r & FragmentResult.old) this.peerRetransmitted = true;
    for (let m = this.reassembler.next(); m !== undefined; m = this.reassembler.next()) {
      // The peer has moved on to its next flight, so ours arrived: stop retransmitting it.
      this.retransmitAt = undefined;
      const failure = logic.handle(m);
      if (failure) {
        this.fail(failure.alert, failure.reason);
        return;
      }
      if (this._state !== 'connecting') return;
    }
  }

  private handleChangeCipherSpec(plain: Uint8Array): void {
    if (plain.length !== 1 || plain[0] !== 1) {
      this.fail(AlertDescription.decodeError, 'malformed ChangeCipherSpec');
      return;
    }
    // Early or duplicate ChangeCipherSpecs are dropped; the peer's retransmission brings them again.
    if (this.readEpoch !== 0 || this.protection === undefined || !this.logic?.awaitingFinished) {
      return;
    }
    this.readEpoch = 1;
    this.replay[1]!.reset();
    const early = this.earlyRecords;
    this.earlyRecords = [];
    for (const rec of early) {
      if (!this.isLive()) return;
      if (readRecord(rec, 0, this.header) > 0) this.handleRecord(rec, this.header);
    }
  }

  private handleAlert(plain: Uint8Array): void {
    if (plain.length !== 2) return;
    const level = plain[0]!;
    const description = plain[1]!;
    if (description === AlertDescription.closeNotify) {
      this.sendCloseNotify();
      this.setClosed();
    } else if (level === AlertLevel.fatal) {
      this.setFailed(`received fatal alert ${description}`, description);
    }
  }

  private sendAlert(level: number, description: number): void {
    this.transmits.push(
      this.sealRecord(ContentType.alert, this.writeEpoch, Uint8Array.of(level, description)),
    );
  }

  private sendCloseNotify(): void {
    if (this.closeSent) return;
    this.closeSent = true;
    this.sendAlert(AlertLevel.warning, AlertDescription.closeNotify);
  }

  private setClosed(): void {
    this._state = 'closed';
    this.stopTimers();
    this.events.push({ type: 'closed' });
  }

  private setFailed(reason: string, alert?: number): void {
    this._state = 'failed';
    this.stopTimers();
    this.events.push(
      alert === undefined ? { type: 'failed', reason } : { type: 'failed', reason, alert },
    );
  }

  private stopTimers(): void {
    this.retransmitAt = undefined;
    this.handshakeDeadline = undefined;
    this.flight = [];
  }

  /** Ends the session: a fatal alert (if any) goes out, then 'failed'. */
  private fail(alert: number | undefined, reason: string): void {
    if (this._state === 'failed' || this._state === 'closed') return;
    if (alert !== undefined) {
      try {
        this.sendAlert(AlertLevel.fatal, alert);
      } catch {
        // Nothing more can be done for the peer; the local failure still stands.
      }
    }
    this.setFailed(reason, alert);
  }
}
