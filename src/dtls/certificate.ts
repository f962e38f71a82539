/**
 * DTLS identity: a key pair plus the self-signed certificate that carries its public key.
 * WebRTC authenticates the DTLS peer by comparing the certificate's fingerprint with the one in
 * SDP (RFC 8122, RFC 8827), so nothing here involves a certificate chain.
 */
import {
  createHash,
  createPrivateKey,
  generateKeyPair,
  type KeyObject,
  randomBytes,
  X509Certificate,
} from 'node:crypto';
import { promisify } from 'node:util';
import { type CertificateSignatureAlgorithm, createSelfSignedCertificate } from './x509.js';

export type KeygenAlgorithm =
  | { name: 'ECDSA'; namedCurve: 'P-256' | 'P-384' }
  | {
      name: 'RSASSA-PKCS1-v1_5';
      modulusLength: number;
      publicExponent: Uint8Array;
      hash: 'SHA-256' | { name: 'SHA-256' };
    };

export type FingerprintAlgorithm = 'sha-1' | 'sha-224' | 'sha-256' | 'sha-384' | 'sha-512';

export interface DtlsCertificate {
  /** The self-signed X.509 certificate, DER encoded. */
  der: Uint8Array;
  privateKey: KeyObject;
  publicKey: KeyObject;
  keyType: 'ecdsa' | 'rsa';
  namedCurve?: 'P-256' | 'P-384';
  /** notAfter, in ms since the epoch. */
  expires: number;
  /** "AB:CD:..." upper-case hex as in SDP a=fingerprint; sha-256 by default. */
  fingerprint(algorithm?: FingerprintAlgorithm): string;
  certificatePem(): string;
  privateKeyPem(): string;
}

export interface GenerateCertificateOptions {
  /** Validity from now in ms; 30 days by default. */
  expires?: number;
  /** Subject and issuer CN; random hex by default. */
  commonName?: string;
  /** Creation time in ms since the epoch; Date.now() by default. */
  now?: number;
}

export const DEFAULT_CERTIFICATE_EXPIRES = 30 * 24 * 60 * 60 * 1000;
const ONE_DAY = 24 * 60 * 60 * 1000;
/** The latest instant an X.509 GeneralizedTime can express. */
const LATEST_NOT_AFTER = Date.UTC(9999, 11, 31, 23, 59, 59);

const HASH_NAMES: Record<FingerprintAlgorithm, string> = {
  'sha-1': 'sha1',
  'sha-224': 'sha224',
  'sha-256': 'sha256',
  'sha-384': 'sha384',
  'sha-512': 'sha512',
};

/** Accepts the RFC 8122 hash names in any case ("SHA-256" appears in the wild). */
export function isFingerprintAlgorithm(name: string): boolean {
  return Object.hasOwn(HASH_NAMES, name.toLowerCase());
}

/**
 * Fingerprint of a DER certificate as SDP writes it: upper-case hex pairs joined by ':'.
 * Throws TypeError for a hash name outside RFC 8122's SHA family; use fingerprintMatches to
 * check a peer's certificate without throwing.
 */
export function fingerprintOf(der: Uint8Array, algorithm = 'sha-256'): string {
  const key = algorithm.toLowerCase();
  if (!Object.hasOwn(HASH_NAMES, key)) {
    throw new TypeError(`unsupported fingerprint algorithm: ${algorithm}`);
  }
  const hex = createHash(HASH_NAMES[key as FingerprintAlgorithm])
    .update(der)
    .digest('hex')
    .toUpperCase();
  let out = hex.slice(0, 2);
  for (let i = 2; i < hex.length; i += 2) out += `:${hex.slice(i, i + 2)}`;
  return out;
}

/** True when `value` (an SDP fingerprint, any case) is the `algorithm` fingerprint of `der`. */
export function fingerprintMatches(der: Uint8Array, algorithm: string, value: string): boolean {
  if (!isFingerprintAlgorithm(algorithm)) return false;
  return fingerprintOf(der, algorithm) === value.trim().toUpperCase();
}

class LocalCertificate implements DtlsCertificate {
  readonly namedCurve?: 'P-256' | 'P-384';
  private readonly fingerprints = new Map<string, string>();

  constructor(
    readonly der: Uint8Array,
    readonly privateKey: KeyObject,
    readonly publicKey: KeyObject,
    readonly keyType: 'ecdsa' | 'rsa',
    namedCurve: 'P-256' | 'P-384' | undefined,
    readonly expires: number,
  ) {
    if (namedCurve !== undefined) this.namedCurve = namedCurve;
  }

  fingerprint(algorithm: FingerprintAlgorithm = 'sha-256'): string {
    let value = this.fingerprints.get(algorithm);
    if (value === undefined) {
      value = fingerprintOf(this.der, algorithm);
      this.fingerprints.set(algorithm, value);
    }
    return value;
  }

  certificatePem(): string {
    const base64 = Buffer.from(this.der.buffer, this.der.byteOffset, this.der.byteLength).toString(
      'base64',
    );
    let body = '';
    for (let i = 0; i < base64.length; i += 64) body += `${base64.slice(i, i + 64)}\n`;
    return `-----BEGIN CERTIFICATE-----\n${body}-----END CERTIFICATE-----\n`;
  }

  privateKeyPem(): string {
    return this.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  }
}

const generateKeyPairAsync = promisify(generateKeyPair);

interface KeyPlan {
  keyType: 'ecdsa' | 'rsa';
  namedCurve?: 'P-256' | 'P-384';
  signatureAlgorithm: CertificateSignatureAlgorithm;
  generate(): Promise<{ publicKey: KeyObject; privateKey: KeyObject }>;
}

function hashName(hash: unknown): unknown {
  return typeof hash === 'object' && hash !== null ? (hash as { name?: unknown }).name : hash;
}

