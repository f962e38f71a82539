/**
 * Reassembles handshake messages from fragments that may arrive duplicated, overlapping or out
 * of order (RFC 6347 4.2.3), and releases them strictly in message_seq order.
 */
import { HANDSHAKE_HEADER_LENGTH } from './constants.js';

/** Messages further ahead than this are dropped rather than buffered. */
const MAX_AHEAD = 16;
/** No handshake message of ours or a sane peer's comes near this (certificate chains). */
export const MAX_HANDSHAKE_MESSAGE = 0x10000;

interface Partial {
  type: number;
  body: Uint8Array;
  filled: Uint8Array;
  missing: number;
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

  /** Splits one handshake record body into fragments and stores the new ones. */
  addFragments(data: Uint8Array): number {
    let result: number = FragmentResult.none;
    let o = 0;
    while (o < data.length) {
      if (data.length - o < HANDSHAKE_HEADER_LENGTH) return result | FragmentResult.malformed;
      const type = data[o]!;
      const length = (data[o + 1]! << 16) | (data[o + 2]! << 8) | data[o + 3]!;
      const seq = (data[o + 4]! << 8) | data[o + 5]!;
      const fragOffset = (data[o + 6]! << 16) | (data[o + 7]! << 8) | data[o + 8]!;
      const fragLength = (data[o + 9]! << 16) | (data[o + 10]! << 8) | data[o + 11]!;
      const start = o + HANDSHAKE_HEADER_LENGTH;
      const end = start + fragLength;
      if (end > data.length || fragOffset + fragLength > length || length > MAX_HANDSHAKE_MESSAGE) {
        return result | FragmentResult.malformed;
      }
      o = end;
      if (seq < this.nextSeq) {
        result |= FragmentResult.old;
        continue;
      }
      if (seq >= this.nextSeq + MAX_AHEAD) continue;
      let p = this.partial.get(seq);
      if (p === undefined) {
        p = { type, body: new Uint8Array(length), filled: new Uint8Array(length), missing: length };
        this.partial.set(seq, p);
      } else if (p.type !== type || p.body.length !== length) {
        return result | FragmentResult.malformed;
      }
      if (p.missing > 0 && fragLength > 0) {
        p.body.set(data.subarray(start, end), fragOffset);
        for (let i = fragOffset; i < fragOffset + fragLength; i++) {
          if (p.filled[i] === 0) {
            p.filled[i] = 1;
            p.missing--;
          }
        }
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
