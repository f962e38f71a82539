/**
 * RTCCertificate and RTCPeerConnection.generateCertificate (W3C webrtc-pc, "Certificate
 * Management"). The key pair and X.509 certificate live in a DtlsCertificate that the rest of
 * the stack reaches through certificateInternals(); the W3C object only exposes what the spec
 * does.
 */
import {
  DEFAULT_CERTIFICATE_EXPIRES,
  type DtlsCertificate,
  generateDtlsCertificate,
  type KeygenAlgorithm,
} from '../dtls/certificate.js';
import { domException } from './dom-exception.js';

/** WebCrypto's AlgorithmIdentifier: a name, or a dictionary with a name and parameters. */
export type AlgorithmIdentifier = string | { name: string; [member: string]: unknown };

/** The keygen dictionary may carry RTCCertificateExpiration's `expires` (ms). */
export interface RTCCertificateExpiration {
  expires?: number;
}

export interface RTCDtlsFingerprint {
  algorithm?: string;
  value?: string;
}

/** webrtc-pc lets user agents cap validity; the spec text caps it at 365 days. */
export const MAX_CERTIFICATE_EXPIRES = 365 * 24 * 60 * 60 * 1000;
const MIN_RSA_MODULUS = 1024;
const MAX_RSA_MODULUS = 8192;

const internals = new WeakMap<RTCCertificate, DtlsCertificate>();
/** Set only while createRTCCertificate runs, so user code cannot construct certificates. */
let constructing = false;

export class RTCCertificate {
  constructor() {
    if (!constructing) throw new TypeError('Illegal constructor');
  }

  /** When the certificate stops being valid, in ms since the epoch. */
  get expires(): number {
    return internalsOf(this).expires;
  }

  /** Fingerprints with the certificate's signature digest; browsers write them in lower case. */
  getFingerprints(): RTCDtlsFingerprint[] {
    const value = internalsOf(this).fingerprint('sha-256').toLowerCase();
    return [{ algorithm: 'sha-256', value }];
  }

  get [Symbol.toStringTag](): string {
    return 'RTCCertificate';
  }
}

function internalsOf(cert: RTCCertificate): DtlsCertificate {
  const dtls = internals.get(cert);
  if (dtls === undefined) throw new TypeError('Illegal invocation');
  return dtls;
}

/** Wraps a DtlsCertificate (generated or loaded) as the W3C object. */
export function createRTCCertificate(dtls: DtlsCertificate): RTCCertificate {
  constructing = true;
  let cert: RTCCertificate;
  try {
    cert = new RTCCertificate();
  } finally {
    constructing = false;
  }
  internals.set(cert, dtls);
  return cert;
}

/** The key pair and DER certificate behind an RTCCertificate, for the DTLS layer. */
export function certificateInternals(cert: RTCCertificate): DtlsCertificate {
  return internalsOf(cert);
}

/**
 * RTCPeerConnection.generateCertificate. Supported, as in browsers: ECDSA on P-256, and
 * RSASSA-PKCS1-v1_5 with SHA-256, a 1024..8192-bit modulus and public exponent 65537. Anything
 * else rejects with NotSupportedError; an `expires` that is not a non-negative integer number of
 * ms rejects with TypeError (WebIDL [EnforceRange] unsigned long long).
 */
export async function generateCertificate(
  keygenAlgorithm: AlgorithmIdentifier,
): Promise<RTCCertificate> {
  let expires = DEFAULT_CERTIFICATE_EXPIRES;
  if (isObject(keygenAlgorithm)) {
    const requested = (keygenAlgorithm as RTCCertificateExpiration).expires;
    if (requested !== undefined) expires = enforceRangeTimestamp(requested, 'expires');
  }
  expires = Math.min(expires, MAX_CERTIFICATE_EXPIRES);
  const algorithm = normalizeKeygenAlgorithm(keygenAlgorithm);
  if (algorithm === undefined) {
    throw domException('NotSupportedError', 'unsupported certificate key algorithm');
  }
  let dtls: DtlsCertificate;
  try {
    dtls = await generateDtlsCertificate(algorithm, { expires });
  } catch (err) {
    throw domException('OperationError', `certificate generation failed: ${String(err)}`);
  }
  return createRTCCertificate(dtls);
}

function isObject(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

/** WebIDL conversion to [EnforceRange] unsigned long long. */
function enforceRangeTimestamp(value: unknown, member: string): number {
  if (typeof value === 'symbol' || typeof value === 'bigint') {
    throw new TypeError(`${member} is not a number`);
  }
  const n = Math.trunc(Number(value));
  if (!Number.isFinite(n) || n < 0 || n > Number.MAX_SAFE_INTEGER) {
    throw new TypeError(`${member} is out of range: ${String(value)}`);
  }
  return n === 0 ? 0 : n;
}

function sameName(a: unknown, b: string): boolean {
  return typeof a === 'string' && a.toLowerCase() === b.toLowerCase();
}

/** Returns the key algorithm to generate, or undefined when it is not one WebRTC supports. */
function normalizeKeygenAlgorithm(identifier: unknown): KeygenAlgorithm | undefined {
  // A bare name has no parameters, and neither key type works without them.
  if (!isObject(identifier)) return undefined;
  const alg = identifier as Record<string, unknown>;
  if (sameName(alg.name, 'ECDSA')) {
    return alg.namedCurve === 'P-256' ? { name: 'ECDSA', namedCurve: 'P-256' } : undefined;
  }
  if (sameName(alg.name, 'RSASSA-PKCS1-v1_5')) {
    const { modulusLength, publicExponent, hash } = alg;
    if (typeof modulusLength !== 'number' || !Number.isInteger(modulusLength)) return undefined;
    if (modulusLength < MIN_RSA_MODULUS || modulusLength > MAX_RSA_MODULUS) return undefined;
    if (!(publicExponent instanceof Uint8Array) || !isF4(publicExponent)) return undefined;
    const hashName = isObject(hash) ? (hash as { name?: unknown }).name : hash;
    if (!sameName(hashName, 'SHA-256')) return undefined;
    return {
      name: 'RSASSA-PKCS1-v1_5',
      modulusLength,
      publicExponent: Uint8Array.of(1, 0, 1),
      hash: 'SHA-256',
    };
  }
  return undefined;
}

/** 65537 as a big-endian BigInteger, tolerating leading zero bytes. */
function isF4(bytes: Uint8Array): boolean {
  let start = 0;
  while (start < bytes.length && bytes[start] === 0) start++;
  return (
    bytes.length - start === 3 &&
    bytes[start] === 1 &&
    bytes[start + 1] === 0 &&
    bytes[start + 2] === 1
  );
}
