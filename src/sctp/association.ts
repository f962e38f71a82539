/**
 * One SCTP association (RFC 9260) as a sans-IO state machine: packets in through
 * `handlePacket`, packets out through `pollTransmit`, time through `now` arguments and
 * `handleTimeout`. Meant to run over DTLS (RFC 8261), so there are no addresses, only ports.
 */
import { copyBytes } from '../bytes/copy.js';
import { Slab } from '../bytes/slab.js';
import { randomBytes, randomUint32 } from '../util/random.js';
import { withFields } from '../util/with-fields.js';
import {
  decodeCauses,
  decodeForwardTsn,
  decodeIForwardTsn,
  decodeInit,
  decodeReconfig,
  decodeSack,
  decodeShutdown,
  describeCauses,
  encodeCause,
  encodeCauseChunk,
  encodeChunk,
  encodeForwardTsn,
  encodeIForwardTsn,
  encodeInit,
  encodeOutgoingResetParam,
  encodeReconfig,
  encodeReconfigResponseParam,
  encodeShutdown,
  type ReconfigParam,
  type SackView,
} from './chunks.js';
import {
  ChunkType,
  COMMON_HEADER_SIZE,
  DATA_FLAG_IMMEDIATE,
  DATA_HEADER_SIZE,
  ErrorCause,
  ParamType,
  ReconfigResult,
} from './constants.js';
import { type CookieState, decodeCookie, encodeCookie } from './cookie.js';
import { sctpChecksum } from './crc32c.js';
import { EventQueue, type SctpEvent } from './events.js';
import { PmtuSearch } from './pmtu.js';
import { DataReceiver, DataResult } from './receiver.js';
import { RtoEstimator } from './rto.js';
import { DataSender, type OutChunk, type OutMessage } from './sender.js';
import { tsnAdd, tsnLe } from './serial.js';

/** Heartbeat info of a path MTU probe: "PMTU", the probed size, the probe's nonce, send time. */
const PROBE_MAGIC = 0x504d5455;
const PROBE_INFO_LENGTH = 4 + 4 + 4 + 4 + 8;

export type { SctpEvent } from './events.js';

export interface SctpSendOptions {
  unordered?: boolean;
  /**
   * The caller hands `data` over and never touches it again, so the association keeps it as
   * is; otherwise it keeps a copy and the caller may reuse its buffer at once.
   */
  transfer?: boolean;
  maxRetransmits?: number;
  /** ms */
  maxPacketLifeTime?: number;
}

export type SctpAssociationState = 'new' | 'connecting' | 'connected' | 'shutting-down' | 'closed';

export interface SctpAssociationOptions {
  /** The client sends INIT on connect(); the server waits (both may INIT: collision handled). */
  role: 'client' | 'server';
  now: number;
  /** Default 5000. */
  localPort?: number;
  /** Default 5000. */
  remotePort?: number;
  /** Largest SCTP packet, default 1200. */
  mtu?: number;
  /**
   * Probe for paths that carry SCTP packets up to this size (RFC 8899 path MTU discovery) and
   * use the largest that gets through; default `mtu` (no probing).
   */
  maxMtu?: number;
  /** Largest user message accepted for reassembly, default 256 KiB. */
  maxMessageSize?: number;
  /** Announce RFC 9653 zero checksum with the DTLS method; default true. */
  zeroChecksum?: boolean;
  /** Default 65535 each. */
  maxInboundStreams?: number;
  maxOutboundStreams?: number;
  /** Receive buffer advertised as a_rwnd, default max(1 MiB, 2 * maxMessageSize), at least maxMessageSize. */
  receiveWindow?: number;
  /** Initial congestion window in bytes, default 10 * mtu (as browsers' dcSCTP; RFC 9260 says ~4 MTU). */
  initialCwnd?: number;
  /** RTO bounds in ms (defaults 1000 / 200 / 60000). */
  rtoInitial?: number;
  rtoMin?: number;
  rtoMax?: number;
  /** Association.Max.Retrans: consecutive timeouts before the path is declared dead (default 10). */
  maxRetransmissions?: number;
  /** Max.Init.Retransmits (default 8). */
  maxInitRetransmissions?: number;
  /** HB.interval in ms (default 30000). */
  heartbeatInterval?: number;
  /** Valid.Cookie.Life in ms (default 60000). */
  cookieLifetime?: number;
  /** Most user bytes that may wait in the send queue; send() throws RangeError beyond (default 64 MiB). */
  sendBufferLimit?: number;
  /** Announce and, when the peer does too, use I-DATA message interleaving (RFC 8260); default true. */
  interleaving?: boolean;
  /** Fixed initial TSN (tests use it to exercise wrap-around); random by default. */
  initialTsn?: number;
}

enum Phase {
  Closed = 0,
  CookieWait = 1,
  CookieEchoed = 2,
  Established = 3,
  ShutdownPending = 4,
  ShutdownSent = 5,
  ShutdownReceived = 6,
  ShutdownAckSent = 7,
  Done = 8,
}

const NEVER = Number.POSITIVE_INFINITY;
const I_DATA_HEADER_SIZE = 20;
const DELAYED_ACK_MS = 200;
const utf8 = new TextEncoder();

/** A 4-byte error cause value holding one 32-bit number. */
function u32Info(n: number): Uint8Array {
  const info = new Uint8Array(4);
  new DataView(info.buffer).setUint32(0, n);
  return info;
}
/** Outgoing packets are cut from here. */
const packets = new Slab(64 * 1024, 8 * 1024);

function pad4(n: number): number {
  return (n + 3) & ~3;
}

function randomTag(): number {
  // Verification tags must not be zero.
  for (;;) {
    const t = randomUint32();
    if (t !== 0) return t;
  }
}

interface PendingReconfig {
  seq: number;
  streams: number[];
  chunk: Uint8Array;
}

export class SctpAssociation {
  private phase = Phase.Closed;
  private readonly role: 'client' | 'server';
  private readonly localPort: number;
  private readonly remotePort: number;
  /** The packet size in use: the configured one, or what path MTU discovery confirmed. */
  private mtu: number;
  private readonly maxMtu: number;
  private pmtu: PmtuSearch | undefined;
  /** When the probe in flight counts as lost and the next one is due. */
  private probeAt = NEVER;
  private readonly maxMessageSize: number;
  private readonly zeroChecksumLocal: boolean;
  private readonly interleavingLocal: boolean;
  private readonly maxInbound: number;
  private readonly maxOutbound: number;
  private readonly window: number;
  private readonly initialCwnd: number;
  private readonly maxRetransmissions: number;
  private readonly maxInitRetransmissions: number;
  private readonly heartbeatInterval: number;
  private readonly cookieLifetime: number;
  private readonly sendBufferLimit: number;
  private readonly secret = randomBytes(32);
  private readonly localTag = randomTag();
  private readonly localInitialTsn: number;
  private readonly rto: RtoEstimator;
  private readonly events = new EventQueue();

