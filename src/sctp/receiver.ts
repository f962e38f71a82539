/**
 * The data receiver: TSN bookkeeping for SACKs (cumulative point, gaps, duplicates),
 * reassembly of fragmented messages, ordered delivery per stream, FORWARD-TSN skipping
 * (RFC 3758) and incoming stream resets (RFC 6525).
 *
 * TSNs above the cumulative point are tracked in a ring indexed by `tsn & mask`, so marking,
 * gap scanning and reassembly lookups are O(1) per chunk with no per-packet maps. The ring
 * starts small and doubles when a TSN or a fragment needs more room, up to RING_SIZE: an idle
 * association (most of them, on a server with thousands) costs a few KiB, not the whole window.
 */
import { copyBytes } from '../bytes/copy.js';
import { DATA_FLAG_BEGIN, DATA_FLAG_END, DATA_FLAG_UNORDERED } from './constants.js';
import type { EventQueue } from './events.js';
import { ssnLt, tsnAdd, tsnDiff, tsnLt } from './serial.js';

/** How far past the cumulative TSN a chunk may be and still be accepted. */
export const RING_SIZE = 1 << 16;
const INITIAL_RING_SIZE = 256;

interface Fragment {
  tsn: number;
  streamId: number;
  ssn: number;
  ppid: number;
  flags: number;
  data: Uint8Array;
}

/** An I-DATA message being reassembled: fragments by FSN. */
interface Reassembly {
  ppid: number;
  parts: (Uint8Array | undefined)[];
  count: number;
  bytes: number;
  /** FSN of the end fragment, -1 until it arrives. */
  lastFsn: number;
}

interface InboundStream {
  /** Next SSN (DATA, 16 bits) or MID (I-DATA, 32 bits) to deliver in order. */
  nextSsn: number;
  /** Complete ordered messages waiting for an earlier SSN/MID, by SSN/MID. */
  held?: Map<number, { ppid: number; data: Uint8Array }>;
  /** I-DATA reassembly by MID, ordered and unordered apart. */
  ordered?: Map<number, Reassembly>;
  unordered?: Map<number, Reassembly>;
}

const ADMITTED = -1;
/** What each stored piece costs beyond its bytes (object, array slot and map entry overhead). */
export const ITEM_COST = 64;

export enum DataResult {
  Accepted = 0,
  Duplicate = 1,
  Dropped = 2,
  TooLarge = 3,
}

export class DataReceiver {
  /** The last TSN received with no gap before it. */
  cumTsn: number;
  /** The highest TSN received. */
  highestTsn: number;
  /**
   * Memory charged for fragments and for ordered messages waiting for delivery: their bytes
   * plus ITEM_COST each, so that a flood of one-byte pieces cannot hold more objects than bytes.
   */
  bufferedBytes = 0;
  /**
   * Set while the packet being handled is the receiver's to keep (a buffer nobody else holds
   * or writes, like a freshly decrypted DTLS record): fragments and whole messages are then
   * views of it instead of copies. Reassembly copies fragments into the message anyway.
   */
  inputOwned = false;
  private received = new Uint8Array(INITIAL_RING_SIZE);
  private frags: (Fragment | undefined)[] = new Array(INITIAL_RING_SIZE);
  /** The ring's current size minus one. */
  private mask = INITIAL_RING_SIZE - 1;
  private dups: number[] = [];
  private streams = new Map<number, InboundStream>();

  constructor(
    peerInitialTsn: number,
    private readonly window: number,
    private readonly maxMessageSize: number,
    private readonly events: EventQueue,
    /** I-DATA negotiated: 32-bit MIDs and FSN-based reassembly (RFC 8260). */
    private readonly interleaved = false,
  ) {
    this.cumTsn = tsnAdd(peerInitialTsn, -1);
    this.highestTsn = this.cumTsn;
  }

  /** The receive window to advertise. */
  get aRwnd(): number {
    return Math.max(0, this.window - this.bufferedBytes);
  }

  get hasGaps(): boolean {
    return this.highestTsn !== this.cumTsn;
  }

  get duplicateCount(): number {
    return this.dups.length;
  }

