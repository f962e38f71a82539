/**
 * The public key of the peer's certificate, which verifies its handshake signature. Parsing
 * the whole certificate with node:crypto's X509Certificate costs about 120 µs, most of a
 * handshake's certificate work; the P-256 key that WebRTC certificates almost always carry is
 * read here from the SubjectPublicKeyInfo with a bounds-checked DER walk and imported as a JWK
 * (about 50 µs). Any other shape goes to X509Certificate. The certificate has already matched
 * the fingerprint from the signaling, so its bytes are the peer's own.
 */
import { createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';

const SEQUENCE = 0x30;
const BIT_STRING = 0x03;
const CONTEXT_0 = 0xa0;

/** AlgorithmIdentifier { id-ecPublicKey, prime256v1 } as DER (RFC 5480 2.1.1). */
const EC_P256_ALGORITHM = Buffer.from('301306072a8648ce3d020106082a8648ce3d030107', 'hex');
/** The subjectPublicKey BIT STRING of an uncompressed P-256 point: no unused bits, 0x04, X, Y. */
const P256_POINT_LENGTH = 1 + 1 + 32 + 32;

/** One DER element: its tag, where its content starts and where it ends. */
interface Tlv {
  tag: number;
  start: number;
  end: number;
}

/** The element at `off`, or undefined if it does not fit before `limit`. */
function readTlv(der: Uint8Array, off: number, limit: number): Tlv | undefined {
  if (off + 2 > limit) return undefined;
  const tag = der[off]!;
  let length = der[off + 1]!;
  let start = off + 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    // Certificates are far below 16 MiB: more than 3 length bytes is not one.
    if (n === 0 || n > 3 || start + n > limit) return undefined;
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + der[start + i]!;
    start += n;
  }
  const end = start + length;
  return end > limit ? undefined : { tag, start, end };
}

/** The SubjectPublicKeyInfo element of a certificate, if the outer structure is sound. */
function subjectPublicKeyInfo(der: Uint8Array): Tlv | undefined {
  const cert = readTlv(der, 0, der.length);
  if (cert?.tag !== SEQUENCE || cert.end !== der.length) return undefined;
  const tbs = readTlv(der, cert.start, cert.end);
  if (tbs?.tag !== SEQUENCE) return undefined;
  let field = readTlv(der, tbs.start, tbs.end);
  // version [0] EXPLICIT is optional; then serialNumber, signature, issuer, validity, subject.
  if (field?.tag === CONTEXT_0) field = readTlv(der, field.end, tbs.end);
  for (let skip = 0; skip < 5; skip++) {
    if (field === undefined) return undefined;
    field = readTlv(der, field.end, tbs.end);
  }
  return field?.tag === SEQUENCE ? field : undefined;
}

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/** The key of an uncompressed P-256 point, or undefined if the SPKI holds anything else. */
function p256Key(der: Uint8Array, spki: Tlv): KeyObject | undefined {
  const algEnd = spki.start + EC_P256_ALGORITHM.length;
  if (algEnd > spki.end) return undefined;
  for (let i = 0; i < EC_P256_ALGORITHM.length; i++) {
    if (der[spki.start + i] !== EC_P256_ALGORITHM[i]) return undefined;
  }
  const key = readTlv(der, algEnd, spki.end);
  if (key?.tag !== BIT_STRING || key.end !== spki.end) return undefined;
  if (key.end - key.start !== P256_POINT_LENGTH) return undefined;
  if (der[key.start] !== 0 || der[key.start + 1] !== 0x04) return undefined;
  const x = der.subarray(key.start + 2, key.start + 34);
  const y = der.subarray(key.start + 34, key.end);
  // The import checks that the point is on the curve.
  return createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: base64url(x), y: base64url(y) },
    format: 'jwk',
  });
}

/** The certificate's key if it is an uncompressed P-256 point, read without X509Certificate. */
export function p256KeyOf(der: Uint8Array): KeyObject | undefined {
  const spki = subjectPublicKeyInfo(der);
  return spki === undefined ? undefined : p256Key(der, spki);
}

/**
 * Keys of the certificates read lately, by the certificates' bytes. Peers often keep their
 * certificate from one connection to the next (an application that passes `certificates`,
 * another server's process-wide default), and importing the key is about 70 µs a handshake,
 * as much as verifying its signature. The key follows from the bytes alone, so a hit is exact.
 */
const recentKeys = new Map<string, KeyObject>();
export const RECENT_KEYS_MAX = 64;
/**
 * Certificates larger than this are read every time, so that the cache holds at most 64 short
 * strings (WebRTC's self-signed certificates are 300-800 bytes; a handshake message may be
 * 64 KiB).
 */
export const RECENT_KEY_MAX_CERTIFICATE = 2048;

function readPublicKey(der: Uint8Array): KeyObject {
  return p256KeyOf(der) ?? new X509Certificate(der).publicKey;
}

/** Throws if the certificate cannot be read or its key cannot be imported. */
export function peerPublicKey(der: Uint8Array): KeyObject {
  if (der.byteLength > RECENT_KEY_MAX_CERTIFICATE) return readPublicKey(der);
  const id = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const known = recentKeys.get(id);
  if (known !== undefined) {
    // Most recently used last: the first entry is the one to evict.
    recentKeys.delete(id);
    recentKeys.set(id, known);
    return known;
  }
  const key = readPublicKey(der);
  if (recentKeys.size >= RECENT_KEYS_MAX) recentKeys.delete(recentKeys.keys().next().value!);
  recentKeys.set(id, key);
  return key;
}