  private now: number;
  private peerTag = 0;
  private inbound = 0;
  private outbound = 0;
  private zeroChecksumOut = false;
  private peerForwardTsn = false;
  private peerReconfig = false;
  private interleaved = false;
  /** DATA or I-DATA chunk header size, once negotiated. */
  private dataHeaderSize = DATA_HEADER_SIZE;
  private sender: DataSender | undefined;
  private receiver: DataReceiver | undefined;

  /** Whole packets queued for sending, each with its own verification tag. */
  private packets: Uint8Array[] = [];
  /** Control chunks to bundle at the front of the next packet(s). */
  private ctrl: Uint8Array[] = [];
  private readonly dataScratch: OutChunk[] = [];
  private readonly ctrlScratch: Uint8Array[] = [];
  private readonly sackView: SackView = {
    cumTsnAck: 0,
    aRwnd: 0,
    gapCount: 0,
    dupCount: 0,
    gapOffset: 0,
    buf: new Uint8Array(0),
  };

  private sackNeeded = false;
  private packetsSinceSack = 0;
  private delayedAckAt = NEVER;
  private t1At = NEVER;
  private t1Chunk: Uint8Array | undefined;
  private initRetries = 0;
  private t2At = NEVER;
  private t2Chunk: Uint8Array | undefined;
  private heartbeatAt = NEVER;
  private heartbeatOutstanding = false;
  private errorCount = 0;

  private nextReconfigSeq: number;
  private peerNextReconfigSeq = 0;
  private lastPeerReconfigResult: number = ReconfigResult.SUCCESS_NOTHING_TO_DO;
  private reconfigAt = NEVER;
  private pendingReconfig: PendingReconfig | undefined;
  private readonly resetWaiting: number[] = [];
  private readonly resetting = new Set<number>();

  constructor(opts: SctpAssociationOptions) {
    this.role = opts.role;
    this.now = opts.now;
    this.localPort = opts.localPort ?? 5000;
    this.remotePort = opts.remotePort ?? 5000;
    this.mtu = Math.max(256, Math.min(65535, opts.mtu ?? 1200)) & ~3;
    this.maxMtu = Math.max(this.mtu, Math.min(65535, opts.maxMtu ?? this.mtu)) & ~3;
    this.maxMessageSize = opts.maxMessageSize ?? 262144;
    this.zeroChecksumLocal = opts.zeroChecksum ?? true;
    this.interleavingLocal = opts.interleaving ?? true;
    this.maxInbound = Math.max(1, Math.min(65535, opts.maxInboundStreams ?? 65535));
    this.maxOutbound = Math.max(1, Math.min(65535, opts.maxOutboundStreams ?? 65535));
    // Below one whole message, reassembly could wait forever for room that never comes.
    this.window = Math.max(
      opts.receiveWindow ?? Math.max(1 << 20, 2 * this.maxMessageSize),
      this.maxMessageSize,
    );
    this.initialCwnd = opts.initialCwnd ?? 10 * this.mtu;
    this.rto = new RtoEstimator(opts.rtoInitial ?? 1000, opts.rtoMin ?? 200, opts.rtoMax ?? 60000);
    this.maxRetransmissions = opts.maxRetransmissions ?? 10;
    this.maxInitRetransmissions = opts.maxInitRetransmissions ?? 8;
    this.heartbeatInterval = opts.heartbeatInterval ?? 30000;
    this.cookieLifetime = opts.cookieLifetime ?? 60000;
    this.sendBufferLimit = opts.sendBufferLimit ?? 64 * 1024 * 1024;
    this.localInitialTsn = (opts.initialTsn ?? randomUint32()) >>> 0;
    this.nextReconfigSeq = this.localInitialTsn;
  }

  get state(): SctpAssociationState {
    switch (this.phase) {
      case Phase.Closed:
        return 'new';
      case Phase.CookieWait:
      case Phase.CookieEchoed:
        return 'connecting';
      case Phase.Established:
        return 'connected';
      case Phase.Done:
        return 'closed';
      default:
        return 'shutting-down';
    }
  }

  /** Negotiated stream counts (0 until the association is up). */
  get inboundStreams(): number {
    return this.inbound;
  }

  get outboundStreams(): number {
    return this.outbound;
  }

  /** User bytes queued and not yet transmitted for the first time. */
  get bufferedBytes(): number {
    return this.sender ? this.sender.bufferedBytes : 0;
  }

  /** Whether I-DATA (message interleaving) was negotiated. */
  get interleavingInUse(): boolean {
    return this.interleaved;
  }

  /** Whether packets go out with a zero checksum (RFC 9653 negotiated by both sides). */
  get zeroChecksumInUse(): boolean {
    return this.zeroChecksumOut;
  }

  /** Congestion window, smoothed RTT and current RTO, for stats and tests. */
  get stats(): { cwnd: number; rto: number; srtt: number | undefined; flightSize: number } {
    return {
      cwnd: this.sender ? this.sender.cwnd : this.initialCwnd,
      rto: this.rto.rto,
      srtt: this.rto.smoothedRtt,
      flightSize: this.sender ? this.sender.flightSize : 0,
    };
  }

  connect(now: number): void {
    this.now = now;
    if (this.phase !== Phase.Closed) return;
    this.t1Chunk = encodeInit(ChunkType.INIT, this.initFields());
    this.phase = Phase.CookieWait;
    this.packets.push(this.buildPacket(0, [this.t1Chunk]));
    this.t1At = now + this.rto.rto;
  }

  private initFields() {
    return {
      initiateTag: this.localTag,
      aRwnd: this.window,
      outboundStreams: this.maxOutbound,
      inboundStreams: this.maxInbound,
      initialTsn: this.localInitialTsn,
      zeroChecksum: this.zeroChecksumLocal,
      interleaving: this.interleavingLocal,
    };
  }

  // ---------------------------------------------------------------- user API

