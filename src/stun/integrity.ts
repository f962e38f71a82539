import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { crc32, crc32Range } from '../bytes/crc32.js';
import { HEADER_LENGTH, StunAttr } from './constants.js';
import { attributeLength, findAttribute, type StunMessage } from './message.js';
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

/** The header's length field as it reads for a message that ends at `end`. */
const lengthScratch = new Uint8Array(2);

function lengthEndingAt(end: number): Uint8Array {
  const len = end - HEADER_LENGTH;
  lengthScratch[0] = len >> 8;
  lengthScratch[1] = len & 0xff;
  return lengthScratch;
}

/**
 * HMAC of a received message up to the integrity attribute at `attrOffset`, whose value is
 * `valueLength` bytes, with the header's length field read as if the message ended right after
 * that attribute. The received bytes are not touched.
 */
function receivedMac(
  algorithm: 'sha1' | 'sha256',
  key: Uint8Array,
  raw: Uint8Array,
  attrOffset: number,
  valueLength: number,
): Buffer {
  return createHmac(algorithm, key)
    .update(raw.subarray(0, 2))
    .update(lengthEndingAt(attrOffset + 4 + valueLength))
    .update(raw.subarray(4, attrOffset))
    .digest();
}

/** Whether the leading `n` bytes of `mac` are `b[at..at+n)`, in constant time. */
function macEquals(mac: Uint8Array, b: Uint8Array, at: number, n: number): boolean {
  return timingSafeEqual(mac.subarray(0, n), b.subarray(at, at + n));
}

/** MESSAGE-INTEGRITY (HMAC-SHA1) check; false when the attribute is absent or malformed. */
export function verifyMessageIntegrity(m: StunMessage, key: Uint8Array): boolean {
  const a = findAttribute(m, StunAttr.MessageIntegrity);
  if (!a || attributeLength(m, a) !== 20) return false;
  return macEquals(receivedMac('sha1', key, m.raw, a.offset, 20), m.raw, a.offset + 4, 20);
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
  return macEquals(receivedMac('sha256', key, m.raw, a.offset, n), a.value, 0, n);
}

/** CRC-32 of `raw[0..end)` (header length replaced by `length`) XOR 0x5354554e. */
export function fingerprintValue(raw: Uint8Array, end: number, length: Uint8Array): number {
  let c = crc32Range(raw, 0, 2);
  c = crc32(length, c);
  c = crc32Range(raw, 4, end, c);
  return (c ^ FINGERPRINT_XOR) >>> 0;
}

/** FINGERPRINT check; false when absent or malformed. */
export function verifyFingerprint(m: StunMessage): boolean {
  const a = findAttribute(m, StunAttr.Fingerprint);
  if (!a || attributeLength(m, a) !== 4) return false;
  const v = m.raw;
  const o = a.offset + 4;
  const got = ((v[o]! << 24) | (v[o + 1]! << 16) | (v[o + 2]! << 8) | v[o + 3]!) >>> 0;
  return got === fingerprintValue(m.raw, a.offset, lengthEndingAt(a.offset + 8));
}
