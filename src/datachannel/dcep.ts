/**
 * Data Channel Establishment Protocol messages (RFC 8832 5): DATA_CHANNEL_OPEN and
 * DATA_CHANNEL_ACK. Decoding never throws: malformed input yields a DcepError, which tells
 * whether the bytes claimed to be an OPEN (the receiver then rejects that stream).
 */
import { Buffer } from 'node:buffer';

export const DCEP_MESSAGE_ACK = 0x02;
export const DCEP_MESSAGE_OPEN = 0x03;

export const CHANNEL_TYPE_RELIABLE = 0x00;
export const CHANNEL_TYPE_PARTIAL_RELIABLE_REXMIT = 0x01;
export const CHANNEL_TYPE_PARTIAL_RELIABLE_TIMED = 0x02;
export const CHANNEL_TYPE_UNORDERED_BIT = 0x80;

/** Fixed part of a DATA_CHANNEL_OPEN: type, channel type, priority, reliability, two lengths. */
export const DCEP_OPEN_HEADER_LENGTH = 12;
export const DCEP_MAX_STRING_BYTES = 0xffff;

export type DcepReliability = 'reliable' | 'rexmit' | 'timed';

export interface DcepOpen {
  type: 'open';
  ordered: boolean;
  reliability: DcepReliability;
  /** Retransmissions (rexmit) or lifetime in ms (timed); 0 for reliable channels. */
  reliabilityParameter: number;
  /** Wire priority (RFC 8832 5.1), 16 bits. */
  priority: number;
  label: string;
  protocol: string;
}

export interface DcepAck {
  type: 'ack';
}

export type DcepMessage = DcepOpen | DcepAck;