  send(
    streamId: number,
    ppid: number,
    data: Uint8Array,
    opts: SctpSendOptions | undefined,
    now: number,
  ): void {
    this.now = now;
    // Data sent while the COOKIE-ECHO is outstanding waits to travel with it (RFC 9260 5.1).
    if ((this.phase !== Phase.Established && this.phase !== Phase.CookieEchoed) || !this.sender) {
      throw new Error(`cannot send: association is ${this.state}`);
    }
    if (!Number.isInteger(streamId) || streamId < 0 || streamId >= this.outbound) {
      throw new RangeError(`stream id ${streamId} outside the ${this.outbound} outbound streams`);
    }
    if (!(data instanceof Uint8Array)) throw new TypeError('data must be a Uint8Array');
    if (data.length === 0) throw new RangeError('an SCTP message cannot be empty');
    if (this.sender.bufferedBytes + data.length > this.sendBufferLimit) {
      throw new RangeError('send buffer limit exceeded');
    }
    if (this.resetting.has(streamId)) throw new Error(`stream ${streamId} is being reset`);
    // Partial reliability needs the peer to understand FORWARD-TSN; without it, stay reliable.
    const pr = this.peerForwardTsn && opts !== undefined;
    const life = pr ? opts.maxPacketLifeTime : undefined;
    const rexmit = pr ? opts.maxRetransmits : undefined;
    const msg: OutMessage = {
      streamId,
      ppid: ppid >>> 0,
      // A copy unless handed over (not `subarray`, nor a Buffer's `slice`: both are views).
      data: opts?.transfer === true ? data : copyBytes(data),
      offset: 0,
      unordered: opts?.unordered === true,
      mid: 0,
      nextFsn: 0,
      started: false,
      maxRetransmits: rexmit !== undefined && rexmit >= 0 ? Math.floor(rexmit) : -1,
      expiresAt: life !== undefined && life >= 0 ? now + life : NEVER,
      abandoned: false,
      firstTsn: 0,
      lastTsn: 0,
    };
    this.sender.enqueue(msg);
  }

  resetStreams(streamIds: number[], now: number): void {
    this.now = now;
    if (this.phase !== Phase.Established) {
      throw new Error(`cannot reset streams: association is ${this.state}`);
    }
    if (!this.peerReconfig) throw new Error('the peer does not support stream reset (RFC 6525)');
    for (const id of streamIds) {
      if (!Number.isInteger(id) || id < 0 || id >= this.outbound) {
        throw new RangeError(`stream id ${id} outside the ${this.outbound} outbound streams`);
      }
    }
    for (const id of streamIds) {
      if (this.resetting.has(id)) continue;
      this.resetting.add(id);
      this.resetWaiting.push(id);
    }
    this.startReconfig(now);
  }

  shutdown(now: number): void {
    this.now = now;
    if (this.phase === Phase.Established) {
      this.phase = Phase.ShutdownPending;
      this.progressShutdown(now);
    } else if (this.phase < Phase.Established) {
      this.finish('shut down before connecting', false);
    }
  }

  abort(reason: string, now: number): void {
    this.now = now;
    if (this.phase === Phase.Done) return;
    this.sendAbort(ErrorCause.USER_INITIATED_ABORT, utf8.encode(reason));
    this.finish(reason, true);
  }

  pollEvent(): SctpEvent | undefined {
    return this.events.shift();
  }

  // ---------------------------------------------------------------- timers

  nextTimeout(): number | undefined {
    if (this.phase === Phase.Done) return undefined;
    let t = this.t1At;
    if (this.t2At < t) t = this.t2At;
    if (this.delayedAckAt < t) t = this.delayedAckAt;
    if (this.reconfigAt < t) t = this.reconfigAt;
    if (this.heartbeatAt < t) t = this.heartbeatAt;
    if (this.probeAt < t) t = this.probeAt;
    // Before the COOKIE-ACK, T1 retransmits the data that went with the COOKIE-ECHO.
    if (this.sender && this.sender.t3At < t && this.phase !== Phase.CookieEchoed) {
      t = this.sender.t3At;
    }
    return t === NEVER ? undefined : t;
  }

  handleTimeout(now: number): void {
    this.now = now;
    if (this.phase === Phase.Done) return;
    if (this.t1At <= now) {
      if (++this.initRetries > this.maxInitRetransmissions) {
        this.finish('association setup timed out', true);
        return;
      }
      this.rto.backOff();
      if (this.phase === Phase.CookieEchoed && this.t1Chunk) {
        // The data that went with the COOKIE-ECHO goes again with it; a handshake loss, it
        // leaves the congestion window alone.
        this.sender!.retransmitOutstanding(now);
        if (this.ctrl[0] !== this.t1Chunk) this.ctrl.unshift(this.t1Chunk);
      } else if (this.t1Chunk) {
        this.packets.push(this.buildPacket(0, [this.t1Chunk]));
      }
      this.t1At = now + this.rto.rto;
    }
    if (this.sender && this.sender.t3At <= now && this.phase !== Phase.CookieEchoed) {
      if (!this.countError('retransmission limit reached: peer unreachable')) return;
      // Data of a confirmed size timing out may be a black hole: back to the base size.
      if (this.pmtu?.blackHole()) {
        this.applyPacketSize(this.pmtu.current);
        this.probeAt = now + this.rto.rto;
      }
      this.sender.handleT3(now);
    }
    if (this.probeAt <= now) this.probeDue(now);
    if (this.t2At <= now && this.t2Chunk) {
      if (!this.countError('shutdown timed out')) return;
      this.rto.backOff();
      this.ctrl.push(this.t2Chunk);
      this.t2At = now + this.rto.rto;
    }
    if (this.reconfigAt <= now) {
      this.reconfigAt = NEVER;
      if (this.pendingReconfig) {
        if (!this.countError('stream reset request timed out')) return;
        this.ctrl.push(this.pendingReconfig.chunk);
        this.reconfigAt = now + this.rto.rto;
      }
    }
    if (this.heartbeatAt <= now) this.heartbeatDue(now);
    if (this.delayedAckAt <= now) {
      this.delayedAckAt = NEVER;
      this.sackNeeded = true;
    }
  }

  /** One more consecutive timeout; false (and the association failed) past the limit. */
  private countError(reason: string): boolean {
    if (++this.errorCount > this.maxRetransmissions) {
      this.finish(reason, true);
      return false;
    }
    return true;
  }

  /** Sends the next path MTU probe, after counting the one in flight as lost. */
  private probeDue(now: number): void {
    const search = this.pmtu;
    this.probeAt = NEVER;
    // Before the association is up, established() schedules the first probe.
    if (search === undefined || this.phase !== Phase.Established) return;
    if (search.attempts > 0) search.timedOut();
    if (!search.searching) return;
    this.packets.push(this.buildProbe(search.probing, search.sent(), now));
    this.probeAt = now + this.rto.rto;
  }

