/**
 * Data Channel Establishment Protocol messages (RFC 8832 5): DATA_CHANNEL_OPEN and
 * DATA_CHANNEL_ACK. Decoding never throws: malformed input yields a DcepError, which tells
 * whether the bytes claimed to be an OPEN (the receiver then rejects that stream).
 */

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
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const channelType = data[1]!;
  const priority = view.getUint16(2);
  const reliabilityParameter = view.getUint32(4);
  const labelLength = view.getUint16(8);
  const protocolLength = view.getUint16(10);
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
    label = utf8Strict.decode(
      data.subarray(DCEP_OPEN_HEADER_LENGTH, DCEP_OPEN_HEADER_LENGTH + labelLength),
    );
    protocol = utf8Strict.decode(data.subarray(DCEP_OPEN_HEADER_LENGTH + labelLength, end));
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
  const label = utf8Encoder.encode(p.label);
  const protocol = utf8Encoder.encode(p.protocol);
  if (label.length > DCEP_MAX_STRING_BYTES || protocol.length > DCEP_MAX_STRING_BYTES) {
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

  const out = new Uint8Array(DCEP_OPEN_HEADER_LENGTH + label.length + protocol.length);
  const view = new DataView(out.buffer);
  out[0] = DCEP_MESSAGE_OPEN;
  out[1] = channelType;
  view.setUint16(2, p.priority);
  view.setUint32(4, param);
  view.setUint16(8, label.length);
  view.setUint16(10, protocol.length);
  out.set(label, DCEP_OPEN_HEADER_LENGTH);
  out.set(protocol, DCEP_OPEN_HEADER_LENGTH + label.length);
  return out;
}

export function encodeDcepAck(): Uint8Array {
  return Uint8Array.of(DCEP_MESSAGE_ACK);
}
