/**
 * The certificate a connection uses when the application passes none. Generated synchronously
 * so that the connection's transports exist from the constructor on, as they do in browsers.
 *
 * One default certificate serves every connection of the process for a day, as a browser keeps
 * one per profile rather than one per page: key generation, signing and parsing the result cost
 * about a millisecond, which is a large part of a whole connection setup on a local network.
 * The certificate authenticates nothing by itself (its fingerprint travels in the signalled
 * description), so sharing it only tells a peer that two connections come from one process;
 * an application that must not reveal that passes its own certificates.
 */

import { Buffer } from 'node:buffer';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  certificateFromPem,
  DEFAULT_CERTIFICATE_EXPIRES,
  type DtlsCertificate,
} from '../dtls/certificate.js';
import { createSelfSignedCertificate } from '../dtls/x509.js';

const ONE_DAY = 24 * 60 * 60 * 1000;
/** How long the shared default certificate is reused; it stays valid for 29 more days. */
const REUSE_FOR = ONE_DAY;

let shared: { certificate: DtlsCertificate; until: number } | undefined;

/** The process's default certificate, generated anew once it has served for a day. */
export function defaultCertificate(now = Date.now()): DtlsCertificate {
  if (shared === undefined || now >= shared.until || now < shared.until - REUSE_FOR) {
    shared = { certificate: generateDefaultCertificate(now), until: now + REUSE_FOR };
  }
  return shared.certificate;
}

function generateDefaultCertificate(now = Date.now()): DtlsCertificate {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const serialNumber = new Uint8Array(randomBytes(16));
  // Positive and always 16 octets long.
  serialNumber[0] = (serialNumber[0]! & 0x7f) | 0x40;
  const der = createSelfSignedCertificate({
    serialNumber,
    commonName: randomBytes(8).toString('hex'),
    // Peers' clocks disagree: validity starts a day early, as browsers do.
    notBefore: new Date(wholeSeconds(now - ONE_DAY)),
    notAfter: new Date(wholeSeconds(now + DEFAULT_CERTIFICATE_EXPIRES)),
    publicKey,
    privateKey,
    signatureAlgorithm: 'ecdsa-with-SHA256',
  });
  const body = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  let pem = '-----BEGIN CERTIFICATE-----\n';
  for (let i = 0; i < body.length; i += 64) pem += `${body.slice(i, i + 64)}\n`;
  pem += '-----END CERTIFICATE-----\n';
  return certificateFromPem(pem, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
}

function wholeSeconds(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}
