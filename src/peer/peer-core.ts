/**
 * One connection's transports as a single sans-IO core: the ICE agent carries DTLS, DTLS
 * carries SCTP (RFC 8261), and SCTP carries the data channels (RFC 8831). The I/O driver feeds
 * it datagrams and time and drains one queue of transmits and one of events.
 */
import {
  type DataChannel,
  type DataChannelInit,
  DataChannelManager,
  type SctpEvent,
} from '../datachannel/index.js';
import {
  type DtlsCertificate,
  DtlsEndpoint,
  type DtlsOptions,
  type DtlsRole,
} from '../dtls/index.js';
import {
  IceAgent,
  type IceAgentOptions,
  type IceCandidate,
  type IceRole,
  type IceTransmit,
  serializeCandidate,
} from '../ice/index.js';
import type { DrivableCore } from '../net/index.js';
import { SctpAssociation, type SctpAssociationOptions } from '../sctp/index.js';
import type { Address } from '../stun/index.js';
import { Fifo } from '../util/fifo.js';
import { withFields } from '../util/with-fields.js';
import { AssociationPort } from './association-port.js';
import { classifyDatagram, DATAGRAM_DTLS, DATAGRAM_RTP } from './demux.js';
import type { DtlsTransportState, PeerCoreEvent, SctpTransportState } from './events.js';

/** The SCTP side of a data m-section: our port, the peer's, and its a=max-message-size. */
export interface SctpTransportParams {
  localPort: number;
  remotePort: number;
  /** RFC 8841: 65536 when the peer announced none; 0 means no limit. */
  remoteMaxMessageSize: number;
}

/** What the first remote description decides for the transports above ICE. */
export interface TransportParams {
  /** 'client' when our a=setup is active. */
  dtlsRole: DtlsRole;
  remoteFingerprints: { algorithm: string; value: string }[];
  sctp?: SctpTransportParams;
}

/**
 * The members of DataChannelManager the core uses: the manager itself, or a stand-in that
 * relays the association to channels kept on another thread (src/peer/worker).
 */
export type ChannelLayer = Pick<
  DataChannelManager,
  | 'attach'
  | 'handleSctpEvent'
  | 'pollEvent'
  | 'createChannel'
  | 'remoteMaxMessageSize'
  | 'maxChannels'
>;

export interface PeerCoreOptions {
  now: number;
  ice: Omit<IceAgentOptions, 'now'>;
  certificate: DtlsCertificate;
  /** Channels created before the core existed (the application may create them first). */
  channels?: ChannelLayer;
  dtls?: Pick<
    DtlsOptions,
    | 'mtu'
    | 'initialRetransmitTimeout'
    | 'maxRetransmitTimeout'
    | 'handshakeTimeout'
    | 'srtpProfiles'
  >;
  sctp?: Omit<SctpAssociationOptions, 'role' | 'now' | 'localPort' | 'remotePort'>;
  /** DTLS datagrams kept while waiting for startTransport (default 32). */
  maxEarlyDtlsDatagrams?: number;
}

/** Traffic above ICE on the selected pair, for stats. */
export interface PeerCoreCounters {
  packetsSent: number;
  bytesSent: number;
  packetsReceived: number;
  bytesReceived: number;
  /** RTP/RTCP datagrams, dropped until media exists. */
  rtpDropped: number;
  /** Datagrams no protocol here claims (RFC 7983 ranges). */
  unknownDropped: number;
  /** DTLS datagrams ICE could not send (no selected pair, consent lost). */
  sendRefused: number;
}

/**
 * The composite core. Inputs: the DrivableCore methods (datagrams, time, local addresses,
 * mDNS answers) and the connection's controls (remote ICE parameters, startTransport,
 * createDataChannel, close). Outputs: pollTransmit() and pollEvent().
 *
 * Application calls on a channel (send, close) change the core outside any input; they raise
 * `onOutput` so the owner can have the driver flush within the same event-loop turn.
 */
