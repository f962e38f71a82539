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

/**
 * Ends a message with MESSAGE-INTEGRITY (HMAC-SHA1 with `key`) and FINGERPRINT, as every ICE
 * message does. `buf` is `end + SEAL_LENGTH` bytes and holds the header and the attributes
 * before integrity in its first `end` bytes; the header's length field is set as each of the
 * two attributes requires while it is computed, then to the whole message.
 */
export function sealMessage(buf: Uint8Array, end: number, key: Uint8Array): void {
  const integrityLength = end + 24 - HEADER_LENGTH;
  setLength(buf, integrityLength);
  buf[end] = StunAttr.MessageIntegrity >> 8;
  buf[end + 1] = StunAttr.MessageIntegrity & 0xff;
  buf[end + 2] = 0;
  buf[end + 3] = 20;
  buf.set(createHmac('sha1', key).update(buf.subarray(0, end)).digest(), end + 4);
  const fp = end + 24;
  setLength(buf, integrityLength + 8);
  buf[fp] = StunAttr.Fingerprint >> 8;
  buf[fp + 1] = StunAttr.Fingerprint & 0xff;
  buf[fp + 2] = 0;
  buf[fp + 3] = 4;
  const crc = (crc32Range(buf, 0, fp) ^ FINGERPRINT_XOR) >>> 0;
  buf[fp + 4] = crc >>> 24;
  buf[fp + 5] = (crc >>> 16) & 0xff;
  buf[fp + 6] = (crc >>> 8) & 0xff;
  buf[fp + 7] = crc & 0xff;
}
