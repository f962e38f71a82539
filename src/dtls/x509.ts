/**
 * Self-signed X.509 v3 certificates (RFC 5280) as WebRTC uses them: the certificate only carries
 * the public key whose fingerprint goes into SDP, so it has one CN, no extensions, and is signed
 * by its own key.
 */
import { type KeyObject, sign } from 'node:crypto';
import {
  derBitString,
  derExplicit,
  derInteger,
  derNull,
  derObjectIdentifier,
  derSequence,
  derSet,
  derTime,
  derUtf8String,
} from './der.js';

export type CertificateSignatureAlgorithm =
  | 'ecdsa-with-SHA256'
  | 'ecdsa-with-SHA384'
  | 'sha256WithRSAEncryption';

interface SignatureAlgorithmInfo {
  oid: string;
  hash: 'sha256' | 'sha384';
  /** RFC 3279/4055: RSA algorithm identifiers carry an explicit NULL, ECDSA ones omit it. */
  nullParameters: boolean;
}

const SIGNATURE_ALGORITHMS: Record<CertificateSignatureAlgorithm, SignatureAlgorithmInfo> = {
  'ecdsa-with-SHA256': { oid: '1.2.840.10045.4.3.2', hash: 'sha256', nullParameters: false },
  'ecdsa-with-SHA384': { oid: '1.2.840.10045.4.3.3', hash: 'sha384', nullParameters: false },
  sha256WithRSAEncryption: { oid: '1.2.840.113549.1.1.11', hash: 'sha256', nullParameters: true },
};

const OID_COMMON_NAME = '2.5.4.3';
const X509_VERSION_3 = 2;

export interface SelfSignedCertificateFields {
  /** Unsigned big-endian serial number; RFC 5280 allows at most 20 octets. */
  serialNumber: Uint8Array;
  commonName: string;
  notBefore: Date;
  notAfter: Date;
  publicKey: KeyObject;
  privateKey: KeyObject;
  signatureAlgorithm: CertificateSignatureAlgorithm;
}

function algorithmIdentifier(algorithm: CertificateSignatureAlgorithm): Uint8Array {
  const info = SIGNATURE_ALGORITHMS[algorithm];
  const oid = derObjectIdentifier(info.oid);
  return info.nullParameters ? derSequence(oid, derNull()) : derSequence(oid);
}

/** Name ::= SEQUENCE OF RelativeDistinguishedName, here the single attribute CN=<name>. */
function commonNameOnly(commonName: string): Uint8Array {
  return derSequence(
    derSet(derSequence(derObjectIdentifier(OID_COMMON_NAME), derUtf8String(commonName))),
  );
}

/** TBSCertificate: everything the signature covers. Issuer equals subject (self-signed). */
export function buildTbsCertificate(fields: SelfSignedCertificateFields): Uint8Array {
  const name = commonNameOnly(fields.commonName);
  const spki = fields.publicKey.export({ type: 'spki', format: 'der' });
  return derSequence(
    derExplicit(0, derInteger(X509_VERSION_3)),
    derInteger(fields.serialNumber),
    algorithmIdentifier(fields.signatureAlgorithm),
    name,
    derSequence(derTime(fields.notBefore), derTime(fields.notAfter)),
    name,
    new Uint8Array(spki.buffer, spki.byteOffset, spki.byteLength),
  );
}

/**
 * Builds and signs the certificate. ECDSA signatures come out of node:crypto as the DER
 * Ecdsa-Sig-Value that X.509 expects; RSA uses PKCS #1 v1.5 padding by default.
 */
export function createSelfSignedCertificate(fields: SelfSignedCertificateFields): Uint8Array {
  const tbs = buildTbsCertificate(fields);
  const info = SIGNATURE_ALGORITHMS[fields.signatureAlgorithm];
  const signature = sign(info.hash, tbs, fields.privateKey);
  return derSequence(
    tbs,
    algorithmIdentifier(fields.signatureAlgorithm),
    derBitString(new Uint8Array(signature.buffer, signature.byteOffset, signature.byteLength)),
  );
}