export class PeerCore implements DrivableCore<PeerCoreEvent> {
  readonly ice: IceAgent;
  readonly channels: ChannelLayer;
  readonly counters: PeerCoreCounters = {
    packetsSent: 0,
    bytesSent: 0,
    packetsReceived: 0,
    bytesReceived: 0,
    rtpDropped: 0,
    unknownDropped: 0,
    sendRefused: 0,
  };
  /** Called when work was queued outside an input; the owner arranges a flush. */
  onOutput: (() => void) | undefined;

  private readonly certificate: DtlsCertificate;
  private readonly dtlsOpts: PeerCoreOptions['dtls'];
  private readonly sctpOpts: PeerCoreOptions['sctp'];
  private readonly maxEarly: number;
  private transport: TransportParams | undefined;
  private dtlsEndpoint: DtlsEndpoint | undefined;
  private assoc: SctpAssociation | undefined;
  private dtlsReported: DtlsTransportState = 'new';
  private sctpReported: SctpTransportState | undefined;
  /** How the channels learn of an association we ended because the layer below it went away. */
  private sctpEnding: { reason: string; error: boolean } | undefined;
  private early: Uint8Array[] = [];
  private readonly events = new Fifo<PeerCoreEvent>();
  private readonly closingTransmits = new Fifo<IceTransmit>();
  private now: number;
  private processing = false;
  private outputPending = false;
  private closed = false;

  constructor(opts: PeerCoreOptions) {
    this.now = opts.now;
    this.ice = new IceAgent(withFields(opts.ice, { now: opts.now }));
    this.certificate = opts.certificate;
    this.channels = opts.channels ?? new DataChannelManager();
    this.dtlsOpts = opts.dtls;
    this.sctpOpts = opts.sctp;
    this.maxEarly = opts.maxEarlyDtlsDatagrams ?? 32;
  }

  get localUfrag(): string {
    return this.ice.localUfrag;
  }

  get dtls(): DtlsEndpoint | undefined {
    return this.dtlsEndpoint;
  }

  get association(): SctpAssociation | undefined {
    return this.assoc;
  }

  get dtlsState(): DtlsTransportState {
    return this.dtlsReported;
  }

