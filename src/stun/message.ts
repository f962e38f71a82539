import {
  decodeMessageClass,
  decodeMessageMethod,
  HEADER_LENGTH,
  StunAttr,
  type StunClass,
} from './constants.js';

export interface StunAttribute {
  type: number;
  /** The value, without padding: a subarray of the message's raw bytes. */
  value: Uint8Array;
  /** Offset of the attribute header within `raw`. */
  offset: number;
}

export interface StunMessage {
  method: number;
  class: StunClass;
  /** 12 bytes, a subarray of `raw`. */
  transactionId: Uint8Array;
  /**
   * Attributes in wire order. Those that follow MESSAGE-INTEGRITY (other than
   * MESSAGE-INTEGRITY-SHA256 and FINGERPRINT) or FINGERPRINT are left out, as RFC 8489
   * 14.5/14.6 say they must be ignored.
   */
  attributes: StunAttribute[];
  /** The whole message. */
  raw: Uint8Array;
}

/** A decoded attribute: its value is cut from the message (a subarray) only when read. */
class DecodedAttribute implements StunAttribute {
  private cut: Uint8Array | undefined;

  constructor(
    readonly type: number,
    readonly offset: number,
    private readonly length: number,
    private readonly raw: Uint8Array,
  ) {}

  get value(): Uint8Array {
    this.cut ??= this.raw.subarray(this.offset + 4, this.offset + 4 + this.length);
    return this.cut;
  }
}

/** The value length of an attribute of `m`, read from its header without cutting the value. */
export function attributeLength(m: StunMessage, a: StunAttribute): number {
  return (m.raw[a.offset + 2]! << 8) | m.raw[a.offset + 3]!;
}

export type StunDecodeResult = { ok: true; message: StunMessage } | { ok: false; error: string };

function readU16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

function hasMagicCookie(b: Uint8Array): boolean {
  return b[4] === 0x21 && b[5] === 0x12 && b[6] === 0xa4 && b[7] === 0x42;
}

/**
 * Cheap demultiplexing test (RFC 7983: first byte 0..3) plus the magic cookie and a length
 * field that is a multiple of 4 and matches the datagram.
 */
export function isStunMessage(data: Uint8Array): boolean {
  if (data.length < HEADER_LENGTH || data[0]! > 3 || !hasMagicCookie(data)) return false;
  const length = readU16(data, 2);
  return (length & 3) === 0 && length + HEADER_LENGTH === data.length;
}

/**
 * Decodes one STUN message occupying the whole of `data` (a datagram, or one message cut from
 * a stream). Never throws; the message keeps references into `data`.
 */
export function decodeStun(input: Uint8Array): StunDecodeResult {
  if (!(input instanceof Uint8Array)) return { ok: false, error: 'not a byte array' };
  // A Buffer's subarrays are Buffers, made through its species constructor at several times
  // the cost of a plain view's; received datagrams are Buffers.
  const data =
    input.constructor === Uint8Array
      ? input
      : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  if (data.length < HEADER_LENGTH) return { ok: false, error: 'shorter than a STUN header' };
  if ((data[0]! & 0xc0) !== 0) return { ok: false, error: 'first two bits are not zero' };
  if (!hasMagicCookie(data)) return { ok: false, error: 'no magic cookie' };
  const length = readU16(data, 2);
  if ((length & 3) !== 0) return { ok: false, error: 'length is not a multiple of 4' };
  if (length + HEADER_LENGTH !== data.length) {
    return { ok: false, error: 'length does not match the message size' };
  }
  const type = readU16(data, 0);
  const attributes: StunAttribute[] = [];
  // 0: keep everything; 1: after MESSAGE-INTEGRITY; 2: after MI-SHA256; 3: after FINGERPRINT.
  let phase = 0;
  let o = HEADER_LENGTH;
  while (o < data.length) {
    if (o + 4 > data.length) return { ok: false, error: 'truncated attribute header' };
    const attrType = readU16(data, o);
    const valueLength = readU16(data, o + 2);
    const end = o + 4 + valueLength;
    if (end > data.length) return { ok: false, error: 'attribute overruns the message' };
    if (keepAttribute(phase, attrType)) {
      attributes.push(new DecodedAttribute(attrType, o, valueLength, data));
      if (attrType === StunAttr.MessageIntegrity) phase = 1;
      else if (attrType === StunAttr.MessageIntegritySha256) phase = 2;
      else if (attrType === StunAttr.Fingerprint) phase = 3;
    }
    o = end + ((4 - (valueLength & 3)) & 3);
  }
  if (o !== data.length) return { ok: false, error: 'padding overruns the message' };
  return {
    ok: true,
    message: {
      method: decodeMessageMethod(type),
      class: decodeMessageClass(type),
      transactionId: data.subarray(8, 20),
      attributes,
      raw: data,
    },
  };
}

function keepAttribute(phase: number, type: number): boolean {
  switch (phase) {
    case 0:
      return true;
    case 1:
      return type === StunAttr.MessageIntegritySha256 || type === StunAttr.Fingerprint;
    case 2:
      return type === StunAttr.Fingerprint;
    default:
      return false;
  }
}

/** The first attribute of `type`, as RFC 8489 says only the first instance counts. */
export function findAttribute(m: StunMessage, type: number): StunAttribute | undefined {
  const attrs = m.attributes;
  for (let i = 0; i < attrs.length; i++) if (attrs[i]!.type === type) return attrs[i];
  return undefined;
}
