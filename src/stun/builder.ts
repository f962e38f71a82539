import { randomBytes } from '../util/random.js';
import { type Address, addressBytes } from './address.js';
import {
  encodeMessageType,
  HEADER_LENGTH,
  MAGIC_COOKIE,
  StunAttr,
  type StunClass,
} from './constants.js';
import { allocMessage } from './message-slab.js';
import { writeFingerprintValue, writeIntegrityValue } from './seal.js';

/** A new random 12-byte transaction id (from the CSPRNG). */
export function newTransactionId(): Uint8Array {
  return randomBytes(12);
}

export interface StunBuilderOptions {
  /**
   * The byte used to pad attribute values to 4 bytes. Receivers ignore it, but integrity
   * covers it, so reproducing a captured message (such as the RFC 5769 vectors, padded
   * with 0x20) needs the same byte. Default 0.
   */
  padding?: number;
}

// What an added attribute holds until build() writes it.
enum Kind {
  Bytes,
  Text,
  Uint32,
  Uint64,
  XorAddress,
  Address,
  ErrorCode,
  TypeList,
  Integrity,
  IntegritySha256,
  Fingerprint,
}

const encoder = new TextEncoder();

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/** The address's 4 or 16 bytes; throws on a malformed address or port. */
export function addressValue(a: Address): Uint8Array {
  const bytes = addressBytes(a);
  if (!bytes) throw new TypeError(`not an ${a.family} address: ${a.address}`);
  if (!Number.isInteger(a.port) || a.port < 0 || a.port > 0xffff) {
    throw new RangeError(`bad port: ${a.port}`);
  }
  return bytes;
}

/**
 * Builds one STUN message. Attributes are recorded in order and written by build() into a
 * single allocation; MESSAGE-INTEGRITY(-SHA256) and FINGERPRINT are computed there over
 * everything added before them.
 */
export class StunMessageBuilder {
  readonly transactionId: Uint8Array;
  private readonly messageType: number;
  private readonly padding: number;
  // Parallel arrays rather than one object per attribute.
  private readonly kinds: Kind[] = [];
  private readonly types: number[] = [];
  private readonly lengths: number[] = [];
  private readonly values: unknown[] = [];
  private readonly numbers: number[] = [];

  constructor(
    method: number,
    cls: StunClass,
    transactionId?: Uint8Array,
    opts: StunBuilderOptions = {},
  ) {
    if (transactionId !== undefined && transactionId.length !== 12) {
      throw new RangeError('a transaction id is 12 bytes');
    }
    this.messageType = encodeMessageType(method, cls);
    this.transactionId = transactionId ?? newTransactionId();
    this.padding = (opts.padding ?? 0) & 0xff;
  }

  private push(kind: Kind, type: number, length: number, value: unknown, n = 0): this {
    if (length > 0xffff) throw new RangeError('attribute value longer than 65535 bytes');
    this.kinds.push(kind);
    this.types.push(type & 0xffff);
    this.lengths.push(length);
    this.values.push(value);
    this.numbers.push(n);
    return this;
  }

  add(type: number, value: Uint8Array): this {
    return this.push(Kind.Bytes, type, value.length, value);
  }

  addString(type: number, value: string): this {
    return this.push(Kind.Text, type, utf8Length(value), value);
  }

  addUint32(type: number, v: number): this {
    return this.push(Kind.Uint32, type, 4, undefined, v >>> 0);
  }

  addUint64(type: number, v: bigint): this {
    return this.push(Kind.Uint64, type, 8, BigInt.asUintN(64, v));
  }

  /** An attribute with an empty value (USE-CANDIDATE, DONT-FRAGMENT). */
  addFlag(type: number): this {
    return this.push(Kind.Bytes, type, 0, undefined);
  }

  addXorAddress(type: number, a: Address): this {
    const bytes = addressValue(a);
    return this.push(Kind.XorAddress, type, 4 + bytes.length, bytes, a.port);
  }

  addAddress(type: number, a: Address): this {
    const bytes = addressValue(a);
    return this.push(Kind.Address, type, 4 + bytes.length, bytes, a.port);
  }

