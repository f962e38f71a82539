import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { crc32 } from '../bytes/crc32.js';
import { HEADER_LENGTH, StunAttr } from './constants.js';
import { findAttribute, type StunMessage } from './message.js';
import { saslprep } from './saslprep.js';

const utf8 = new TextEncoder();

/** XORed into the CRC so that FINGERPRINT differs from a CRC another protocol might carry. */
export const FINGERPRINT_XOR = 0x5354554e;

/** Short-term credential key (ICE): the SASLprep'd password bytes. */
export function shortTermKey(password: string): Uint8Array {
  return utf8.encode(saslprep(password));
}

/**
 * Long-term credential key: MD5 (or SHA-256, RFC 8489 PASSWORD-ALGORITHM 0x0002) of
 * "username:realm:password", each SASLprep'd.
 */
export function longTermKey(
  username: string,
  realm: string,
  password: string,
  algorithm: 'md5' | 'sha256' = 'md5',
): Uint8Array {
  const input = `${saslprep(username)}:${saslprep(realm)}:${saslprep(password)}`;
  return new Uint8Array(createHash(algorithm).update(input, 'utf8').digest());
}

/**
 * The header's length field as it must read when the message is cut right after the
 * attribute at `attrOffset` (integrity and fingerprint cover only what precedes them).
 */
function lengthUpTo(attrOffset: number, attrValueLength: number): Uint8Array {
  const len = attrOffset + 4 + attrValueLength - HEADER_LENGTH;
  return Uint8Array.of(len >> 8, len & 0xff);
}

/** HMAC over `raw[0..end)` with the header length replaced by `length`. */
export function integrityHmac(
  algorithm: 'sha1' | 'sha256',
  key: Uint8Array,
  raw: Uint8Array,
  end: number,
  length: Uint8Array,
): Uint8Array {
  const h = createHmac(algorithm, key);
  h.update(raw.subarray(0, 2));
  h.update(length);
  h.update(raw.subarray(4, end));
  return new Uint8Array(h.digest());
}

/** MESSAGE-INTEGRITY (HMAC-SHA1) check; false when the attribute is absent or malformed. */
export function verifyMessageIntegrity(m: StunMessage, key: Uint8Array): boolean {
  const a = findAttribute(m, StunAttr.MessageIntegrity);
  if (a?.value.length !== 20) return false;
  const mac = integrityHmac('sha1', key, m.raw, a.offset, lengthUpTo(a.offset, 20));
  return timingSafeEqual(mac, a.value);
}

/**
 * MESSAGE-INTEGRITY-SHA256 check. The value may be truncated to 16..32 bytes (a multiple of
 * 4, RFC 8489 14.6); the leading bytes of the HMAC are compared.
 */
export function verifyMessageIntegritySha256(m: StunMessage, key: Uint8Array): boolean {
  const a = findAttribute(m, StunAttr.MessageIntegritySha256);
  if (!a) return false;
  const n = a.value.length;
  if (n < 16 || n > 32 || (n & 3) !== 0) return false;
  const mac = integrityHmac('sha256', key, m.raw, a.offset, lengthUpTo(a.offset, n));
  return timingSafeEqual(mac.subarray(0, n), a.value);
}

/** CRC-32 of `raw[0..end)` (header length replaced by `length`) XOR 0x5354554e. */
export function fingerprintValue(raw: Uint8Array, end: number, length: Uint8Array): number {
  let c = crc32(raw.subarray(0, 2));
  c = crc32(length, c);
  c = crc32(raw.subarray(4, end), c);
  return (c ^ FINGERPRINT_XOR) >>> 0;
}

/** FINGERPRINT check; false when absent or malformed. */
export function verifyFingerprint(m: StunMessage): boolean {
  const a = findAttribute(m, StunAttr.Fingerprint);
  if (a?.value.length !== 4) return false;
  const v = a.value;
  const got = ((v[0]! << 24) | (v[1]! << 16) | (v[2]! << 8) | v[3]!) >>> 0;
  return got === fingerprintValue(m.raw, a.offset, lengthUpTo(a.offset, 4));
}
