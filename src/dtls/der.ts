/**
 * A small DER (X.690 Distinguished Encoding Rules) encoder: just the types a self-signed X.509
 * certificate needs. Each function returns the complete TLV; constructed values take already
 * encoded children. Used once per certificate, so clarity wins over speed here.
 */
import { concatBytes } from './byte-reader.js';

export const DerTag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OBJECT_IDENTIFIER: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Definite-length encoding: short form below 128, else 0x80|n followed by n big-endian bytes. */
export function derLength(length: number): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new RangeError(`DER length out of range: ${length}`);
  }
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** One tag-length-value element, built in a single allocation. */
export function derTlv(tag: number, content: Uint8Array): Uint8Array {
  const length = derLength(content.length);
  const out = new Uint8Array(1 + length.length + content.length);
  out[0] = tag;
  out.set(length, 1);
  out.set(content, 1 + length.length);
  return out;
}

export function derSequence(...children: Uint8Array[]): Uint8Array {
  return derTlv(DerTag.SEQUENCE, concatBytes(...children));
}

/** SET OF: DER requires the encodings sorted as octet strings. */
export function derSet(...children: Uint8Array[]): Uint8Array {
  const sorted = [...children].sort(compareBytes);
  return derTlv(DerTag.SET, concatBytes(...sorted));
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i]! - b[i]!;
  }
  return a.length - b.length;
}

/** Context-specific constructed tag [n] wrapping an encoded child (EXPLICIT tagging). */
export function derExplicit(tagNumber: number, child: Uint8Array): Uint8Array {
  if (!Number.isInteger(tagNumber) || tagNumber < 0 || tagNumber > 30) {
    throw new RangeError(`context tag out of range: ${tagNumber}`);
  }
  return derTlv(0xa0 | tagNumber, child);
}

/**
 * INTEGER from a JS integer, a bigint, or an unsigned big-endian magnitude. The encoding is
 * minimal two's complement: redundant leading bytes are dropped and a 0x00 is prepended when the
 * top bit of a non-negative value is set, so it is not read back as negative.
 */
export function derInteger(value: number | bigint | Uint8Array): Uint8Array {
  if (value instanceof Uint8Array) return derTlv(DerTag.INTEGER, unsignedMagnitude(value));
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new RangeError(`not a safe integer: ${value}`);
  }
  let n = typeof value === 'bigint' ? value : BigInt(value);
  const bytes: number[] = [];
  // Emit little-endian bytes until the remaining value is pure sign extension of the last byte.
  for (;;) {
    const byte = Number(n & 0xffn);
    bytes.unshift(byte);
    n >>= 8n;
    if ((n === 0n && (byte & 0x80) === 0) || (n === -1n && (byte & 0x80) !== 0)) break;
  }
  return derTlv(DerTag.INTEGER, Uint8Array.from(bytes));
}

function unsignedMagnitude(magnitude: Uint8Array): Uint8Array {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const trimmed = magnitude.subarray(start);
  if (trimmed.length === 0) return Uint8Array.of(0);
  if ((trimmed[0]! & 0x80) === 0) return trimmed;
  const out = new Uint8Array(trimmed.length + 1);
  out.set(trimmed, 1);
  return out;
}

export function derBoolean(value: boolean): Uint8Array {
  return derTlv(DerTag.BOOLEAN, Uint8Array.of(value ? 0xff : 0x00));
}

export function derNull(): Uint8Array {
  return Uint8Array.of(DerTag.NULL, 0);
}

/** BIT STRING whose content is whole bytes (signatures, keys): the unused-bits count is 0. */
export function derBitString(bytes: Uint8Array): Uint8Array {
  const content = new Uint8Array(bytes.length + 1);
  content.set(bytes, 1);
  return derTlv(DerTag.BIT_STRING, content);
}

export function derOctetString(bytes: Uint8Array): Uint8Array {
  return derTlv(DerTag.OCTET_STRING, bytes);
}

/**
 * OBJECT IDENTIFIER from dotted text ("1.2.840.10045.4.3.2"). The first two arcs share one
 * sub-identifier (40 * first + second); every sub-identifier is base 128, high bit = "more".
 */
export function derObjectIdentifier(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : Number.NaN));
  if (arcs.length < 2 || arcs.some((a) => !Number.isSafeInteger(a))) {
    throw new RangeError(`malformed object identifier: ${dotted}`);
  }
  const [first, second] = arcs as [number, number];
  if (first > 2 || (first < 2 && second >= 40)) {
    throw new RangeError(`malformed object identifier: ${dotted}`);
  }
  const bytes: number[] = [];
  for (const sub of [first * 40 + second, ...arcs.slice(2)]) {
    const group: number[] = [sub % 128];
    for (let n = Math.floor(sub / 128); n > 0; n = Math.floor(n / 128))
      group.unshift(0x80 | (n % 128));
    bytes.push(...group);
  }
  return derTlv(DerTag.OBJECT_IDENTIFIER, Uint8Array.from(bytes));
}

export function derUtf8String(text: string): Uint8Array {
  return derTlv(DerTag.UTF8_STRING, new TextEncoder().encode(text));
}

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

export function derPrintableString(text: string): Uint8Array {
  if (!PRINTABLE.test(text)) throw new RangeError('not a PrintableString');
  return derTlv(DerTag.PRINTABLE_STRING, new TextEncoder().encode(text));
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function timeDigits(date: Date): string {
  return (
    pad(date.getUTCMonth() + 1, 2) +
    pad(date.getUTCDate(), 2) +
    pad(date.getUTCHours(), 2) +
    pad(date.getUTCMinutes(), 2) +
    pad(date.getUTCSeconds(), 2)
  );
}

/** UTCTime YYMMDDHHMMSSZ: only for years 1950..2049 (RFC 5280 4.1.2.5.1). */
export function derUtcTime(date: Date): Uint8Array {
  const year = date.getUTCFullYear();
  if (year < 1950 || year > 2049) throw new RangeError(`UTCTime cannot hold year ${year}`);
  const text = `${pad(year % 100, 2)}${timeDigits(date)}Z`;
  return derTlv(DerTag.UTC_TIME, new TextEncoder().encode(text));
}

/** GeneralizedTime YYYYMMDDHHMMSSZ, without fractional seconds as RFC 5280 requires. */
export function derGeneralizedTime(date: Date): Uint8Array {
  const year = date.getUTCFullYear();
  if (year < 0 || year > 9999) throw new RangeError(`GeneralizedTime cannot hold year ${year}`);
  const text = `${pad(year, 4)}${timeDigits(date)}Z`;
  return derTlv(DerTag.GENERALIZED_TIME, new TextEncoder().encode(text));
}

/** X.509 Time: UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5). */
export function derTime(date: Date): Uint8Array {
  const year = date.getUTCFullYear();
  return year >= 1950 && year <= 2049 ? derUtcTime(date) : derGeneralizedTime(date);
}