  handleData(
    tsn: number,
    streamId: number,
    ssn: number,
    ppid: number,
    flags: number,
    buf: Uint8Array,
    start: number,
    end: number,
  ): DataResult {
    const len = end - start;
    const admit = this.admit(tsn, len);
    if (admit !== ADMITTED) return admit;
    let idx = tsn & this.mask;
    // A fragment kept for reassembly sits where this TSN goes: make room rather than lose it.
    for (
      let stored = this.frags[idx];
      stored !== undefined && stored.tsn !== tsn && this.mask < RING_SIZE - 1;
      stored = this.frags[idx]
    ) {
      this.grow(this.mask + 1);
      idx = tsn & this.mask;
    }
    this.received[idx] = 1;
    const holeFill = tsnLt(tsn, this.highestTsn);
    if (tsnLt(this.highestTsn, tsn)) this.highestTsn = tsn;
    let result = DataResult.Accepted;
    if ((flags & (DATA_FLAG_BEGIN | DATA_FLAG_END)) === (DATA_FLAG_BEGIN | DATA_FLAG_END)) {
      if (len > this.maxMessageSize) result = DataResult.TooLarge;
      else this.deliver(streamId, ssn, ppid, flags, this.take(buf, start, end));
    } else {
      const old = this.frags[idx];
      if (old) this.bufferedBytes -= old.data.length + ITEM_COST;
      const data = this.take(buf, start, end);
      this.frags[idx] = { tsn, streamId, ssn, ppid, flags, data };
      this.bufferedBytes += len + ITEM_COST;
      if ((flags & DATA_FLAG_END) !== 0 || holeFill) result = this.tryComplete(tsn);
    }
    this.advanceCum();
    // A full buffer with no gap means one message in progress is larger than the window.
    if (this.bufferedBytes > this.window && this.highestTsn === this.cumTsn) {
      return DataResult.TooLarge;
    }
    return result;
  }

  /** A chunk's payload to keep: a view of owned input, else a copy. */
  private take(buf: Uint8Array, start: number, end: number): Uint8Array {
    return this.inputOwned ? buf.subarray(start, end) : copyBytes(buf, start, end);
  }

  /** Whether a chunk with this TSN and payload size may be taken (ADMITTED) or not (why). */
  private admit(tsn: number, len: number): DataResult | typeof ADMITTED {
    const d = tsnDiff(this.cumTsn, tsn);
    if (d <= 0 || (d <= this.mask && this.received[tsn & this.mask] === 1)) {
      if (this.dups.length < 64) this.dups.push(tsn);
      return DataResult.Duplicate;
    }
    if (d >= RING_SIZE) return DataResult.Dropped;
    // Beyond the advertised window only the next expected TSN gets in, and not far beyond.
    const cost = len + ITEM_COST;
    if (this.bufferedBytes + cost > this.window) {
      if (d !== 1 || this.bufferedBytes + cost > this.window + 65536) return DataResult.Dropped;
    }
    if (d > this.mask) this.grow(d);
    return ADMITTED;
  }

  /** An I-DATA chunk (RFC 8260): `ppidOrFsn` is the PPID on a first fragment, else the FSN. */
  handleIData(
    tsn: number,
    streamId: number,
    mid: number,
    ppidOrFsn: number,
    flags: number,
    buf: Uint8Array,
    start: number,
    end: number,
  ): DataResult {
    const len = end - start;
    const admit = this.admit(tsn, len);
    if (admit !== ADMITTED) return admit;
    this.received[tsn & this.mask] = 1;
    if (tsnLt(this.highestTsn, tsn)) this.highestTsn = tsn;
    let result = DataResult.Accepted;
    const begin = (flags & DATA_FLAG_BEGIN) !== 0;
    const endFlag = (flags & DATA_FLAG_END) !== 0;
    if (begin && endFlag) {
      if (len > this.maxMessageSize) result = DataResult.TooLarge;
      else this.deliver(streamId, mid, ppidOrFsn, flags, this.take(buf, start, end));
    } else {
      result = this.addFragment(streamId, mid, ppidOrFsn, flags, buf, start, end);
    }
    this.advanceCum();
    return result;
  }

