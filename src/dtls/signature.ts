/** The signature schemes used in ServerKeyExchange and CertificateVerify. */
import { constants, type KeyObject, sign, verify } from 'node:crypto';
import { SignatureScheme } from './constants.js';

/** What we advertise in signature_algorithms and CertificateRequest, in preference order. */
export const SUPPORTED_SIGNATURE_SCHEMES: readonly number[] = [
  SignatureScheme.ecdsaSecp256r1Sha256,
  SignatureScheme.ecdsaSecp384r1Sha384,
  SignatureScheme.rsaPssRsaeSha256,
  SignatureScheme.rsaPkcs1Sha256,
];

function params(scheme: number, key: KeyObject) {
  const kind = key.asymmetricKeyType;
  switch (scheme) {
    case SignatureScheme.ecdsaSecp256r1Sha256:
      return kind === 'ec'
        ? { hash: 'sha256', key: { key, dsaEncoding: 'der' as const } }
        : undefined;
    case SignatureScheme.ecdsaSecp384r1Sha384:
      return kind === 'ec'
        ? { hash: 'sha384', key: { key, dsaEncoding: 'der' as const } }
        : undefined;
    case SignatureScheme.rsaPssRsaeSha256:
      return kind === 'rsa'
        ? {
            hash: 'sha256',
            key: { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
          }
        : undefined;
    case SignatureScheme.rsaPkcs1Sha256:
      return kind === 'rsa'
        ? { hash: 'sha256', key: { key, padding: constants.RSA_PKCS1_PADDING } }
        : undefined;
    default:
      return undefined;
  }
}

/**
 * The scheme to sign with, given our key and what the peer accepts. In TLS 1.2 an ECDSA scheme
 * names only the hash, so a P-384 key may sign with SHA-256 if that is all the peer takes.
 */
export function chooseSignatureScheme(
  keyType: 'ecdsa' | 'rsa',
  namedCurve: string | undefined,
  peerSchemes: readonly number[],
): number | undefined {
  const mine =
    keyType === 'rsa'
      ? [SignatureScheme.rsaPssRsaeSha256, SignatureScheme.rsaPkcs1Sha256]
      : namedCurve === 'P-384'
        ? [SignatureScheme.ecdsaSecp384r1Sha384, SignatureScheme.ecdsaSecp256r1Sha256]
        : [SignatureScheme.ecdsaSecp256r1Sha256, SignatureScheme.ecdsaSecp384r1Sha384];
  for (const s of mine) if (peerSchemes.includes(s)) return s;
  return undefined;
}

export function signWith(scheme: number, key: KeyObject, data: Uint8Array): Uint8Array | undefined {
  const p = params(scheme, key);
  if (p === undefined) return undefined;
  try {
    return sign(p.hash, data, p.key);
  } catch {
    return undefined;
  }
}

export function verifyWith(
  scheme: number,
  key: KeyObject,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  const p = params(scheme, key);
  if (p === undefined) return false;
  try {
    return verify(p.hash, data, p.key, signature);
  } catch {
    return false;
  }
}
