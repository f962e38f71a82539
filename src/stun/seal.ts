import { createHmac } from 'node:crypto';
import { crc32Range } from '../bytes/crc32.js';
import { HEADER_LENGTH, StunAttr } from './constants.js';
import { FINGERPRINT_XOR } from './integrity.js';

/** Bytes sealMessage() appends: MESSAGE-INTEGRITY (4 + 20) and FINGERPRINT (4 + 4). */
export const SEAL_LENGTH = 32;

function setLength(buf: Uint8Array, length: number): void {
  buf[2] = length >> 8;
  buf[3] = length & 0xff;
}

function setAttributeHeader(buf: Uint8Array, at: number, type: number, length: number): void {
  buf[at] = type >> 8;
  buf[at + 1] = type & 0xff;
  buf[at + 2] = length >> 8;
  buf[at + 3] = length & 0xff;
}

/**
 * The value of MESSAGE-INTEGRITY (`sha1`, 20 bytes) or MESSAGE-INTEGRITY-SHA256 (`sha256`,
 * `length` bytes) at `valueAt`, over everything before its attribute header, with the header's
 * length field saying that the message ends right after this attribute (RFC 8489 14.5).
 */
export function writeIntegrityValue(
  buf: Uint8Array,
  valueAt: number,
  length: number,
  key: Uint8Array,
  algorithm: 'sha1' | 'sha256',
): void {
  setLength(buf, valueAt + length - HEADER_LENGTH);
  const mac = createHmac(algorithm, key)
    .update(buf.subarray(0, valueAt - 4))
    .digest();
  buf.set(length === mac.length ? mac : mac.subarray(0, length), valueAt);
}

/** The value of FINGERPRINT at `valueAt`, over everything before its attribute header. */
export function writeFingerprintValue(buf: Uint8Array, valueAt: number): void {
  setLength(buf, valueAt + 4 - HEADER_LENGTH);
  const crc = (crc32Range(buf, 0, valueAt - 4) ^ FINGERPRINT_XOR) >>> 0;
  buf[valueAt] = crc >>> 24;
  buf[valueAt + 1] = (crc >>> 16) & 0xff;
  buf[valueAt + 2] = (crc >>> 8) & 0xff;
  buf[valueAt + 3] = crc & 0xff;
}

/**
 * Ends a message with MESSAGE-INTEGRITY (HMAC-SHA1 with `key`) and FINGERPRINT, as every ICE
 * message does. `buf` is `end + SEAL_LENGTH` bytes and holds the header and the attributes
 * before integrity in its first `end` bytes; the header's length field ends as the whole
 * message's.
 */
export function sealMessage(buf: Uint8Array, end: number, key: Uint8Array): void {
  setAttributeHeader(buf, end, StunAttr.MessageIntegrity, 20);
  writeIntegrityValue(buf, end + 4, 20, key, 'sha1');
  setAttributeHeader(buf, end + 24, StunAttr.Fingerprint, 4);
  writeFingerprintValue(buf, end + 28);
}