  private addFragment(
    streamId: number,
    mid: number,
    ppidOrFsn: number,
    flags: number,
    buf: Uint8Array,
    start: number,
    end: number,
  ): DataResult {
    const s = this.stream(streamId);
    const unordered = (flags & DATA_FLAG_UNORDERED) !== 0;
    if (!unordered && tsnLt(mid, s.nextSsn)) return DataResult.Accepted; // already skipped
    let map = unordered ? s.unordered : s.ordered;
    if (map === undefined) {
      map = new Map();
      if (unordered) s.unordered = map;
      else s.ordered = map;
    }
    const fsn = (flags & DATA_FLAG_BEGIN) !== 0 ? 0 : ppidOrFsn;
    // Every fragment carries at least one byte, so no valid FSN exceeds the message size limit.
    if (fsn > this.maxMessageSize) return DataResult.TooLarge;
    let r = map.get(mid);
    if (!r) {
      r = { ppid: 0, parts: [], count: 0, bytes: 0, lastFsn: -1 };
      map.set(mid, r);
    }
    if ((flags & DATA_FLAG_BEGIN) !== 0) r.ppid = ppidOrFsn;
    if ((flags & DATA_FLAG_END) !== 0) r.lastFsn = fsn;
    if (r.parts[fsn] !== undefined) return DataResult.Accepted;
    const len = end - start;
    r.parts[fsn] = this.take(buf, start, end);
    r.count++;
    r.bytes += len;
    this.bufferedBytes += len + ITEM_COST;
    if (r.bytes > this.maxMessageSize) return DataResult.TooLarge;
    if (r.lastFsn < 0 || r.count !== r.lastFsn + 1) return DataResult.Accepted;
    map.delete(mid);
    this.bufferedBytes -= r.bytes + r.count * ITEM_COST;
    const data = new Uint8Array(r.bytes);
    let off = 0;
    for (let i = 0; i <= r.lastFsn; i++) {
      const part = r.parts[i];
      if (!part) return DataResult.TooLarge; // inconsistent FSNs: cannot be a valid message
      data.set(part, off);
      off += part.length;
    }
    this.deliver(streamId, mid, r.ppid, flags, data);
    return DataResult.Accepted;
  }

  /** A TSN whose chunk is acknowledged but discarded (an invalid stream id, RFC 9260 6.5). */
  handleForeignTsn(tsn: number): void {
    const d = tsnDiff(this.cumTsn, tsn);
    if (d <= 0 || d >= RING_SIZE) return;
    if (d > this.mask) this.grow(d);
    this.received[tsn & this.mask] = 1;
    if (tsnLt(this.highestTsn, tsn)) this.highestTsn = tsn;
    this.advanceCum();
  }

  /**
   * Doubles the ring until offset `d` from the cumulative TSN fits. Marks live only between
   * the cumulative and the highest TSN, and stored fragments carry their TSN, so both move to
   * their slots in the larger ring without colliding.
   */
  private grow(d: number): void {
    let size = this.mask + 1;
    while (size <= d && size < RING_SIZE) size *= 2;
    if (size === this.mask + 1) return;
    const mask = size - 1;
    const received = new Uint8Array(size);
    const frags: (Fragment | undefined)[] = new Array(size);
    const span = tsnDiff(this.cumTsn, this.highestTsn);
    for (let off = 1; off <= span; off++) {
      const t = tsnAdd(this.cumTsn, off);
      if (this.received[t & this.mask] === 1) received[t & mask] = 1;
    }
    for (const f of this.frags) if (f !== undefined) frags[f.tsn & mask] = f;
    this.received = received;
    this.frags = frags;
    this.mask = mask;
  }

  private advanceCum(): void {
    const r = this.received;
    const mask = this.mask;
    let next = tsnAdd(this.cumTsn, 1);
    while (r[next & mask] === 1 && tsnLt(this.cumTsn, this.highestTsn)) {
      r[next & mask] = 0;
      this.cumTsn = next;
      next = tsnAdd(next, 1);
    }
  }

  private sameMessage(a: Fragment, b: Fragment): boolean {
    if (a.streamId !== b.streamId) return false;
    if ((a.flags & DATA_FLAG_UNORDERED) !== (b.flags & DATA_FLAG_UNORDERED)) return false;
    return (a.flags & DATA_FLAG_UNORDERED) !== 0 || a.ssn === b.ssn;
  }

  /** Assembles the message containing `tsn` if all its fragments are here. */
  private tryComplete(tsn: number): DataResult {
    const f = this.frags[tsn & this.mask]!;
    let first = tsn;
    let cur = f;
    let total = f.data.length;
    let pieces = 1;
    while ((cur.flags & DATA_FLAG_BEGIN) === 0) {
      const prev = tsnAdd(first, -1);
      const p = this.frags[prev & this.mask];
      if (!p || p.tsn !== prev || !this.sameMessage(p, f)) return DataResult.Accepted;
      first = prev;
      cur = p;
      total += p.data.length;
      pieces++;
    }
    let last = tsn;
    cur = f;
    while ((cur.flags & DATA_FLAG_END) === 0) {
      const next = tsnAdd(last, 1);
      const n = this.frags[next & this.mask];
      if (!n || n.tsn !== next || !this.sameMessage(n, f)) return DataResult.Accepted;
      last = next;
      cur = n;
      total += n.data.length;
      pieces++;
    }
    if (total > this.maxMessageSize) return DataResult.TooLarge;
    const data = new Uint8Array(total);
    let off = 0;
    for (let t = first; ; t = tsnAdd(t, 1)) {
      const i = t & this.mask;
      const part = this.frags[i]!;
      data.set(part.data, off);
      off += part.data.length;
      this.frags[i] = undefined;
      if (t === last) break;
    }
    this.bufferedBytes -= total + pieces * ITEM_COST;
    this.deliver(f.streamId, f.ssn, f.ppid, f.flags, data);
    return DataResult.Accepted;
  }