  /**
   * A probe: exactly `size` bytes, a HEARTBEAT whose info names the size and the probe, padded
   * with a PAD chunk. Only a HEARTBEAT-ACK echoing it confirms the size.
   */
  private buildProbe(size: number, nonce: number, now: number): Uint8Array {
    const out = new Uint8Array(size);
    const v = new DataView(out.buffer);
    v.setUint16(0, this.localPort);
    v.setUint16(2, this.remotePort);
    v.setUint32(4, this.peerTag);
    let p = COMMON_HEADER_SIZE;
    out[p] = ChunkType.HEARTBEAT;
    v.setUint16(p + 2, 4 + PROBE_INFO_LENGTH);
    v.setUint16(p + 4, ParamType.HEARTBEAT_INFO);
    v.setUint16(p + 6, PROBE_INFO_LENGTH);
    v.setUint32(p + 8, PROBE_MAGIC);
    v.setUint32(p + 12, size);
    v.setUint32(p + 16, nonce);
    v.setFloat64(p + 20, now);
    p += 4 + PROBE_INFO_LENGTH;
    out[p] = ChunkType.PAD;
    v.setUint16(p + 2, size - p);
    this.seal(out, v, false);
    return out;
  }

  /** Chunks cut from now on fit packets of `mtu` bytes. */
  private applyPacketSize(mtu: number): void {
    this.mtu = mtu;
    this.sender?.setPacketSize(mtu, mtu - COMMON_HEADER_SIZE - this.dataHeaderSize);
  }

  private heartbeatDue(now: number): void {
    this.heartbeatAt = now + this.heartbeatInterval + this.rto.rto;
    if (this.phase < Phase.Established || !this.sender) return;
    // With data outstanding T3 already probes the path.
    if (this.sender.outstandingCount > 0) return;
    if (this.heartbeatOutstanding && !this.countError('heartbeat unanswered: peer unreachable'))
      return;
    const info = new Uint8Array(12);
    const v = new DataView(info.buffer);
    v.setUint16(0, 1);
    v.setUint16(2, 12);
    v.setFloat64(4, now);
    this.ctrl.push(encodeChunk(ChunkType.HEARTBEAT, 0, info));
    this.heartbeatOutstanding = true;
  }

  // ---------------------------------------------------------------- input

  /**
   * One received SCTP packet. `owned`: the caller hands `data` over (nobody else holds or
   * writes it), so fragments may be kept as views of it rather than copied.
   */
  handlePacket(data: Uint8Array, now: number, owned = false): void {
    this.now = now;
    if (this.phase === Phase.Done || data.length < COMMON_HEADER_SIZE + 4) return;
    const r = this.receiver;
    if (r === undefined || !owned) {
      this.handlePacketBody(data, now);
      return;
    }
    r.inputOwned = true;
    try {
      this.handlePacketBody(data, now);
    } finally {
      r.inputOwned = false;
    }
  }

  private handlePacketBody(data: Uint8Array, now: number): void {
    const v = new DataView(data.buffer, data.byteOffset, data.length);
    if (v.getUint16(0) !== this.remotePort || v.getUint16(2) !== this.localPort) return;
    const vtag = v.getUint32(4);
    const checksum = v.getUint32(8, true);
    const firstType = data[12]!;
    const zeroOk = checksum === 0 && this.zeroChecksumLocal && firstType !== ChunkType.INIT;
    if (!zeroOk && sctpChecksum(data) !== checksum) return;
    if (!this.acceptTag(vtag, firstType, data[13]!)) return;

    let dataSeen = false;
    let off = COMMON_HEADER_SIZE;
    while (off + 4 <= data.length && !this.isDone()) {
      const type = data[off]!;
      const flags = data[off + 1]!;
      const len = v.getUint16(off + 2);
      if (len < 4 || off + len > data.length) break;
      if (type === ChunkType.DATA || (type === ChunkType.I_DATA && this.interleaved)) {
        if (!this.handleData(data, v, off, len, flags, type)) break;
        dataSeen = true;
      } else if (!this.handleControl(type, data, off, len, now)) {
        break;
      }
      off += pad4(len);
    }
    if (this.isDone()) return;
    if (dataSeen) {
      this.packetsSinceSack++;
      if (this.packetsSinceSack >= 2 || this.receiver?.hasGaps) this.sackNeeded = true;
      else if (this.delayedAckAt === NEVER) this.delayedAckAt = now + DELAYED_ACK_MS;
      if (this.phase === Phase.ShutdownSent && this.t2Chunk) this.ctrl.push(this.t2Chunk);
    }
    this.afterInput(now);
  }

  /** Re-reads the phase (handlers may have ended the association). */
  private isDone(): boolean {
    return this.phase === Phase.Done;
  }

  private afterInput(now: number): void {
    if (this.resetWaiting.length > 0) this.startReconfig(now);
    if (this.phase >= Phase.ShutdownPending) this.progressShutdown(now);
  }

  /** Verification tag rules (RFC 9260 8.5, 8.5.1). */
  private acceptTag(vtag: number, firstType: number, firstFlags: number): boolean {
    if (firstType === ChunkType.INIT) return vtag === 0;
    if (
      (firstType === ChunkType.ABORT || firstType === ChunkType.SHUTDOWN_COMPLETE) &&
      (firstFlags & 1) !== 0
    ) {
      return this.peerTag !== 0 && vtag === this.peerTag;
    }
    return vtag === this.localTag;
  }

  /** Returns false to stop processing the rest of the packet. */
  private handleData(
    data: Uint8Array,
    v: DataView,
    off: number,
    len: number,
    flags: number,
    type: number,
  ) {
    const r = this.receiver;
    if (!r || this.phase < Phase.Established) return true;
    const iData = type === ChunkType.I_DATA;
    if (iData !== this.interleaved) {
      this.violation('DATA and I-DATA mixed', 'peer sent DATA where I-DATA was negotiated');
      return false;
    }
    const tsn = v.getUint32(off + 4);
    if (len <= (iData ? I_DATA_HEADER_SIZE : DATA_HEADER_SIZE)) {
      this.protocolAbort(ErrorCause.NO_USER_DATA, u32Info(tsn), 'DATA chunk without user data');
      return false;
    }
    const streamId = v.getUint16(off + 8);
    if (streamId >= this.inbound) {
      // Acknowledged but discarded, with an ERROR (RFC 9260 6.5).
      r.handleForeignTsn(tsn);
      // Stream identifier, then 16 reserved bits.
      const info = u32Info(streamId << 16);
      this.ctrl.push(
        encodeCauseChunk(ChunkType.ERROR, [
          encodeCause(ErrorCause.INVALID_STREAM_IDENTIFIER, info),
        ]),
      );
      this.sackNeeded = true;
      return true;
    }
    const res = iData
      ? r.handleIData(
          tsn,
          streamId,
          v.getUint32(off + 12),
          v.getUint32(off + 16),
          flags,
          data,
          off + I_DATA_HEADER_SIZE,
          off + len,
        )
      : r.handleData(
          tsn,
          streamId,
          v.getUint16(off + 10),
          v.getUint32(off + 12),
          flags,
          data,
          off + DATA_HEADER_SIZE,
          off + len,
        );
    if (res === DataResult.TooLarge) {
      this.violation('message larger than the maximum message size', 'received message too large');
      return false;
    }
    if (res === DataResult.Duplicate || (flags & DATA_FLAG_IMMEDIATE) !== 0) this.sackNeeded = true;
    return true;
  }

