/** Random ICE credentials (RFC 8839 5.4), tie-breakers and mDNS host names. */
import { randomUUID } from 'node:crypto';
import { randomBytes, randomUint64 } from '../util/random.js';

const ICE_CHAR_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** A string of ice-chars; 64 symbols, so one random byte masked to 6 bits is unbiased. */
export function randomIceString(length: number): string {
  const bytes = randomBytes(length);
  let s = '';
  for (let i = 0; i < length; i++) s += ICE_CHAR_ALPHABET[bytes[i]! & 63];
  return s;
}

/** ufrag: 4 ice-chars at least (RFC 8839); browsers use 4, we use 8 (48 bits). */
export const randomUfrag = (): string => randomIceString(8);
/** pwd: 22 ice-chars at least, 128 bits of randomness as RFC 8445 asks. */
export const randomPwd = (): string => randomIceString(24);

export function randomTieBreaker(): bigint {
  return randomUint64();
}

/** A name like Chrome's for hiding a host address: "<uuid v4>.local". */
export function randomMdnsHostname(): string {
  return `${randomUUID()}.local`;
}