  private stream(streamId: number): InboundStream {
    let s = this.streams.get(streamId);
    if (!s) {
      s = { nextSsn: 0 };
      this.streams.set(streamId, s);
    }
    return s;
  }

  private deliver(streamId: number, ssn: number, ppid: number, flags: number, data: Uint8Array) {
    if ((flags & DATA_FLAG_UNORDERED) !== 0) {
      this.events.push({ type: 'message', streamId, ppid, data });
      return;
    }
    const s = this.stream(streamId);
    if (ssn === s.nextSsn) {
      this.events.push({ type: 'message', streamId, ppid, data });
      s.nextSsn = this.nextSeq(s.nextSsn);
      this.releaseHeld(streamId, s);
    } else if (this.seqLt(s.nextSsn, ssn)) {
      s.held ??= new Map();
      if (!s.held.has(ssn)) {
        s.held.set(ssn, { ppid, data });
        this.bufferedBytes += data.length + ITEM_COST;
      }
    }
    // An SSN behind the expected one is a stale message (skipped by FORWARD-TSN): dropped.
  }

  private releaseHeld(streamId: number, s: InboundStream): void {
    const held = s.held;
    if (!held || held.size === 0) return;
    for (let m = held.get(s.nextSsn); m; m = held.get(s.nextSsn)) {
      held.delete(s.nextSsn);
      this.bufferedBytes -= m.data.length + ITEM_COST;
      this.events.push({ type: 'message', streamId, ppid: m.ppid, data: m.data });
      s.nextSsn = this.nextSeq(s.nextSsn);
    }
  }

  /** The sequence number after `n`: 16-bit SSNs with DATA, 32-bit MIDs with I-DATA. */
  private nextSeq(n: number): number {
    return this.interleaved ? (n + 1) >>> 0 : (n + 1) & 0xffff;
  }

  private seqLt(a: number, b: number): boolean {
    return this.interleaved ? tsnLt(a, b) : ssnLt(a, b);
  }

  /**
   * FORWARD-TSN: treat everything up to `newCumTsn` as received, drop the fragments of the
   * abandoned messages, and let each listed ordered stream move past the skipped SSN.
   * Returns false when the chunk is not acceptable (too far ahead).
   */
  handleForwardTsn(newCumTsn: number, streams: number[]): boolean {
    if (!this.skipTsns(newCumTsn)) return false;
    for (let i = 0; i + 1 < streams.length; i += 2) {
      this.skipOrdered(streams[i]!, streams[i + 1]!);
    }
    return true;
  }

  /**
   * I-FORWARD-TSN (RFC 8260 2.3): `entries` holds (stream, unordered flag, MID) triples; partial
   * messages up to each MID are dropped and ordered delivery moves past it.
   */
  handleIForwardTsn(newCumTsn: number, entries: number[]): boolean {
    if (!this.skipTsns(newCumTsn)) return false;
    for (let i = 0; i + 2 < entries.length; i += 3) {
      const streamId = entries[i]!;
      const unordered = entries[i + 1] !== 0;
      const mid = entries[i + 2]!;
      const s = this.stream(streamId);
      const map = unordered ? s.unordered : s.ordered;
      if (map) {
        for (const [m, r] of map) {
          if (tsnLt(mid, m)) continue;
          map.delete(m);
          this.bufferedBytes -= r.bytes + r.count * ITEM_COST;
        }
      }
      if (!unordered) this.skipOrdered(streamId, mid);
    }
    return true;
  }

  private skipTsns(newCumTsn: number): boolean {
    const d = tsnDiff(this.cumTsn, newCumTsn);
    if (d >= RING_SIZE) return false;
    if (d > 0) {
      // Fragments of a partly received abandoned message sit just at or below the old cum.
      for (let t = this.cumTsn; ; t = tsnAdd(t, -1)) {
        const i = t & this.mask;
        const f = this.frags[i];
        if (!f || f.tsn !== t) break;
        this.frags[i] = undefined;
        this.bufferedBytes -= f.data.length + ITEM_COST;
      }
      for (let t = tsnAdd(this.cumTsn, 1), n = 0; n < d; t = tsnAdd(t, 1), n++) {
        const i = t & this.mask;
        this.received[i] = 0;
        const f = this.frags[i];
        if (f && f.tsn === t) {
          this.frags[i] = undefined;
          this.bufferedBytes -= f.data.length + ITEM_COST;
        }
      }
      this.cumTsn = newCumTsn;
      if (tsnLt(this.highestTsn, newCumTsn)) this.highestTsn = newCumTsn;
      this.advanceCum();
    }
    return true;
  }