  private handleControl(
    type: number,
    data: Uint8Array,
    off: number,
    len: number,
    now: number,
  ): boolean {
    switch (type) {
      case ChunkType.INIT:
        this.handleInit(data, off, len, now);
        return false;
      case ChunkType.INIT_ACK:
        this.handleInitAck(data, off, len, now);
        return false;
      case ChunkType.COOKIE_ECHO:
        return this.handleCookieEcho(data.subarray(off + 4, off + len), now);
      case ChunkType.COOKIE_ACK:
        if (this.phase === Phase.CookieEchoed) this.established();
        return true;
      case ChunkType.SACK:
        return this.handleSack(data, off, len, now);
      case ChunkType.HEARTBEAT:
        if (this.phase >= Phase.Established) {
          this.ctrl.push(
            encodeChunk(ChunkType.HEARTBEAT_ACK, 0, data.subarray(off + 4, off + len)),
          );
        }
        return true;
      case ChunkType.HEARTBEAT_ACK:
        this.handleHeartbeatAck(data, off, len, now);
        return true;
      case ChunkType.ABORT: {
        const causes = decodeCauses(data, off, len);
        this.finish(
          `aborted by peer (${typeof causes === 'string' ? causes : describeCauses(causes)})`,
          true,
        );
        return false;
      }
      case ChunkType.SHUTDOWN:
        return this.handleShutdown(data, off, len, now);
      case ChunkType.SHUTDOWN_ACK:
        if (this.phase === Phase.ShutdownSent || this.phase === Phase.ShutdownAckSent) {
          this.packets.push(
            this.buildPacket(this.peerTag, [encodeChunk(ChunkType.SHUTDOWN_COMPLETE, 0)]),
          );
          this.finish('shutdown complete', false);
        }
        return false;
      case ChunkType.SHUTDOWN_COMPLETE:
        if (this.phase === Phase.ShutdownAckSent) this.finish('shutdown complete', false);
        return false;
      case ChunkType.ERROR:
        // Reports from the peer (unknown chunk types, stale cookies) need no action here.
        return true;
      case ChunkType.FORWARD_TSN:
        if (this.interleaved) return this.skipUnknown(type, data, off, len);
        return this.handleForwardTsn(data, off, len);
      case ChunkType.I_FORWARD_TSN:
        if (!this.interleaved) return this.skipUnknown(type, data, off, len);
        return this.handleForwardTsn(data, off, len);
      case ChunkType.RECONFIG:
        return this.handleReconfig(data, off, len, now);
      default:
        return this.skipUnknown(type, data, off, len);
    }
  }

  /** The two high bits of an unknown type say whether to skip it and whether to report it. */
  private skipUnknown(type: number, data: Uint8Array, off: number, len: number): boolean {
    const action = type >>> 6;
    if ((action === 1 || action === 3) && this.peerTag !== 0) {
      // The report quotes the chunk, cut short so that it fits in one packet.
      const chunk = data.subarray(off, off + Math.min(len, this.mtu - COMMON_HEADER_SIZE - 16));
      this.ctrl.push(
        encodeCauseChunk(ChunkType.ERROR, [encodeCause(ErrorCause.UNRECOGNIZED_CHUNK_TYPE, chunk)]),
      );
    }
    return action >= 2;
  }

  private handleInit(data: Uint8Array, off: number, len: number, now: number): void {
    if (this.phase > Phase.CookieEchoed) return; // No restart support: an INIT mid-association is ignored.
    const init = decodeInit(data, off, len);
    if (typeof init === 'string' || init.discard) return;
    if (init.initiateTag === 0) return;
    if (init.outboundStreams === 0 || init.inboundStreams === 0) {
      const abort = encodeCauseChunk(ChunkType.ABORT, [
        encodeCause(ErrorCause.INVALID_MANDATORY_PARAMETER),
      ]);
      this.packets.push(this.buildPacket(init.initiateTag, [abort], true));
      return;
    }
    const cookie = encodeCookie(
      {
        createdAt: now,
        localTag: this.localTag,
        peerTag: init.initiateTag,
        localInitialTsn: this.localInitialTsn,
        peerInitialTsn: init.initialTsn,
        peerRwnd: init.aRwnd,
        outboundStreams: Math.min(this.maxOutbound, init.inboundStreams),
        inboundStreams: Math.min(this.maxInbound, init.outboundStreams),
        peerZeroChecksum: init.zeroChecksum,
        peerForwardTsn: init.forwardTsn,
        peerReconfig: init.reconfig,
        peerIData: init.iData,
      },
      this.secret,
    );
    const initAck = encodeInit(
      ChunkType.INIT_ACK,
      withFields(this.initFields(), { cookie, unrecognized: init.unrecognized }),
    );
    this.packets.push(this.buildPacket(init.initiateTag, [initAck], true));
  }

  private handleInitAck(data: Uint8Array, off: number, len: number, now: number): void {
    if (this.phase !== Phase.CookieWait) return;
    const ack = decodeInit(data, off, len);
    if (typeof ack === 'string' || ack.discard || ack.initiateTag === 0) return;
    if (!ack.cookie || ack.outboundStreams === 0 || ack.inboundStreams === 0) {
      this.peerTag = ack.initiateTag;
      this.protocolAbort(
        ack.cookie
          ? ErrorCause.INVALID_MANDATORY_PARAMETER
          : ErrorCause.MISSING_MANDATORY_PARAMETER,
        undefined,
        'invalid INIT-ACK',
      );
      return;
    }
    this.setUp({
      createdAt: now,
      localTag: this.localTag,
      peerTag: ack.initiateTag,
      localInitialTsn: this.localInitialTsn,
      peerInitialTsn: ack.initialTsn,
      peerRwnd: ack.aRwnd,
      outboundStreams: Math.min(this.maxOutbound, ack.inboundStreams),
      inboundStreams: Math.min(this.maxInbound, ack.outboundStreams),
      peerZeroChecksum: ack.zeroChecksum,
      peerForwardTsn: ack.forwardTsn,
      peerReconfig: ack.reconfig,
      peerIData: ack.iData,
    });
    this.phase = Phase.CookieEchoed;
    this.t1Chunk = encodeChunk(ChunkType.COOKIE_ECHO, 0, ack.cookie);
    this.initRetries = 0;
    // First in its packet, as RFC 9260 5.1 requires of a COOKIE-ECHO that data travels with.
    this.ctrl.unshift(this.t1Chunk);
    this.t1At = now + this.rto.rto;
    this.events.push({ type: 'sendable' });
  }

