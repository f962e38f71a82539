import { type Address, formatIPv4, formatIPv6 } from './address.js';
import { KNOWN_REQUIRED_ATTRIBUTES, StunAttr } from './constants.js';
import { attributeLength, findAttribute, type StunMessage } from './message.js';

const utf8 = new TextDecoder('utf-8', { fatal: false });

export const COOKIE_BYTES: Uint8Array = Uint8Array.of(0x21, 0x12, 0xa4, 0x42);

function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

/** Reads a plain (MAPPED-ADDRESS-style) address value. */
export function decodeAddressValue(v: Uint8Array): Address | undefined {
  if (v.length < 4) return undefined;
  const port = (v[2]! << 8) | v[3]!;
  if (v[1] === 0x01 && v.length === 8) return { address: formatIPv4(v, 4), port, family: 'IPv4' };
  if (v[1] === 0x02 && v.length === 20) return { address: formatIPv6(v, 4), port, family: 'IPv6' };
  return undefined;
}

/** Reads an XOR-*-ADDRESS value: port XOR the cookie's top half, address XOR cookie (+ id). */
export function decodeXorAddressValue(
  v: Uint8Array,
  transactionId: Uint8Array,
): Address | undefined {
  if (v.length < 4) return undefined;
  const port = ((v[2]! << 8) | v[3]!) ^ 0x2112;
  if (v[1] === 0x01 && v.length === 8) {
    const b = new Uint8Array(4);
    for (let i = 0; i < 4; i++) b[i] = v[4 + i]! ^ COOKIE_BYTES[i]!;
    return { address: formatIPv4(b), port, family: 'IPv4' };
  }
  if (v[1] === 0x02 && v.length === 20 && transactionId.length === 12) {
    const b = new Uint8Array(16);
    for (let i = 0; i < 4; i++) b[i] = v[4 + i]! ^ COOKIE_BYTES[i]!;
    for (let i = 0; i < 12; i++) b[4 + i] = v[8 + i]! ^ transactionId[i]!;
    return { address: formatIPv6(b), port, family: 'IPv6' };
  }
  return undefined;
}

export function getXorMappedAddress(
  m: StunMessage,
  type: number = StunAttr.XorMappedAddress,
): Address | undefined {
  const a = findAttribute(m, type);
  return a ? decodeXorAddressValue(a.value, m.transactionId) : undefined;
}

/** MAPPED-ADDRESS by default; also ALTERNATE-SERVER and other plain address attributes. */
export function getMappedAddress(
  m: StunMessage,
  type: number = StunAttr.MappedAddress,
): Address | undefined {
  const a = findAttribute(m, type);
  return a ? decodeAddressValue(a.value) : undefined;
}

/** UTF-8 text of an attribute (REALM, NONCE, SOFTWARE, USERNAME...). */
export function getString(m: StunMessage, type: number): string | undefined {
  const a = findAttribute(m, type);
  return a ? utf8.decode(a.value) : undefined;
}

export function getUsername(m: StunMessage): string | undefined {
  return getString(m, StunAttr.Username);
}

// The numeric getters read the value in place: checks read several on every request.
export function getUint32(m: StunMessage, type: number): number | undefined {
  const a = findAttribute(m, type);
  return a && attributeLength(m, a) === 4 ? u32(m.raw, a.offset + 4) : undefined;
}

export function getUint64(m: StunMessage, type: number): bigint | undefined {
  const a = findAttribute(m, type);
  if (!a || attributeLength(m, a) !== 8) return undefined;
  return (BigInt(u32(m.raw, a.offset + 4)) << 32n) | BigInt(u32(m.raw, a.offset + 8));
}

export function getPriority(m: StunMessage): number | undefined {
  return getUint32(m, StunAttr.Priority);
}

export function hasUseCandidate(m: StunMessage): boolean {
  return findAttribute(m, StunAttr.UseCandidate) !== undefined;
}

export function getIceControlling(m: StunMessage): bigint | undefined {
  return getUint64(m, StunAttr.IceControlling);
}

export function getIceControlled(m: StunMessage): bigint | undefined {
  return getUint64(m, StunAttr.IceControlled);
}

/** ERROR-CODE: class (hundreds) in byte 2, number in byte 3, then a UTF-8 reason phrase. */
export function getErrorCode(m: StunMessage): { code: number; reason: string } | undefined {
  const a = findAttribute(m, StunAttr.ErrorCode);
  if (!a || a.value.length < 4) return undefined;
  const cls = a.value[2]! & 0x07;
  const num = a.value[3]!;
  if (cls < 3 || cls > 6 || num > 99) return undefined;
  return { code: cls * 100 + num, reason: utf8.decode(a.value.subarray(4)) };
}

export function getUnknownAttributes(m: StunMessage): number[] | undefined {
  const a = findAttribute(m, StunAttr.UnknownAttributes);
  if (!a || (a.value.length & 1) !== 0) return undefined;
  const types: number[] = [];
  for (let i = 0; i < a.value.length; i += 2) types.push((a.value[i]! << 8) | a.value[i + 1]!);
  return types;
}

/**
 * Comprehension-required types (< 0x8000) in `m` that are not in `known`: a request carrying
 * any must be answered with 420 (Unknown Attribute) listing them. Each type is listed once.
 */
export function unknownComprehensionRequired(
  m: StunMessage,
  known: ReadonlySet<number> = KNOWN_REQUIRED_ATTRIBUTES,
): number[] {
  const unknown: number[] = [];
  for (const a of m.attributes) {
    if (a.type < 0x8000 && !known.has(a.type) && !unknown.includes(a.type)) unknown.push(a.type);
  }
  return unknown;
}