  /** undefined until the association exists. */
  get sctpState(): SctpTransportState | undefined {
    return this.sctpReported;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  // ---- Driven by the I/O layer --------------------------------------------------------------

  addLocalAddress(base: Address, now: number): void {
    this.now = now;
    this.ice.addLocalAddress(base, now);
    this.process();
  }

  endOfLocalAddresses(now: number): void {
    this.now = now;
    this.ice.endOfLocalAddresses(now);
    this.process();
  }

  resolveMdns(hostname: string, address: string | undefined, now: number): void {
    this.now = now;
    this.ice.resolveMdns(hostname, address, now);
    this.process();
  }

  /**
   * Only ICE sees the datagram now; DTLS, SCTP and the channels take it at the next
   * pollTransmit/pollEvent, so that a driver feeding a batch of datagrams before polling gets
   * them processed together: one SACK and one burst of sends for the batch.
   */
  handleDatagram(data: Uint8Array, remote: Address, local: Address, now: number): void {
    if (this.closed) return;
    this.now = now;
    this.ice.handleDatagram(data, remote, local, now);
    this.outputPending = true;
  }

  handleTimeout(now: number): void {
    if (this.closed) return;
    this.now = now;
    this.ice.handleTimeout(now);
    // Each core checks its own deadlines, so calling one that has nothing due is harmless.
    this.dtlsEndpoint?.handleTimeout(now);
    this.assoc?.handleTimeout(now);
    this.process();
  }

  nextTimeout(): number | undefined {
    if (this.closed) return undefined;
    let t = this.ice.nextTimeout();
    const d = this.dtlsEndpoint?.nextTimeout();
    if (d !== undefined && (t === undefined || d < t)) t = d;
    const s = this.assoc?.nextTimeout();
    if (s !== undefined && (t === undefined || s < t)) t = s;
    return t;
  }

  pollTransmit(): IceTransmit | undefined {
    if (this.closingTransmits.length > 0) return this.closingTransmits.shift();
    let t = this.ice.pollTransmit();
    if (t === undefined && this.outputPending) {
      this.process();
      t = this.ice.pollTransmit();
    }
    return t;
  }

  pollEvent(): PeerCoreEvent | undefined {
    let e = this.events.shift();
    if (e !== undefined) return e;
    // Channel calls made between inputs may have queued events (a close) or output.
    if (this.outputPending) {
      this.process();
      e = this.events.shift();
      if (e !== undefined) return e;
    }
    // The channels' events come after every event of this core queued so far (pushEvent).
    return this.channels.pollEvent();
  }

  // ---- ICE controls -------------------------------------------------------------------------

  setIceRole(role: IceRole): void {
    this.ice.setRole(role);
    this.process();
  }

  setRemoteCredentials(ufrag: string, pwd: string, now: number): void {
    this.now = now;
    this.ice.setRemoteCredentials(ufrag, pwd, now);
    this.process();
  }

  addRemoteCandidate(candidate: IceCandidate, now: number): void {
    this.now = now;
    this.ice.addRemoteCandidate(candidate, now);
    this.process();
  }

  endOfRemoteCandidates(now: number): void {
    this.now = now;
    this.ice.endOfRemoteCandidates(now);
    this.process();
  }

  restartIce(ufrag: string, pwd: string, now: number): void {
    this.now = now;
    this.ice.restart(now, ufrag, pwd);
    this.process();
  }

  // ---- Transports above ICE -----------------------------------------------------------------

  /**
   * Creates DTLS (and SCTP when `p.sctp` is given) once the first remote description says who
   * is client. DTLS starts when ICE can send (see startDtlsWhenWritable), or now if it can.
   */
  startTransport(p: TransportParams, now: number): void {
    if (this.transport !== undefined || this.closed) return;
    this.now = now;
    this.transport = p;
    const dtls = new DtlsEndpoint({
      // ICE has checked the peer's address: no cookie round trip (see DtlsOptions).
      cookieExchange: false,
      ...this.dtlsOpts,
      role: p.dtlsRole,
      certificate: this.certificate,
      remoteFingerprints: p.remoteFingerprints,
      now,
    });
    this.dtlsEndpoint = dtls;
    if (p.sctp) this.createAssociation(p.sctp, now);
    this.startDtlsWhenWritable();
    const early = this.early;
    this.early = [];
    for (const d of early) this.feedDtls(dtls, d);
    this.reportDtlsState(undefined);
    this.process();
  }

  /** SCTP for a data section that a later negotiation added; updates the peer's limit if running. */
  startSctp(p: SctpTransportParams, now: number): void {
    if (this.closed) return;
    this.now = now;
    if (this.assoc !== undefined || this.transport === undefined) {
      this.channels.remoteMaxMessageSize = p.remoteMaxMessageSize;
      return;
    }
    this.transport.sctp = p;
    this.createAssociation(p, now);
    this.process();
  }

  /** The W3C createDataChannel; throws DataChannelError as DataChannelManager.createChannel. */
  createDataChannel(label: string, init: DataChannelInit, now: number): DataChannel {
    this.now = now;
    const channel = this.channels.createChannel(label, init, now);
    this.markOutput();
    return channel;
  }

  /**
   * Ends the connection as browsers do: SCTP ABORT, DTLS close_notify (both sent while ICE can
   * still carry them), then ICE. The channels close; their events come out of pollEvent.
   */
  close(now: number): void {
    if (this.closed) return;
    this.now = now;
    this.process();
    const assoc = this.assoc;
    if (assoc !== undefined && assoc.state !== 'closed') {
      this.sctpEnding = { reason: 'connection closed', error: false };
      assoc.abort('Close called', now);
    } else if (assoc === undefined) {
      this.channels.handleSctpEvent(
        { type: 'closed', reason: 'connection closed', error: false },
        now,
      );
    }
    this.moveOutput();
    this.dtlsEndpoint?.close(now);
    this.moveOutput();
    for (let t = this.ice.pollTransmit(); t !== undefined; t = this.ice.pollTransmit()) {
      this.closingTransmits.push(t);
    }
    this.closed = true;
    this.ice.close(now);
    this.process();
  }

  // ---- Internals ----------------------------------------------------------------------------

  private readonly markOutput = (): void => {
    this.outputPending = true;
    if (!this.processing) this.onOutput?.();
  };

  private createAssociation(p: SctpTransportParams, now: number): void {
    const role = this.transport!.dtlsRole;
    const assoc = new SctpAssociation(
      withFields(this.sctpOpts, {
        role,
        now,
        localPort: p.localPort,
        remotePort: p.remotePort,
      }),
    );
    this.assoc = assoc;
    this.channels.remoteMaxMessageSize = p.remoteMaxMessageSize;
    this.channels.attach(new AssociationPort(assoc, this.markOutput), role, now);
    if (this.dtlsEndpoint?.state === 'connected') this.connectSctp();
  }

  private connectSctp(): void {
    const assoc = this.assoc;
    if (assoc === undefined || assoc.state !== 'new') return;
    this.reportSctpState('connecting');
    // The DTLS server opens: it is connected half a round trip before the client (its last
    // flight is the client's cue), so its INIT follows that flight and the association is up a
    // round trip sooner than if the client opened. The client answers; an INIT from both (as
    // Chrome sends) is a collision the association resolves.
    if (this.transport!.dtlsRole === 'server') assoc.connect(this.now);
  }

  /** Runs every sub-core's output through the layers above or below it until nothing moves. */
  private process(): void {
    if (this.processing) return;
    this.processing = true;
    try {
      this.outputPending = false;
      let moved: boolean;
      do {
        this.drainIce();
        this.drainDtls();
        this.drainSctp();
        moved = this.moveOutput();
      } while (moved);
    } finally {
      this.processing = false;
    }
  }

  private drainIce(): void {
    const ice = this.ice;
    for (let e = ice.pollEvent(); e !== undefined; e = ice.pollEvent()) {
      switch (e.type) {
        case 'data':
          this.handleApplicationDatagram(e.data);
          break;
        case 'state':
          this.pushEvent({ type: 'ice-state', state: e.state });
          break;
        case 'writable':
          // Seen through ice.writable below.
          break;
        case 'local-candidate':
          this.pushEvent({
            type: 'local-candidate',
            candidate: e.candidate,
            sdp: serializeCandidate(e.candidate),
          });
          break;
        default:
          this.pushEvent(e);
      }
    }
    this.startDtlsWhenWritable();
  }

  /**
   * DTLS starts once ICE can send: on the selected pair, or on the first valid pair while the
   * nomination is under way (the agent's 'writable').
   */
  private startDtlsWhenWritable(): void {
    const dtls = this.dtlsEndpoint;
    if (dtls === undefined || dtls.state !== 'new' || !this.ice.writable) return;
    dtls.start(this.now);
    this.reportDtlsState(undefined);
  }

  private handleApplicationDatagram(data: Uint8Array): void {
    const c = this.counters;
    c.packetsReceived++;
    c.bytesReceived += data.length;
    const kind = classifyDatagram(data);
    if (kind === DATAGRAM_DTLS) {
      const dtls = this.dtlsEndpoint;
      if (dtls !== undefined) this.feedDtls(dtls, data);
      else if (this.early.length < this.maxEarly) this.early.push(data);
    } else if (kind === DATAGRAM_RTP) {
      c.rtpDropped++;
    } else {
      c.unknownDropped++;
    }
  }

  private feedDtls(dtls: DtlsEndpoint, data: Uint8Array): void {
    try {
      dtls.handleDatagram(data, this.now);
    } catch {
      // The endpoint drops bad records itself; anything that escapes is dropped here.
      return;
    }
    // A server starts on the first ClientHello it hears.
    if (this.dtlsReported === 'new' && dtls.state !== 'new') this.reportDtlsState(undefined);
  }

  private drainDtls(): void {
    const dtls = this.dtlsEndpoint;
    if (dtls === undefined) return;
    for (let e = dtls.pollEvent(); e !== undefined; e = dtls.pollEvent()) {
      switch (e.type) {
        case 'data':
          // Application data is the plaintext of a decrypted record, a buffer of its own.
          this.assoc?.handlePacket(e.data, this.now, true);
          break;
        case 'connected':
          this.reportDtlsState(undefined);
          this.connectSctp();
          break;
        case 'closed':
          this.reportDtlsState(undefined);
          this.endSctp('DTLS closed', false);
          break;
        case 'failed':
          this.reportDtlsState(e.reason);
          this.endSctp(`DTLS failed: ${e.reason}`, true);
          break;
      }
    }
  }

  /** The layer below SCTP is gone: end the association, nothing more can reach the peer. */
  private endSctp(reason: string, error: boolean): void {
    const assoc = this.assoc;
    if (assoc === undefined) {
      this.channels.handleSctpEvent({ type: 'closed', reason, error }, this.now);
      return;
    }
    if (assoc.state === 'closed') return;
    this.sctpEnding ??= { reason, error };
    assoc.abort(reason, this.now);
  }

  private drainSctp(): void {
    const assoc = this.assoc;
    if (assoc === undefined) return;
    for (let e = assoc.pollEvent(); e !== undefined; e = assoc.pollEvent()) {
      let event: SctpEvent = e;
      if (e.type === 'connected') {
        this.reportSctpState('connected');
      } else if (e.type === 'closed') {
        this.reportSctpState('closed');
        if (this.sctpEnding !== undefined) event = { type: 'closed', ...this.sctpEnding };
      }
      this.channels.handleSctpEvent(event, this.now);
    }
  }

  /**
   * Queues an event of this core behind the channels' events so far. The channels' events are
   * otherwise left in the manager's queue, which pollEvent reads once this core's is empty:
   * thousands of channel events a turn need not be copied from one queue to the other.
   */
  private pushEvent(e: PeerCoreEvent): void {
    const channels = this.channels;
    for (let c = channels.pollEvent(); c !== undefined; c = channels.pollEvent()) {
      this.events.push(c);
    }
    this.events.push(e);
  }

  /**
   * SCTP packets into DTLS records, DTLS records onto the selected ICE pair. True when SCTP
   * packets moved, since taking them can raise SCTP events ('sent') to process.
   */
  private moveOutput(): boolean {
    const dtls = this.dtlsEndpoint;
    if (dtls === undefined) return false;
    let moved = false;
    const assoc = this.assoc;
    if (assoc !== undefined) {
      const dtlsState = dtls.state;
      if (dtlsState === 'connected') {
        for (let p = assoc.pollTransmit(); p !== undefined; p = assoc.pollTransmit()) {
          moved = true;
          try {
            dtls.send(p);
          } catch {
            // Larger than a record or DTLS closing: SCTP retransmits or is ending anyway.
            continue;
          }
          // One record at a time keeps the endpoint's queue short.
          this.sendDtlsTransmits(dtls);
        }
      } else if (dtlsState === 'closed' || dtlsState === 'failed') {
        // Nothing can reach the peer any more.
        while (assoc.pollTransmit() !== undefined) moved = true;
      }
    }
    this.sendDtlsTransmits(dtls);
    return moved;
  }

  private sendDtlsTransmits(dtls: DtlsEndpoint): void {
    const c = this.counters;
    for (let d = dtls.pollTransmit(); d !== undefined; d = dtls.pollTransmit()) {
      if (this.ice.send(d)) {
        c.packetsSent++;
        c.bytesSent += d.length;
      } else {
        c.sendRefused++;
      }
    }
  }

  private reportDtlsState(error: string | undefined): void {
    const dtls = this.dtlsEndpoint;
    if (dtls === undefined) return;
    const state = dtls.state;
    if (state === this.dtlsReported) return;
    this.dtlsReported = state;
    this.pushEvent(
      error === undefined ? { type: 'dtls-state', state } : { type: 'dtls-state', state, error },
    );
  }

  private reportSctpState(state: SctpTransportState): void {
    if (state === this.sctpReported) return;
    this.sctpReported = state;
    this.pushEvent({ type: 'sctp-state', state });
  }
}
