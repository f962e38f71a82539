/**
 * Encoders and decoders for SCTP control chunks. Decoders take the packet buffer plus the
 * chunk's offset and length (header included, padding excluded) and return either the decoded
 * value or a string describing why the chunk is malformed; they never throw.
 */
import { ChunkType, EDMID_DTLS, ParamType } from './constants.js';

export type Decoded<T> = T | string;

export interface InitChunk {
  initiateTag: number;
  aRwnd: number;
  outboundStreams: number;
  inboundStreams: number;
  initialTsn: number;
  /** State cookie (INIT-ACK only): a subarray of the packet. */
  cookie?: Uint8Array;
  zeroChecksum: boolean;
  forwardTsn: boolean;
  reconfig: boolean;
  iData: boolean;
  /** Unrecognized parameters whose type asks to be reported (RFC 9260 3.2.1). */
  unrecognized: Uint8Array[];
  /** An unrecognized parameter told us to stop processing and discard the chunk. */
  discard: boolean;
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

export function decodeInit(buf: Uint8Array, off: number, len: number): Decoded<InitChunk> {
  if (len < 20) return 'INIT shorter than 20 bytes';
  const v = new DataView(buf.buffer, buf.byteOffset + off, len);
  const init: InitChunk = {
    initiateTag: v.getUint32(4),
    aRwnd: v.getUint32(8),
    outboundStreams: v.getUint16(12),
    inboundStreams: v.getUint16(14),
    initialTsn: v.getUint32(16),
    zeroChecksum: false,
    forwardTsn: false,
    reconfig: false,
    iData: false,
    unrecognized: [],
    discard: false,
  };
  let p = 20;
  while (p + 4 <= len) {
    const type = v.getUint16(p);
    const plen = v.getUint16(p + 2);
    if (plen < 4 || p + plen > len) return 'INIT parameter length out of range';
    const body = off + p + 4;
    switch (type) {
      case ParamType.STATE_COOKIE:
        init.cookie = buf.subarray(body, off + p + plen);
        break;
      case ParamType.ZERO_CHECKSUM_ACCEPTABLE:
        if (plen >= 8 && v.getUint32(p + 4) === EDMID_DTLS) init.zeroChecksum = true;
        break;
      case ParamType.FORWARD_TSN_SUPPORTED:
        init.forwardTsn = true;
        break;
      case ParamType.SUPPORTED_EXTENSIONS:
        for (let i = 4; i < plen; i++) {
          const t = v.getUint8(p + i);
          if (t === ChunkType.FORWARD_TSN) init.forwardTsn = true;
          else if (t === ChunkType.RECONFIG) init.reconfig = true;
          else if (t === ChunkType.I_DATA) init.iData = true;
        }
        break;
      case ParamType.SUPPORTED_ADDRESS_TYPES:
      case ParamType.COOKIE_PRESERVATIVE:
        break;
      default: {
        // The two high bits say what to do with a parameter we do not know.
        const action = type >>> 14;
        if (action === 1 || action === 3)
          init.unrecognized.push(buf.subarray(off + p, off + p + plen));
        if (action === 0 || action === 1) {
          init.discard = true;
          return init;
        }
      }
    }
    p += pad4(plen);
  }
  return init;
}

export interface InitFields {
  initiateTag: number;
  aRwnd: number;
  outboundStreams: number;
  inboundStreams: number;
  initialTsn: number;
  zeroChecksum: boolean;
  /** Announce I-DATA and I-FORWARD-TSN (RFC 8260). */
  interleaving?: boolean;
  cookie?: Uint8Array;
  unrecognized?: Uint8Array[];
}

/** The extensions this implementation supports, announced in INIT and INIT-ACK. */
const BASE_EXTENSIONS = [ChunkType.FORWARD_TSN, ChunkType.RECONFIG];
const INTERLEAVING_EXTENSIONS = [...BASE_EXTENSIONS, ChunkType.I_DATA, ChunkType.I_FORWARD_TSN];

export function encodeInit(type: number, f: InitFields): Uint8Array {
  const SUPPORTED_EXTENSIONS = f.interleaving ? INTERLEAVING_EXTENSIONS : BASE_EXTENSIONS;
  let len = 20;
  len += pad4(4 + SUPPORTED_EXTENSIONS.length);
  len += 4; // Forward-TSN-Supported
  if (f.zeroChecksum) len += 8;
  if (f.cookie) len += pad4(4 + f.cookie.length);
  if (f.unrecognized) for (const u of f.unrecognized) len += 4 + pad4(u.length);
  const out = new Uint8Array(len);
  const v = new DataView(out.buffer);
  v.setUint8(0, type);
  v.setUint32(4, f.initiateTag);
  v.setUint32(8, f.aRwnd);
  v.setUint16(12, f.outboundStreams);
  v.setUint16(14, f.inboundStreams);
  v.setUint32(16, f.initialTsn);
  let p = 20;
  v.setUint16(p, ParamType.SUPPORTED_EXTENSIONS);
  v.setUint16(p + 2, 4 + SUPPORTED_EXTENSIONS.length);
  for (let i = 0; i < SUPPORTED_EXTENSIONS.length; i++) out[p + 4 + i] = SUPPORTED_EXTENSIONS[i]!;
  p += pad4(4 + SUPPORTED_EXTENSIONS.length);
  v.setUint16(p, ParamType.FORWARD_TSN_SUPPORTED);
  v.setUint16(p + 2, 4);
  p += 4;
  if (f.zeroChecksum) {
    v.setUint16(p, ParamType.ZERO_CHECKSUM_ACCEPTABLE);
    v.setUint16(p + 2, 8);
    v.setUint32(p + 4, EDMID_DTLS);
    p += 8;
  }
  if (f.cookie) {
    v.setUint16(p, ParamType.STATE_COOKIE);
    v.setUint16(p + 2, 4 + f.cookie.length);
    out.set(f.cookie, p + 4);
    p += pad4(4 + f.cookie.length);
  }
  if (f.unrecognized) {
    for (const u of f.unrecognized) {
      v.setUint16(p, ParamType.UNRECOGNIZED_PARAMETER);
      v.setUint16(p + 2, 4 + u.length);
      out.set(u, p + 4);
      p += 4 + pad4(u.length);
    }
  }
  v.setUint16(2, p);
  return out;
}

/** A chunk of `type` whose value is `body` (padded to four bytes). */
export function encodeChunk(type: number, flags: number, body?: Uint8Array): Uint8Array {
  const blen = body ? body.length : 0;
  const out = new Uint8Array(4 + pad4(blen));
  out[0] = type;
  out[1] = flags;
  out[2] = (4 + blen) >>> 8;
  out[3] = (4 + blen) & 0xff;
  if (body) out.set(body, 4);
  return out;
}

export function encodeShutdown(cumTsn: number): Uint8Array {
  const out = new Uint8Array(8);
  const v = new DataView(out.buffer);
  v.setUint8(0, ChunkType.SHUTDOWN);
  v.setUint16(2, 8);
  v.setUint32(4, cumTsn);
  return out;
}

export function decodeShutdown(buf: Uint8Array, off: number, len: number): Decoded<number> {
  if (len < 8) return 'SHUTDOWN shorter than 8 bytes';
  return new DataView(buf.buffer, buf.byteOffset + off, len).getUint32(4);
}

export interface ErrorCauseValue {
  code: number;
  info: Uint8Array;
}

/** One error cause TLV (code, length, info), padded. */
export function encodeCause(code: number, info?: Uint8Array): Uint8Array {
  const ilen = info ? info.length : 0;
  const out = new Uint8Array(pad4(4 + ilen));
  out[0] = code >>> 8;
  out[1] = code & 0xff;
  out[2] = (4 + ilen) >>> 8;
  out[3] = (4 + ilen) & 0xff;
  if (info) out.set(info, 4);
  return out;
}

/** ABORT or ERROR carrying the given causes; `tBit` marks an ABORT sent with the peer's tag reflected. */
export function encodeCauseChunk(type: number, causes: Uint8Array[], tBit = false): Uint8Array {
  let len = 4;
  for (const c of causes) len += c.length;
  const out = new Uint8Array(len);
  out[0] = type;
  out[1] = tBit ? 1 : 0;
  let p = 4;
  for (const c of causes) {
    out.set(c, p);
    p += c.length;
  }
  // The last cause's padding is not part of the chunk length.
  let unpadded = len;
  if (causes.length > 0) {
    const last = causes[causes.length - 1]!;
    unpadded = len - last.length + ((last[2]! << 8) | last[3]!);
  }
  out[2] = unpadded >>> 8;
  out[3] = unpadded & 0xff;
  return out;
}

export function decodeCauses(
  buf: Uint8Array,
  off: number,
  len: number,
): Decoded<ErrorCauseValue[]> {
  const out: ErrorCauseValue[] = [];
  let p = 4;
  while (p + 4 <= len) {
    const code = (buf[off + p]! << 8) | buf[off + p + 1]!;
    const clen = (buf[off + p + 2]! << 8) | buf[off + p + 3]!;
    if (clen < 4 || p + clen > len) return 'error cause length out of range';
    out.push({ code, info: buf.subarray(off + p + 4, off + p + clen) });
    p += pad4(clen);
  }
  return out;
}

/** A human-readable summary of causes, for the closed event's reason. */
export function describeCauses(causes: ErrorCauseValue[]): string {
  if (causes.length === 0) return 'no cause given';
  return causes
    .map((c) => {
      if (c.code === 12 && c.info.length > 0)
        return `user abort: ${new TextDecoder().decode(c.info)}`;
      if (c.code === 13 && c.info.length > 0)
        return `protocol violation: ${new TextDecoder().decode(c.info)}`;
      return `cause ${c.code}`;
    })
    .join(', ');
}

/** A decoded SACK; gap blocks and duplicate TSNs are read from the packet in place. */
export interface SackView {
  cumTsnAck: number;
  aRwnd: number;
  gapCount: number;
  dupCount: number;
  /** Offset in `buf` of the first gap block (each four bytes: start, end offsets from cum). */
  gapOffset: number;
  buf: Uint8Array;
}

export function decodeSack(
  buf: Uint8Array,
  off: number,
  len: number,
  out: SackView,
): string | undefined {
  if (len < 16) return 'SACK shorter than 16 bytes';
  const v = new DataView(buf.buffer, buf.byteOffset + off, len);
  const gapCount = v.getUint16(12);
  const dupCount = v.getUint16(14);
  if (16 + gapCount * 4 + dupCount * 4 > len) return 'SACK gap/dup counts exceed its length';
  out.cumTsnAck = v.getUint32(4);
  out.aRwnd = v.getUint32(8);
  out.gapCount = gapCount;
  out.dupCount = dupCount;
  out.gapOffset = off + 16;
  out.buf = buf;
  for (let i = 0; i < gapCount; i++) {
    const s = v.getUint16(16 + i * 4);
    const e = v.getUint16(18 + i * 4);
    if (s === 0 || e < s) return 'SACK gap block out of order';
  }
  return undefined;
}

export interface ForwardTsnChunk {
  newCumTsn: number;
  /** Interleaved stream id, SSN pairs. */
  streams: number[];
}

export function decodeForwardTsn(
  buf: Uint8Array,
  off: number,
  len: number,
): Decoded<ForwardTsnChunk> {
  if (len < 8 || (len - 8) % 4 !== 0) return 'FORWARD-TSN length invalid';
  const v = new DataView(buf.buffer, buf.byteOffset + off, len);
  const streams: number[] = [];
  for (let p = 8; p < len; p += 4) streams.push(v.getUint16(p), v.getUint16(p + 2));
  return { newCumTsn: v.getUint32(4), streams };
}

export function encodeForwardTsn(newCumTsn: number, streams: number[]): Uint8Array {
  const len = 8 + streams.length * 2;
  const out = new Uint8Array(len);
  const v = new DataView(out.buffer);
  v.setUint8(0, ChunkType.FORWARD_TSN);
  v.setUint16(2, len);
  v.setUint32(4, newCumTsn);
  for (let i = 0; i < streams.length; i++) v.setUint16(8 + i * 2, streams[i]!);
  return out;
}

/** I-FORWARD-TSN (RFC 8260 2.3): `entries` holds (stream, unordered flag, MID) triples. */
export function decodeIForwardTsn(
  buf: Uint8Array,
  off: number,
  len: number,
): Decoded<{ newCumTsn: number; entries: number[] }> {
  if (len < 8 || (len - 8) % 8 !== 0) return 'I-FORWARD-TSN length invalid';
  const v = new DataView(buf.buffer, buf.byteOffset + off, len);
  const entries: number[] = [];
  for (let p = 8; p < len; p += 8) {
    entries.push(v.getUint16(p), v.getUint16(p + 2) & 1, v.getUint32(p + 4));
  }
  return { newCumTsn: v.getUint32(4), entries };
}

export function encodeIForwardTsn(newCumTsn: number, entries: number[]): Uint8Array {
  const n = Math.floor(entries.length / 3);
  const len = 8 + n * 8;
  const out = new Uint8Array(len);
  const v = new DataView(out.buffer);
  v.setUint8(0, ChunkType.I_FORWARD_TSN);
  v.setUint16(2, len);
  v.setUint32(4, newCumTsn);
  for (let i = 0; i < n; i++) {
    v.setUint16(8 + i * 8, entries[i * 3]!);
    v.setUint16(10 + i * 8, entries[i * 3 + 1]! & 1);
    v.setUint32(12 + i * 8, entries[i * 3 + 2]!);
  }
  return out;
}

export type ReconfigParam =
  | {
      type: 'outgoing-reset';
      requestSeq: number;
      responseSeq: number;
      lastTsn: number;
      streams: number[];
    }
  | { type: 'response'; responseSeq: number; result: number }
  | { type: 'other'; paramType: number; requestSeq: number };

export function decodeReconfig(
  buf: Uint8Array,
  off: number,
  len: number,
): Decoded<ReconfigParam[]> {
  const v = new DataView(buf.buffer, buf.byteOffset + off, len);
  const out: ReconfigParam[] = [];
  let p = 4;
  while (p + 4 <= len) {
    const type = v.getUint16(p);
    const plen = v.getUint16(p + 2);
    if (plen < 8 || p + plen > len) return 'RE-CONFIG parameter length out of range';
    if (type === 13) {
      if (plen < 16 || (plen - 16) % 2 !== 0) return 'outgoing reset request length invalid';
      const streams: number[] = [];
      for (let i = 16; i < plen; i += 2) streams.push(v.getUint16(p + i));
      out.push({
        type: 'outgoing-reset',
        requestSeq: v.getUint32(p + 4),
        responseSeq: v.getUint32(p + 8),
        lastTsn: v.getUint32(p + 12),
        streams,
      });
    } else if (type === 16) {
      if (plen < 12) return 'reconfig response too short';
      out.push({ type: 'response', responseSeq: v.getUint32(p + 4), result: v.getUint32(p + 8) });
    } else {
      out.push({ type: 'other', paramType: type, requestSeq: v.getUint32(p + 4) });
    }
    p += pad4(plen);
  }
  if (out.length === 0) return 'RE-CONFIG without parameters';
  return out;
}

export function encodeOutgoingResetParam(
  requestSeq: number,
  responseSeq: number,
  lastTsn: number,
  streams: number[],
): Uint8Array {
  const plen = 16 + streams.length * 2;
  const out = new Uint8Array(pad4(plen));
  const v = new DataView(out.buffer);
  v.setUint16(0, 13);
  v.setUint16(2, plen);
  v.setUint32(4, requestSeq);
  v.setUint32(8, responseSeq);
  v.setUint32(12, lastTsn);
  for (let i = 0; i < streams.length; i++) v.setUint16(16 + i * 2, streams[i]!);
  return out;
}

export function encodeReconfigResponseParam(responseSeq: number, result: number): Uint8Array {
  const out = new Uint8Array(12);
  const v = new DataView(out.buffer);
  v.setUint16(0, 16);
  v.setUint16(2, 12);
  v.setUint32(4, responseSeq);
  v.setUint32(8, result);
  return out;
}

export function encodeReconfig(params: Uint8Array[]): Uint8Array {
  let len = 4;
  for (const p of params) len += p.length;
  const out = new Uint8Array(len);
  out[0] = ChunkType.RECONFIG;
  out[2] = len >>> 8;
  out[3] = len & 0xff;
  let p = 4;
  for (const x of params) {
    out.set(x, p);
    p += x.length;
  }
  return out;
}
