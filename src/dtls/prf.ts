/** The TLS 1.2 PRF (RFC 5246 5) and the secrets derived from it. */
import { createHash, createHmac } from 'node:crypto';
import { concatBytes } from './byte-reader.js';

const encoder = new TextEncoder();

/** P_hash(secret, label + seed) truncated to `length` bytes. */
export function prf(
  hash: 'sha256' | 'sha384',
  secret: Uint8Array,
  label: string,
  seed: Uint8Array,
  length: number,
): Uint8Array {
  const labelBytes = encoder.encode(label);
  const fullSeed = new Uint8Array(labelBytes.length + seed.length);
  fullSeed.set(labelBytes, 0);
  fullSeed.set(seed, labelBytes.length);
  const out = new Uint8Array(length);
  let a: Uint8Array = fullSeed;
  let offset = 0;
  while (offset < length) {
    a = createHmac(hash, secret).update(a).digest();
    const block = createHmac(hash, secret).update(a).update(fullSeed).digest();
    const n = Math.min(block.length, length - offset);
    out.set(block.subarray(0, n), offset);
    offset += n;
  }
  return out;
}

/** RFC 7627 4: the master secret bound to the hash of the handshake so far. */
export function extendedMasterSecret(
  hash: 'sha256' | 'sha384',
  preMasterSecret: Uint8Array,
  sessionHash: Uint8Array,
): Uint8Array {
  return prf(hash, preMasterSecret, 'extended master secret', sessionHash, 48);
}

export interface KeyBlock {
  clientKey: Uint8Array;
  serverKey: Uint8Array;
  clientIv: Uint8Array;
  serverIv: Uint8Array;
}

/** RFC 5246 6.3 for AEAD suites: no MAC keys, then the write keys, then the fixed IVs. */
export function keyBlock(
  hash: 'sha256' | 'sha384',
  masterSecret: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  keyLength: number,
  ivLength: number,
): KeyBlock {
  const block = prf(
    hash,
    masterSecret,
    'key expansion',
    concatBytes(serverRandom, clientRandom),
    2 * keyLength + 2 * ivLength,
  );
  const k = keyLength;
  return {
    clientKey: block.subarray(0, k),
    serverKey: block.subarray(k, 2 * k),
    clientIv: block.subarray(2 * k, 2 * k + ivLength),
    serverIv: block.subarray(2 * k + ivLength, 2 * k + 2 * ivLength),
  };
}

export function verifyData(
  hash: 'sha256' | 'sha384',
  masterSecret: Uint8Array,
  label: 'client finished' | 'server finished',
  transcript: Uint8Array,
): Uint8Array {
  return prf(hash, masterSecret, label, createHash(hash).update(transcript).digest(), 12);
}

/** RFC 5705 4. */
export function exportKeyingMaterial(
  hash: 'sha256' | 'sha384',
  masterSecret: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  label: string,
  length: number,
  context?: Uint8Array,
): Uint8Array {
  let seed: Uint8Array;
  if (context === undefined) {
    seed = concatBytes(clientRandom, serverRandom);
  } else {
    const ctxLen = new Uint8Array([context.length >> 8, context.length & 0xff]);
    seed = concatBytes(clientRandom, serverRandom, ctxLen, context);
  }
  return prf(hash, masterSecret, label, seed, length);
}
