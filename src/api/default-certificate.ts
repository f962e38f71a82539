/**
 * The certificate a connection uses when the application passes none. Generated synchronously
 * (an ECDSA P-256 key takes well under a millisecond) so that the connection's transports exist
 * from the constructor on, as they do in browsers.
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

export function generateDefaultCertificate(now = Date.now()): DtlsCertificate {
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