function exponentValue(bytes: Uint8Array): number {
  let value = 0;
  for (const b of bytes) value = value * 256 + b;
  return value;
}

function planFor(alg: KeygenAlgorithm): KeyPlan {
  if (alg.name === 'ECDSA') {
    const curve = alg.namedCurve;
    if (curve !== 'P-256' && curve !== 'P-384') {
      throw new TypeError(`unsupported ECDSA curve: ${String(curve)}`);
    }
    const opensslCurve = curve === 'P-256' ? 'prime256v1' : 'secp384r1';
    return {
      keyType: 'ecdsa',
      namedCurve: curve,
      signatureAlgorithm: curve === 'P-256' ? 'ecdsa-with-SHA256' : 'ecdsa-with-SHA384',
      generate: () => generateKeyPairAsync('ec', { namedCurve: opensslCurve }),
    };
  }
  if (alg.name === 'RSASSA-PKCS1-v1_5') {
    if (hashName(alg.hash) !== 'SHA-256') {
      throw new TypeError(`unsupported RSA hash: ${String(hashName(alg.hash))}`);
    }
    if (!(alg.publicExponent instanceof Uint8Array) || alg.publicExponent.length > 4) {
      throw new TypeError('unsupported RSA public exponent');
    }
    const modulusLength = alg.modulusLength;
    const publicExponent = exponentValue(alg.publicExponent);
    return {
      keyType: 'rsa',
      signatureAlgorithm: 'sha256WithRSAEncryption',
      generate: () => generateKeyPairAsync('rsa', { modulusLength, publicExponent }),
    };
  }
  throw new TypeError(`unsupported key algorithm: ${String((alg as { name?: unknown }).name)}`);
}

/**
 * Generates a key pair and a self-signed certificate for it. Validity starts one day in the past
 * (peers' clocks disagree, browsers do the same) and ends `expires` ms from now, at whole seconds
 * and no later than year 9999. Rejects with TypeError for an unsupported algorithm and
 * RangeError for a bad option.
 */
export async function generateDtlsCertificate(
  alg: KeygenAlgorithm = { name: 'ECDSA', namedCurve: 'P-256' },
  opts: GenerateCertificateOptions = {},
): Promise<DtlsCertificate> {
  const expires = opts.expires ?? DEFAULT_CERTIFICATE_EXPIRES;
  if (typeof expires !== 'number' || !(expires >= 0)) {
    throw new RangeError(`certificate expiry must be a non-negative number of ms: ${expires}`);
  }
  const now = opts.now ?? Date.now();
  if (!Number.isFinite(now)) throw new RangeError(`invalid creation time: ${now}`);
  const plan = planFor(alg);
  const { publicKey, privateKey } = await plan.generate();

  const notBefore = wholeSeconds(now - ONE_DAY);
  const notAfter = wholeSeconds(Math.min(now + expires, LATEST_NOT_AFTER));
  const der = createSelfSignedCertificate({
    serialNumber: randomSerialNumber(),
    commonName: opts.commonName ?? randomBytes(8).toString('hex'),
    notBefore: new Date(notBefore),
    notAfter: new Date(notAfter),
    publicKey,
    privateKey,
    signatureAlgorithm: plan.signatureAlgorithm,
  });
  return new LocalCertificate(der, privateKey, publicKey, plan.keyType, plan.namedCurve, notAfter);
}

function wholeSeconds(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

/** 16 random bytes with the top bit clear and the next set: positive, always 16 octets. */
function randomSerialNumber(): Uint8Array {
  const serial = new Uint8Array(randomBytes(16));
  serial[0] = (serial[0]! & 0x7f) | 0x40;
  return serial;
}

const CURVES_BY_OPENSSL_NAME: Record<string, 'P-256' | 'P-384'> = {
  prime256v1: 'P-256',
  'P-256': 'P-256',
  secp384r1: 'P-384',
  'P-384': 'P-384',
};

/**
 * Loads an existing certificate and its private key (PEM, e.g. from openssl). Throws TypeError
 * when either does not parse, the key does not belong to the certificate, or the key type is
 * not one DTLS here can sign with (ECDSA P-256/P-384, RSA).
 */
export function certificateFromPem(certPem: string, keyPem: string): DtlsCertificate {
  let x509: X509Certificate;
  let privateKey: KeyObject;
  try {
    x509 = new X509Certificate(certPem);
    privateKey = createPrivateKey(keyPem);
  } catch (err) {
    throw new TypeError(`certificate or key does not parse: ${(err as Error).message}`);
  }
  if (!x509.checkPrivateKey(privateKey)) {
    throw new TypeError('private key does not match the certificate');
  }
  const publicKey = x509.publicKey;
  let keyType: 'ecdsa' | 'rsa';
  let namedCurve: 'P-256' | 'P-384' | undefined;
  if (privateKey.asymmetricKeyType === 'ec') {
    keyType = 'ecdsa';
    namedCurve = CURVES_BY_OPENSSL_NAME[privateKey.asymmetricKeyDetails?.namedCurve ?? ''];
    if (namedCurve === undefined) throw new TypeError('unsupported ECDSA curve');
  } else if (privateKey.asymmetricKeyType === 'rsa') {
    keyType = 'rsa';
  } else {
    throw new TypeError(`unsupported key type: ${privateKey.asymmetricKeyType}`);
  }
  const raw = x509.raw;
  const der = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  return new LocalCertificate(
    der,
    privateKey,
    publicKey,
    keyType,
    namedCurve,
    parseX509Date(x509.validTo),
  );
}

/** Node prints validity as "Nov 25 13:14:27 2026 GMT", which Date.parse understands. */
function parseX509Date(text: string): number {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? 0 : ms;
}