  /** Ordered delivery on `streamId` moves past `ssn`: held messages up to it go out first. */
  private skipOrdered(streamId: number, ssn: number): void {
    const s = this.stream(streamId);
    if (this.seqLt(ssn, s.nextSsn)) return;
    const held = s.held;
    if (held && held.size > 0) {
      // Held messages are few; visit them in sequence order rather than walking every number.
      const keys = [...held.keys()].filter((k) => !this.seqLt(ssn, k));
      keys.sort((x, y) => (this.seqLt(x, y) ? -1 : 1));
      for (const k of keys) {
        const m = held.get(k)!;
        held.delete(k);
        this.bufferedBytes -= m.data.length + ITEM_COST;
        this.events.push({ type: 'message', streamId, ppid: m.ppid, data: m.data });
      }
    }
    s.nextSsn = this.nextSeq(ssn);
    this.releaseHeld(streamId, s);
  }

  /** Incoming SSN reset (the peer reset its outgoing streams): expected SSNs go back to 0. */
  resetStreams(streamIds: number[]): void {
    if (streamIds.length === 0) {
      for (const s of this.streams.values()) this.dropStream(s);
      this.streams.clear();
      return;
    }
    for (const id of streamIds) {
      const s = this.streams.get(id);
      if (s) {
        this.dropStream(s);
        this.streams.delete(id);
      }
    }
  }

  private dropStream(s: InboundStream): void {
    if (s.held) for (const m of s.held.values()) this.bufferedBytes -= m.data.length + ITEM_COST;
    for (const map of [s.ordered, s.unordered]) {
      if (map) for (const r of map.values()) this.bufferedBytes -= r.bytes + r.count * ITEM_COST;
    }
  }

  /** Size in bytes of the SACK chunk `writeSack` would produce within `maxSize`. */
  sackSize(maxSize: number): number {
    const gaps = this.countGaps();
    let n = 16 + gaps * 4 + this.dups.length * 4;
    if (n > maxSize) n = Math.max(16, maxSize - (maxSize % 4));
    return n;
  }

  private countGaps(): number {
    if (this.highestTsn === this.cumTsn) return 0;
    const r = this.received;
    const span = Math.min(tsnDiff(this.cumTsn, this.highestTsn), 0xffff);
    let gaps = 0;
    let inRun = false;
    for (let off = 1; off <= span; off++) {
      const got = r[(this.cumTsn + off) & this.mask] === 1;
      if (got && !inRun) gaps++;
      inRun = got;
    }
    return gaps;
  }

  /** Writes a SACK chunk of exactly `size` bytes (from `sackSize`) at `off` and clears dups. */
  writeSack(out: Uint8Array, v: DataView, off: number, size: number): void {
    out[off] = 3;
    out[off + 1] = 0;
    v.setUint16(off + 2, size);
    v.setUint32(off + 4, this.cumTsn);
    v.setUint32(off + 8, this.aRwnd);
    let room = (size - 16) >>> 2;
    let gaps = 0;
    let p = off + 16;
    if (this.highestTsn !== this.cumTsn) {
      const r = this.received;
      const span = tsnDiff(this.cumTsn, this.highestTsn);
      let runStart = 0;
      // Offsets in a gap block are 16-bit: blocks beyond 65535 are left for later SACKs.
      const limit = Math.min(span, 0xffff);
      for (let o = 1; o <= limit + 1 && room > 0; o++) {
        const got = o <= limit && r[(this.cumTsn + o) & this.mask] === 1;
        if (got && runStart === 0) runStart = o;
        else if (!got && runStart !== 0) {
          v.setUint16(p, runStart);
          v.setUint16(p + 2, o - 1);
          p += 4;
          gaps++;
          room--;
          runStart = 0;
        }
      }
    }
    let dups = 0;
    while (room > 0 && dups < this.dups.length) {
      v.setUint32(p, this.dups[dups]!);
      p += 4;
      dups++;
      room--;
    }
    this.dups.length = 0;
    v.setUint16(off + 12, gaps);
    v.setUint16(off + 14, dups);
    // Any unused room (when blocks were cut at 16-bit offsets) shrinks the chunk.
    if (p !== off + size) {
      v.setUint16(off + 2, p - off);
      out.fill(0, p, off + size);
    }
  }
}
