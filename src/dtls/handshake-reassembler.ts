/**
 * Reassembles handshake messages from fragments that may arrive duplicated, overlapping or out
 * of order (RFC 6347 4.2.3), and releases them strictly in message_seq order.
 */
import { HANDSHAKE_HEADER_LENGTH } from './constants.js';

/** Messages further ahead than this are dropped rather than buffered. */
const MAX_AHEAD = 16;
/** No handshake message of ours or a sane peer's comes near this (certificate chains). */
export const MAX_HANDSHAKE_MESSAGE = 0x10000;

/** A message whose fragments are being collected: which of its bytes have arrived. */
export interface PartialMessage {
  body: Uint8Array;
  filled: Uint8Array;
  missing: number;
}

export function newPartialMessage(length: number): PartialMessage {
  return { body: new Uint8Array(length), filled: new Uint8Array(length), missing: length };
}

/** Copies a fragment in (the caller has checked it fits) and counts the bytes it newly covers. */
export function fillFragment(p: PartialMessage, fragment: Uint8Array, offset: number): void {
  p.body.set(fragment, offset);
  for (let i = offset; i < offset + fragment.length; i++) {
    if (p.filled[i] === 0) {
      p.filled[i] = 1;
      p.missing--;
    }
  }
}

interface Partial extends PartialMessage {
  type: number;
}

/** The 12-byte header in front of every handshake fragment (RFC 6347 4.2.2). */
export interface FragmentHeader {
  type: number;
  length: number;
  messageSeq: number;
  fragmentOffset: number;
  fragmentLength: number;
}

export function newFragmentHeader(): FragmentHeader {
  return { type: 0, length: 0, messageSeq: 0, fragmentOffset: 0, fragmentLength: 0 };
}

/**
 * Reads the fragment header at `o` into `out`. Returns the offset of the fragment's end, or -1
 * if the header or the fragment runs past the data or the fragment lies outside its message.
 */
export function readFragmentHeader(data: Uint8Array, o: number, out: FragmentHeader): number {
  if (data.length - o < HANDSHAKE_HEADER_LENGTH) return -1;
  out.type = data[o]!;
  out.length = (data[o + 1]! << 16) | (data[o + 2]! << 8) | data[o + 3]!;
  out.messageSeq = (data[o + 4]! << 8) | data[o + 5]!;
  out.fragmentOffset = (data[o + 6]! << 16) | (data[o + 7]! << 8) | data[o + 8]!;
  out.fragmentLength = (data[o + 9]! << 16) | (data[o + 10]! << 8) | data[o + 11]!;
  const end = o + HANDSHAKE_HEADER_LENGTH + out.fragmentLength;
  if (end > data.length || out.fragmentOffset + out.fragmentLength > out.length) return -1;
  return end;
}

export interface HandshakeMessage {
  type: number;
  messageSeq: number;
  body: Uint8Array;
}

/** What `addFragments` saw, as flags. */
export const FragmentResult = { none: 0, old: 1, added: 2, malformed: 4 } as const;

export class HandshakeReassembler {
  nextSeq = 0;
  private partial = new Map<number, Partial>();
  private readonly header = newFragmentHeader();

  /** Splits one handshake record body into fragments and stores the new ones. */
  addFragments(data: Uint8Array): number {
    let result: number = FragmentResult.none;
    let o = 0;
    const h = this.header;
    while (o < data.length) {
      const end = readFragmentHeader(data, o, h);
      if (end < 0 || h.length > MAX_HANDSHAKE_MESSAGE) return result | FragmentResult.malformed;
      const start = o + HANDSHAKE_HEADER_LENGTH;
      o = end;
      const seq = h.messageSeq;
      if (seq < this.nextSeq) {
        result |= FragmentResult.old;
        continue;
      }
      if (seq >= this.nextSeq + MAX_AHEAD) continue;
      let p = this.partial.get(seq);
      if (p === undefined) {
        p = { type: h.type, ...newPartialMessage(h.length) };
        this.partial.set(seq, p);
      } else if (p.type !== h.type || p.body.length !== h.length) {
        return result | FragmentResult.malformed;
      }
      if (p.missing > 0 && h.fragmentLength > 0) {
        fillFragment(p, data.subarray(start, end), h.fragmentOffset);
      }
      result |= FragmentResult.added;
    }
    return result;
  }

  /** The next message in order, once all of it has arrived. */
  next(): HandshakeMessage | undefined {
    const p = this.partial.get(this.nextSeq);
    if (p === undefined || p.missing > 0) return undefined;
    this.partial.delete(this.nextSeq);
    return { type: p.type, messageSeq: this.nextSeq++, body: p.body };
  }

  /**
   * Looks at a record's fragments without storing them: flags `old` if any belongs to an already
   * processed message (the peer is retransmitting) and `added` if any is new, whose type is then
   * left in `lastNewType`. Used once the handshake is over.
   */
  scan(data: Uint8Array): number {
    let result: number = FragmentResult.none;
    let o = 0;
    while (o + HANDSHAKE_HEADER_LENGTH <= data.length) {
      const seq = (data[o + 4]! << 8) | data[o + 5]!;
      const fragLength = (data[o + 9]! << 16) | (data[o + 10]! << 8) | data[o + 11]!;
      if (seq < this.nextSeq) result |= FragmentResult.old;
      else {
        result |= FragmentResult.added;
        this.lastNewType = data[o]!;
      }
      o += HANDSHAKE_HEADER_LENGTH + fragLength;
    }
    return result;
  }

  lastNewType = -1;

  /** Skips to `seq` (the server does this for the ClientHello it accepts statelessly). */
  resetTo(seq: number): void {
    this.nextSeq = seq;
    this.partial.clear();
  }
}