  addErrorCode(code: number, reason: string): this {
    if (!Number.isInteger(code) || code < 300 || code > 699) {
      throw new RangeError(`bad STUN error code: ${code}`);
    }
    return this.push(Kind.ErrorCode, StunAttr.ErrorCode, 4 + utf8Length(reason), reason, code);
  }

  addUnknownAttributes(types: number[]): this {
    return this.push(Kind.TypeList, StunAttr.UnknownAttributes, 2 * types.length, types);
  }

  addMessageIntegrity(key: Uint8Array): this {
    return this.push(Kind.Integrity, StunAttr.MessageIntegrity, 20, key);
  }

  addMessageIntegritySha256(key: Uint8Array): this {
    return this.push(Kind.IntegritySha256, StunAttr.MessageIntegritySha256, 32, key);
  }

  addFingerprint(): this {
    return this.push(Kind.Fingerprint, StunAttr.Fingerprint, 4, undefined);
  }

  build(): Uint8Array {
    let total = HEADER_LENGTH;
    for (const len of this.lengths) total += 4 + ((len + 3) & ~3);
    const buf = allocMessage(total);
    const view = new DataView(buf.buffer, buf.byteOffset, total);
    view.setUint16(0, this.messageType);
    view.setUint32(4, MAGIC_COOKIE);
    buf.set(this.transactionId, 8);
    let pos = HEADER_LENGTH;
    for (let i = 0; i < this.kinds.length; i++) {
      const len = this.lengths[i]!;
      const kind = this.kinds[i]!;
      const value = this.values[i];
      view.setUint16(pos, this.types[i]!);
      view.setUint16(pos + 2, len);
      const v = pos + 4;
      switch (kind) {
        case Kind.Bytes:
          if (value) buf.set(value as Uint8Array, v);
          break;
        case Kind.Text:
          encoder.encodeInto(value as string, buf.subarray(v, v + len));
          break;
        case Kind.Uint32:
          view.setUint32(v, this.numbers[i]!);
          break;
        case Kind.Uint64:
          view.setBigUint64(v, value as bigint);
          break;
        case Kind.XorAddress:
        case Kind.Address:
          writeAddressValue(
            buf,
            v,
            value as Uint8Array,
            this.numbers[i]!,
            kind === Kind.XorAddress ? this.transactionId : undefined,
          );
          break;
        case Kind.ErrorCode: {
          const code = this.numbers[i]!;
          buf[v + 2] = Math.floor(code / 100);
          buf[v + 3] = code % 100;
          encoder.encodeInto(value as string, buf.subarray(v + 4, v + len));
          break;
        }
        case Kind.TypeList: {
          const types = value as number[];
          for (let k = 0; k < types.length; k++) view.setUint16(v + 2 * k, types[k]!);
          break;
        }
        case Kind.Integrity:
        case Kind.IntegritySha256:
          writeIntegrityValue(
            buf,
            v,
            len,
            value as Uint8Array,
            kind === Kind.Integrity ? 'sha1' : 'sha256',
          );
          break;
        case Kind.Fingerprint:
          writeFingerprintValue(buf, v);
          break;
      }
      pos = v + len;
      while ((pos & 3) !== 0) buf[pos++] = this.padding;
    }
    view.setUint16(2, total - HEADER_LENGTH);
    return buf;
  }
}

/**
 * (XOR-)MAPPED-ADDRESS's value at `v`: family, port and address, XORed with the magic cookie
 * and (IPv6) `xorId`, the transaction id, when `xorId` is given.
 */
export function writeAddressValue(
  buf: Uint8Array,
  v: number,
  address: Uint8Array,
  port: number,
  xorId?: Uint8Array,
): void {
  const v6 = address.length === 16;
  buf[v] = 0;
  buf[v + 1] = v6 ? 0x02 : 0x01;
  const p = xorId ? port ^ 0x2112 : port;
  buf[v + 2] = p >> 8;
  buf[v + 3] = p & 0xff;
  buf.set(address, v + 4);
  if (!xorId) return;
  buf[v + 4] ^= 0x21;
  buf[v + 5] ^= 0x12;
  buf[v + 6] ^= 0xa4;
  buf[v + 7] ^= 0x42;
  if (v6) for (let k = 0; k < 12; k++) buf[v + 8 + k] ^= xorId[k]!;
}