  /** Creates the transmission control block from negotiated parameters. */
  private setUp(s: CookieState): void {
    this.peerTag = s.peerTag;
    this.inbound = s.inboundStreams;
    this.outbound = s.outboundStreams;
    this.zeroChecksumOut = this.zeroChecksumLocal && s.peerZeroChecksum;
    this.peerForwardTsn = s.peerForwardTsn;
    this.peerReconfig = s.peerReconfig;
    this.peerNextReconfigSeq = s.peerInitialTsn;
    this.interleaved = this.interleavingLocal && s.peerIData;
    this.dataHeaderSize = this.interleaved ? I_DATA_HEADER_SIZE : DATA_HEADER_SIZE;
    const maxPayload = this.mtu - COMMON_HEADER_SIZE - this.dataHeaderSize;
    this.sender = new DataSender(
      this.localInitialTsn,
      s.peerRwnd,
      s.outboundStreams,
      this.mtu,
      maxPayload,
      this.initialCwnd,
      this.rto,
      this.events,
      this.interleaved,
    );
    this.receiver = new DataReceiver(
      s.peerInitialTsn,
      this.window,
      this.maxMessageSize,
      this.events,
      this.interleaved,
    );
    if (this.maxMtu > this.mtu) {
      this.pmtu = new PmtuSearch(this.mtu, this.maxMtu);
      this.probeAt = this.now;
    }
  }

  private handleCookieEcho(cookieBytes: Uint8Array, now: number): boolean {
    const s = decodeCookie(cookieBytes, this.secret);
    if (!s || s.localTag !== this.localTag) return false;
    if (now - s.createdAt > this.cookieLifetime) {
      const info = u32Info(Math.min(0xffffffff, (now - s.createdAt) * 1000));
      const err = encodeCauseChunk(ChunkType.ERROR, [encodeCause(ErrorCause.STALE_COOKIE, info)]);
      this.packets.push(this.buildPacket(s.peerTag, [err], true));
      return false;
    }
    switch (this.phase) {
      case Phase.Closed:
      case Phase.CookieWait:
        this.setUp(s);
        this.ctrl.push(encodeChunk(ChunkType.COOKIE_ACK, 0));
        this.established();
        return true;
      case Phase.CookieEchoed:
        // Both sides sent INIT (RFC 9260 5.2.4, cases B and D): our TCB already holds the peer's parameters.
        this.peerTag = s.peerTag;
        this.ctrl.push(encodeChunk(ChunkType.COOKIE_ACK, 0));
        this.established();
        return true;
      default:
        // Our COOKIE-ACK was lost: acknowledge again.
        if (s.peerTag === this.peerTag && this.phase === Phase.Established) {
          this.ctrl.push(encodeChunk(ChunkType.COOKIE_ACK, 0));
        }
        return true;
    }
  }

  private established(): void {
    this.phase = Phase.Established;
    this.t1At = NEVER;
    this.t1Chunk = undefined;
    this.initRetries = 0;
    this.heartbeatAt = this.now + this.heartbeatInterval;
    // The first path MTU probe goes with the first data: larger packets from the start.
    if (this.pmtu?.searching) this.probeAt = this.now;
    this.events.push({ type: 'connected' });
  }

  private handleSack(data: Uint8Array, off: number, len: number, now: number): boolean {
    const sender = this.sender;
    if (!sender || this.phase < Phase.Established) return true;
    const err = decodeSack(data, off, len, this.sackView);
    if (err !== undefined) {
      this.violation(err);
      return false;
    }
    const out = sender.handleSack(this.sackView, now);
    if (out.invalid) {
      this.violation('SACK acknowledges a TSN never sent');
      return false;
    }
    if (out.advanced) this.errorCount = 0;
    return true;
  }

  private handleHeartbeatAck(data: Uint8Array, off: number, len: number, now: number): void {
    if (len < 16) return;
    const v = new DataView(data.buffer, data.byteOffset + off, len);
    if (len >= 4 + PROBE_INFO_LENGTH && v.getUint16(6) === PROBE_INFO_LENGTH) {
      this.handleProbeAck(v, now);
      return;
    }
    if (!this.heartbeatOutstanding) return;
    if (v.getUint16(4) !== 1 || v.getUint16(6) !== 12) return;
    const sentAt = v.getFloat64(8);
    this.heartbeatOutstanding = false;
    this.errorCount = 0;
    if (sentAt <= now) this.rto.sample(now - sentAt);
  }

  private handleProbeAck(v: DataView, now: number): void {
    const search = this.pmtu;
    if (search === undefined || v.getUint16(4) !== ParamType.HEARTBEAT_INFO) return;
    if (v.getUint32(8) !== PROBE_MAGIC) return;
    const sentAt = v.getFloat64(20);
    // An answer to an earlier probe (of this or another size) confirms nothing new.
    if (!search.acked(v.getUint32(12), v.getUint32(16))) return;
    this.applyPacketSize(search.current);
    if (sentAt <= now) this.rto.sample(now - sentAt);
    this.probeAt = search.searching ? now : NEVER;
  }

  private handleShutdown(data: Uint8Array, off: number, len: number, now: number): boolean {
    const sender = this.sender;
    if (!sender || this.phase < Phase.Established) return true;
    const cum = decodeShutdown(data, off, len);
    if (typeof cum === 'string') {
      this.violation(cum);
      return false;
    }
    // The cumulative TSN in SHUTDOWN acknowledges like a SACK without gaps.
    const sv = this.sackView;
    sv.cumTsnAck = cum;
    sv.aRwnd = sender.peerRwnd + sender.flightSize;
    sv.gapCount = 0;
    sv.dupCount = 0;
    sender.handleSack(sv, now);
    if (this.phase === Phase.Established || this.phase === Phase.ShutdownPending) {
      this.phase = Phase.ShutdownReceived;
    } else if (this.phase === Phase.ShutdownSent) {
      this.t2Chunk = encodeChunk(ChunkType.SHUTDOWN_ACK, 0);
      this.ctrl.push(this.t2Chunk);
      this.phase = Phase.ShutdownAckSent;
      this.t2At = now + this.rto.rto;
    }
    return true;
  }

