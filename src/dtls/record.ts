/** DTLS record headers (RFC 6347 4.1): type, version, epoch, 48-bit sequence number, length. */
import { RECORD_HEADER_LENGTH } from './constants.js';

export interface RecordHeader {
  type: number;
  version: number;
  epoch: number;
  seq: number;
  /** Offset of the record's fragment in the datagram. */
  bodyOffset: number;
  bodyLength: number;
}

export function newRecordHeader(): RecordHeader {
  return { type: 0, version: 0, epoch: 0, seq: 0, bodyOffset: 0, bodyLength: 0 };
}

/**
 * Reads the record starting at `offset` into `out`. Returns the offset of the next record, or
 * -1 if what is left of the datagram is not a whole record (the rest is then dropped).
 */
export function readRecord(data: Uint8Array, offset: number, out: RecordHeader): number {
  if (data.length - offset < RECORD_HEADER_LENGTH) return -1;
  const length = (data[offset + 11]! << 8) | data[offset + 12]!;
  const end = offset + RECORD_HEADER_LENGTH + length;
  if (end > data.length) return -1;
  out.type = data[offset]!;
  out.version = (data[offset + 1]! << 8) | data[offset + 2]!;
  out.epoch = (data[offset + 3]! << 8) | data[offset + 4]!;
  out.seq =
    ((data[offset + 5]! << 8) | data[offset + 6]!) * 0x1_0000_0000 +
    ((data[offset + 7]! << 24) >>> 0) +
    ((data[offset + 8]! << 16) | (data[offset + 9]! << 8) | data[offset + 10]!);
  out.bodyOffset = offset + RECORD_HEADER_LENGTH;
  out.bodyLength = length;
  return end;
}

export function writeRecordHeader(
  out: Uint8Array,
  offset: number,
  type: number,
  version: number,
  epoch: number,
  seq: number,
  length: number,
): void {
  out[offset] = type;
  out[offset + 1] = version >> 8;
  out[offset + 2] = version & 0xff;
  writeEpochSeq(out, offset + 3, epoch, seq);
  out[offset + 11] = length >> 8;
  out[offset + 12] = length & 0xff;
}

/** The 8 bytes epoch(16) | sequence_number(48), as in the header, AAD and GCM nonce. */
export function writeEpochSeq(out: Uint8Array, offset: number, epoch: number, seq: number): void {
  const hi = Math.floor(seq / 0x1_0000_0000);
  const lo = seq >>> 0;
  out[offset] = epoch >> 8;
  out[offset + 1] = epoch & 0xff;
  out[offset + 2] = hi >> 8;
  out[offset + 3] = hi & 0xff;
  out[offset + 4] = lo >>> 24;
  out[offset + 5] = (lo >>> 16) & 0xff;
  out[offset + 6] = (lo >>> 8) & 0xff;
  out[offset + 7] = lo & 0xff;
}

/** A plaintext (epoch 0) record in one allocation. */
export function plainRecord(
  type: number,
  version: number,
  epoch: number,
  seq: number,
  body: Uint8Array,
): Uint8Array {
  const out = new Uint8Array(RECORD_HEADER_LENGTH + body.length);
  writeRecordHeader(out, 0, type, version, epoch, seq, body.length);
  out.set(body, RECORD_HEADER_LENGTH);
  return out;
}

/** RFC 7983 demultiplexing: a datagram whose first byte is 20..63 belongs to DTLS. */
export function isDtlsDatagram(data: Uint8Array): boolean {
  const b = data[0];
  return b !== undefined && b >= 20 && b <= 63;
}
