/**
 * A flight (RFC 6347 4.2.4) and its packing into datagrams: handshake messages are fragmented
 * to the MTU and as many records as fit share a datagram. Packing runs on every
 * (re)transmission because each record needs a fresh sequence number.
 */
import { concatBytes } from './byte-reader.js';
import { ContentType, HANDSHAKE_HEADER_LENGTH } from './constants.js';
import { encodeHandshakeFragment } from './messages.js';

export type FlightItem =
  | { kind: 'handshake'; epoch: number; type: number; messageSeq: number; body: Uint8Array }
  | { kind: 'changeCipherSpec' };

export interface RecordSealer {
  /** Record overhead (header and AEAD expansion) in `epoch`. */
  overhead(epoch: number): number;
  /** A whole record of `type` in `epoch`, with the next sequence number of that epoch. */
  seal(type: number, epoch: number, payload: Uint8Array): Uint8Array;
}

/** Fragments smaller than this are not worth starting at the end of a datagram. */
const MIN_FRAGMENT = 64;
const CCS_BODY = new Uint8Array([1]);

export function packFlight(items: FlightItem[], mtu: number, sealer: RecordSealer): Uint8Array[] {
  const datagrams: Uint8Array[] = [];
  let records: Uint8Array[] = [];
  let size = 0;
  const flush = () => {
    if (records.length === 0) return;
    datagrams.push(concatBytes(...records));
    records = [];
    size = 0;
  };
  const push = (r: Uint8Array) => {
    records.push(r);
    size += r.length;
  };
  for (const item of items) {
    if (item.kind === 'changeCipherSpec') {
      if (size + sealer.overhead(0) + 1 > mtu) flush();
      push(sealer.seal(ContentType.changeCipherSpec, 0, CCS_BODY));
      continue;
    }
    const overhead = sealer.overhead(item.epoch) + HANDSHAKE_HEADER_LENGTH;
    const length = item.body.length;
    let offset = 0;
    do {
      const rest = length - offset;
      let space = mtu - size - overhead;
      if (space < Math.min(rest, MIN_FRAGMENT)) {
        flush();
        space = mtu - overhead;
      }
      const n = Math.max(1, Math.min(rest, space));
      const fragment = encodeHandshakeFragment(
        item.type,
        item.messageSeq,
        item.body,
        offset,
        Math.min(n, rest),
      );
      push(sealer.seal(ContentType.handshake, item.epoch, fragment));
      offset += n;
    } while (offset < length);
  }
  flush();
  return datagrams;
}