export interface DcepError {
  type: 'error';
  /** The message type byte, when there was one. */
  messageType: number | undefined;
  reason: string;
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

export function decodeDcep(data: Uint8Array): DcepMessage | DcepError {
  if (data.length === 0) return { type: 'error', messageType: undefined, reason: 'empty' };
  const messageType = data[0]!;
  if (messageType === DCEP_MESSAGE_ACK) return { type: 'ack' };
  if (messageType !== DCEP_MESSAGE_OPEN) {
    return { type: 'error', messageType, reason: `unknown message type ${messageType}` };
  }
  if (data.length < DCEP_OPEN_HEADER_LENGTH) {
    return { type: 'error', messageType, reason: 'truncated OPEN header' };
  }
  const channelType = data[1]!;
  const priority = (data[2]! << 8) | data[3]!;
  const reliabilityParameter =
    data[4]! * 0x1000000 + ((data[5]! << 16) | (data[6]! << 8) | data[7]!);
  const labelLength = (data[8]! << 8) | data[9]!;
  const protocolLength = (data[10]! << 8) | data[11]!;
  const end = DCEP_OPEN_HEADER_LENGTH + labelLength + protocolLength;
  if (data.length < end) return { type: 'error', messageType, reason: 'truncated OPEN strings' };

  let reliability: DcepReliability;
  switch (channelType & ~CHANNEL_TYPE_UNORDERED_BIT) {
    case CHANNEL_TYPE_RELIABLE:
      reliability = 'reliable';
      break;
    case CHANNEL_TYPE_PARTIAL_RELIABLE_REXMIT:
      reliability = 'rexmit';
      break;
    case CHANNEL_TYPE_PARTIAL_RELIABLE_TIMED:
      reliability = 'timed';
      break;
    default:
      return { type: 'error', messageType, reason: `unknown channel type ${channelType}` };
  }
  let label: string;
  let protocol: string;
  try {
    label = decodeUtf8(data, DCEP_OPEN_HEADER_LENGTH, DCEP_OPEN_HEADER_LENGTH + labelLength);
    protocol = decodeUtf8(data, DCEP_OPEN_HEADER_LENGTH + labelLength, end);
  } catch {
    return { type: 'error', messageType, reason: 'label or protocol is not UTF-8' };
  }
  return {
    type: 'open',
    ordered: (channelType & CHANNEL_TYPE_UNORDERED_BIT) === 0,
    reliability,
    // The parameter means nothing for a reliable channel and must be ignored on receipt.
    reliabilityParameter: reliability === 'reliable' ? 0 : reliabilityParameter,
    priority,
    label,
    protocol,
  };
}

/** Strict UTF-8 (throws on malformed input); the empty string, the usual protocol, for free. */
function decodeUtf8(data: Uint8Array, start: number, end: number): string {
  return start === end ? '' : utf8Strict.decode(data.subarray(start, end));
}

export interface DcepOpenParams {
  ordered: boolean;
  reliability: DcepReliability;
  reliabilityParameter: number;
  priority: number;
  label: string;
  protocol: string;
}

/** Throws RangeError when a string exceeds 65535 UTF-8 bytes or a number its field. */
export function encodeDcepOpen(p: DcepOpenParams): Uint8Array {
  const labelBytes = utf8ByteLength(p.label);
  const protocolBytes = utf8ByteLength(p.protocol);
  if (labelBytes > DCEP_MAX_STRING_BYTES || protocolBytes > DCEP_MAX_STRING_BYTES) {
    throw new RangeError('DCEP label and protocol are limited to 65535 bytes each');
  }
  const param = p.reliability === 'reliable' ? 0 : p.reliabilityParameter;
  if (!Number.isInteger(param) || param < 0 || param > 0xffffffff) {
    throw new RangeError('DCEP reliability parameter must be a 32-bit unsigned integer');
  }
  if (!Number.isInteger(p.priority) || p.priority < 0 || p.priority > 0xffff) {
    throw new RangeError('DCEP priority must be a 16-bit unsigned integer');
  }
  let channelType =
    p.reliability === 'rexmit'
      ? CHANNEL_TYPE_PARTIAL_RELIABLE_REXMIT
      : p.reliability === 'timed'
        ? CHANNEL_TYPE_PARTIAL_RELIABLE_TIMED
        : CHANNEL_TYPE_RELIABLE;
  if (!p.ordered) channelType |= CHANNEL_TYPE_UNORDERED_BIT;

  // One allocation: a connection may open channels by the thousand.
  const out = new Uint8Array(DCEP_OPEN_HEADER_LENGTH + labelBytes + protocolBytes);
  out[0] = DCEP_MESSAGE_OPEN;
  out[1] = channelType;
  out[2] = p.priority >>> 8;
  out[3] = p.priority & 0xff;
  out[4] = param >>> 24;
  out[5] = (param >>> 16) & 0xff;
  out[6] = (param >>> 8) & 0xff;
  out[7] = param & 0xff;
  out[8] = labelBytes >>> 8;
  out[9] = labelBytes & 0xff;
  out[10] = protocolBytes >>> 8;
  out[11] = protocolBytes & 0xff;
  writeUtf8(out, DCEP_OPEN_HEADER_LENGTH, p.label, labelBytes);
  writeUtf8(out, DCEP_OPEN_HEADER_LENGTH + labelBytes, p.protocol, protocolBytes);
  return out;
}

/** UTF-8 length of `s`; an ASCII string (most labels) is measured without encoding it. */
function utf8ByteLength(s: string): number {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) >= 0x80) return Buffer.byteLength(s, 'utf8');
  }
  return s.length;
}

/** Writes `s`, `bytes` long in UTF-8, at `at`. */
function writeUtf8(out: Uint8Array, at: number, s: string, bytes: number): void {
  if (bytes === s.length) {
    for (let i = 0; i < bytes; i++) out[at + i] = s.charCodeAt(i);
  } else {
    utf8Encoder.encodeInto(s, out.subarray(at, at + bytes));
  }
}

export function encodeDcepAck(): Uint8Array {
  return Uint8Array.of(DCEP_MESSAGE_ACK);
}