  private progressShutdown(now: number): void {
    const sender = this.sender;
    if (!sender?.idle) return;
    if (this.phase === Phase.ShutdownPending) {
      this.t2Chunk = encodeShutdown(this.receiver!.cumTsn);
      this.ctrl.push(this.t2Chunk);
      this.phase = Phase.ShutdownSent;
      this.t2At = now + this.rto.rto;
    } else if (this.phase === Phase.ShutdownReceived) {
      this.t2Chunk = encodeChunk(ChunkType.SHUTDOWN_ACK, 0);
      this.ctrl.push(this.t2Chunk);
      this.phase = Phase.ShutdownAckSent;
      this.t2At = now + this.rto.rto;
    }
  }

  private handleForwardTsn(data: Uint8Array, off: number, len: number): boolean {
    const r = this.receiver;
    if (!r || this.phase < Phase.Established) return true;
    if (this.interleaved) {
      const fwd = decodeIForwardTsn(data, off, len);
      if (typeof fwd === 'string') {
        this.violation(fwd);
        return false;
      }
      r.handleIForwardTsn(fwd.newCumTsn, fwd.entries);
    } else {
      const fwd = decodeForwardTsn(data, off, len);
      if (typeof fwd === 'string') {
        this.violation(fwd);
        return false;
      }
      r.handleForwardTsn(fwd.newCumTsn, fwd.streams);
    }
    this.sackNeeded = true;
    return true;
  }

  // ---------------------------------------------------------------- stream reset (RFC 6525)

  private startReconfig(now: number): void {
    const sender = this.sender;
    if (this.pendingReconfig || !sender || this.phase !== Phase.Established) return;
    // A stream is reset only once everything queued on it has been given a TSN.
    const ready: number[] = [];
    for (let i = 0; i < this.resetWaiting.length; ) {
      const id = this.resetWaiting[i]!;
      if (sender.hasQueued(id)) {
        i++;
        continue;
      }
      ready.push(id);
      this.resetWaiting.splice(i, 1);
    }
    if (ready.length === 0) return;
    const seq = this.nextReconfigSeq;
    const param = encodeOutgoingResetParam(
      seq,
      tsnAdd(this.peerNextReconfigSeq, -1),
      tsnAdd(sender.nextTsn, -1),
      ready,
    );
    const chunk = encodeReconfig([param]);
    this.pendingReconfig = { seq, streams: ready, chunk };
    this.ctrl.push(chunk);
    this.reconfigAt = now + this.rto.rto;
  }

  private handleReconfig(data: Uint8Array, off: number, len: number, now: number): boolean {
    if (!this.receiver || this.phase < Phase.Established) return true;
    const params = decodeReconfig(data, off, len);
    if (typeof params === 'string') {
      this.violation(params);
      return false;
    }
    const responses: Uint8Array[] = [];
    for (const p of params) {
      if (p.type === 'response') this.handleReconfigResponse(p.responseSeq, p.result, now);
      else responses.push(this.handleReconfigRequest(p));
    }
    if (responses.length > 0) this.ctrl.push(encodeReconfig(responses));
    return true;
  }

  private handleReconfigRequest(p: Exclude<ReconfigParam, { type: 'response' }>): Uint8Array {
    const r = this.receiver!;
    const seq = p.requestSeq;
    let result: number;
    if (seq === this.peerNextReconfigSeq) {
      if (p.type !== 'outgoing-reset') {
        result = ReconfigResult.DENIED;
        this.peerNextReconfigSeq = tsnAdd(seq, 1);
        this.lastPeerReconfigResult = result;
      } else if (tsnLe(p.lastTsn, r.cumTsn)) {
        r.resetStreams(p.streams);
        result = ReconfigResult.SUCCESS_PERFORMED;
        this.peerNextReconfigSeq = tsnAdd(seq, 1);
        this.lastPeerReconfigResult = result;
        this.events.push({ type: 'stream-reset', streamIds: p.streams });
      } else {
        // Data before the reset point is still missing: the peer asks again later.
        result = ReconfigResult.IN_PROGRESS;
      }
    } else if (seq === tsnAdd(this.peerNextReconfigSeq, -1)) {
      result = this.lastPeerReconfigResult;
    } else {
      result = ReconfigResult.ERROR_BAD_SEQUENCE_NUMBER;
    }
    return encodeReconfigResponseParam(seq, result);
  }

  private handleReconfigResponse(seq: number, result: number, now: number): void {
    const req = this.pendingReconfig;
    if (!req || seq !== req.seq) return;
    if (result === ReconfigResult.IN_PROGRESS) {
      this.reconfigAt = now + this.rto.rto;
      return;
    }
    this.pendingReconfig = undefined;
    this.reconfigAt = NEVER;
    this.errorCount = 0;
    this.nextReconfigSeq = tsnAdd(this.nextReconfigSeq, 1);
    for (const id of req.streams) this.resetting.delete(id);
    if (
      result === ReconfigResult.SUCCESS_PERFORMED ||
      result === ReconfigResult.SUCCESS_NOTHING_TO_DO
    ) {
      for (const id of req.streams) this.sender?.resetSsn(id);
      this.events.push({ type: 'reset-complete', streamIds: req.streams });
    }
    this.startReconfig(now);
  }

  // ---------------------------------------------------------------- ending

  /** A PROTOCOL_VIOLATION abort whose cause carries `text`; `reason` is reported locally. */
  private violation(text: string, reason = text): void {
    this.protocolAbort(ErrorCause.PROTOCOL_VIOLATION, utf8.encode(text), reason);
  }

  private protocolAbort(cause: number, info: Uint8Array | undefined, reason: string): void {
    this.sendAbort(cause, info);
    this.finish(reason, true);
  }

  private sendAbort(cause: number, info?: Uint8Array): void {
    if (this.peerTag === 0) return;
    const abort = encodeCauseChunk(ChunkType.ABORT, [encodeCause(cause, info)]);
    this.packets.push(this.buildPacket(this.peerTag, [abort]));
  }

  private finish(reason: string, error: boolean): void {
    if (this.phase === Phase.Done) return;
    this.phase = Phase.Done;
    this.t1At = NEVER;
    this.t2At = NEVER;
    this.delayedAckAt = NEVER;
    this.reconfigAt = NEVER;
    this.heartbeatAt = NEVER;
    this.ctrl.length = 0;
    if (this.sender) this.sender.t3At = NEVER;
    this.events.push({ type: 'closed', reason, error });
  }

  // ---------------------------------------------------------------- output

  /** A complete packet of the given chunks (used for handshake, ABORT and other one-offs). */
  private buildPacket(vtag: number, chunks: Uint8Array[], forceCrc = false): Uint8Array {
    let size = COMMON_HEADER_SIZE;
    for (const c of chunks) size += pad4(c.length);
    const out = packets.alloc(size);
    const v = new DataView(out.buffer, out.byteOffset, size);
    v.setUint16(0, this.localPort);
    v.setUint16(2, this.remotePort);
    v.setUint32(4, vtag);
    let p = COMMON_HEADER_SIZE;
    for (const c of chunks) {
      out.set(c, p);
      p += pad4(c.length);
    }
    this.seal(out, v, forceCrc || chunks[0]![0] === ChunkType.INIT);
    return out;
  }

  private seal(out: Uint8Array, v: DataView, forceCrc: boolean): void {
    v.setUint32(8, this.zeroChecksumOut && !forceCrc ? 0 : sctpChecksum(out), true);
  }

  pollTransmit(): Uint8Array | undefined {
    if (this.packets.length > 0) return this.packets.shift();
    if (this.phase === Phase.Done || this.peerTag === 0) return undefined;
    const now = this.now;
    const mtu = this.mtu;
    let size = COMMON_HEADER_SIZE;

    const ctrl = this.ctrlScratch;
    ctrl.length = 0;
    let taken = 0;
    while (taken < this.ctrl.length) {
      const c = this.ctrl[taken]!;
      const need = pad4(c.length);
      if (size + need > mtu) {
        // A chunk bigger than a packet (a large HEARTBEAT echoed) goes alone rather than
        // blocking every control chunk behind it.
        if (taken > 0) break;
        taken++;
        ctrl.push(c);
        size += need;
        break;
      }
      taken++;
      ctrl.push(c);
      size += need;
    }
    if (taken > 0) this.ctrl.splice(0, taken);

    const sender = this.sender;
    const r = this.receiver;
    const dataPhase =
      this.phase === Phase.Established ||
      this.phase === Phase.ShutdownPending ||
      this.phase === Phase.ShutdownReceived ||
      (this.phase === Phase.CookieEchoed && ctrl[0] === this.t1Chunk);
    if (sender?.forwardTsnPending && this.peerForwardTsn && dataPhase) {
      const fwd = this.interleaved
        ? encodeIForwardTsn(sender.advancedPeerAckPoint, sender.forwardTsnStreams())
        : encodeForwardTsn(sender.advancedPeerAckPoint, sender.forwardTsnStreams());
      if (size + fwd.length <= mtu) {
        sender.forwardTsnPending = false;
        ctrl.push(fwd);
        size += fwd.length;
      }
    }

    // A SACK rides along whenever one is owed and data is about to go anyway.
    let sackSize = 0;
    const sackOwed = r !== undefined && this.phase >= Phase.Established;
    if (sackOwed && (this.sackNeeded || this.delayedAckAt !== NEVER)) {
      const wantNow =
        this.sackNeeded || (dataPhase && sender !== undefined && this.hasDataToSend());
      if (wantNow) {
        sackSize = r.sackSize(mtu - size);
        if (size + sackSize > mtu) sackSize = 0;
        else size += sackSize;
      }
    }

    const chunks = this.dataScratch;
    chunks.length = 0;
    const hdr = this.dataHeaderSize;
    if (sender && dataPhase) {
      const burst = sender.fastRtxBurst;
      sender.fastRtxBurst = false;
      for (;;) {
        const c = sender.peekRetransmission(now);
        if (!c) break;
        const need = hdr + pad4(c.payload.length);
        // A chunk cut for a larger packet size than now in use (path MTU discovery fell back)
        // goes alone: TSNs cannot be cut again.
        if (size + need > mtu && size > COMMON_HEADER_SIZE) break;
        if (!burst && sender.flightSize >= sender.cwnd) break;
        sender.takeRetransmission(c, now);
        chunks.push(c);
        size += need;
      }
      if (!sender.hasRetransmission()) {
        for (;;) {
          // Payload that fits after the chunks so far, whole 4-byte words (chunks are padded).
          const room = (mtu - size - hdr) & ~3;
          const n = sender.peekNewSize(now, room);
          if (n === 0) break;
          const need = hdr + pad4(n);
          if (size + need > mtu || !sender.canSendNew(n)) break;
          chunks.push(sender.takeNew(now, n));
          size += need;
        }
      }
    }

    if (ctrl.length === 0 && sackSize === 0 && chunks.length === 0) return undefined;

    const out = packets.alloc(size);
    const v = new DataView(out.buffer, out.byteOffset, size);
    v.setUint16(0, this.localPort);
    v.setUint16(2, this.remotePort);
    v.setUint32(4, this.peerTag);
    let p = COMMON_HEADER_SIZE;
    for (let i = 0; i < ctrl.length; i++) {
      const c = ctrl[i]!;
      out.set(c, p);
      p += pad4(c.length);
    }
    if (sackSize > 0) {
      r!.writeSack(out, v, p, sackSize);
      p += sackSize;
      this.sackNeeded = false;
      this.packetsSinceSack = 0;
      this.delayedAckAt = NEVER;
    }
    for (let i = 0; i < chunks.length; i++) {
      const c = chunks[i]!;
      const m = c.msg;
      const plen = c.payload.length;
      out[p + 1] = c.flags;
      v.setUint16(p + 2, hdr + plen);
      v.setUint32(p + 4, c.tsn);
      v.setUint16(p + 8, m.streamId);
      if (this.interleaved) {
        out[p] = ChunkType.I_DATA;
        v.setUint32(p + 12, m.mid);
        v.setUint32(p + 16, c.fsn === 0 ? m.ppid : c.fsn);
      } else {
        out[p] = ChunkType.DATA;
        v.setUint16(p + 10, m.mid);
        v.setUint32(p + 12, m.ppid);
      }
      out.set(c.payload, p + hdr);
      p += hdr + pad4(plen);
    }
    chunks.length = 0;
    ctrl.length = 0;
    // COOKIE-ECHO packets keep a real checksum: the peer may not have seen our INIT's parameters yet.
    this.seal(out, v, this.phase < Phase.Established);
    if (this.resetWaiting.length > 0) this.startReconfig(now);
    if (this.phase >= Phase.ShutdownPending && !this.isDone()) this.progressShutdown(now);
    return out;
  }

  private hasDataToSend(): boolean {
    const s = this.sender!;
    if (s.hasRetransmission()) return true;
    const n = s.peekNewSize(this.now);
    return n > 0 && s.canSendNew(n);
  }
}
