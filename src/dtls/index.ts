/** DTLS 1.2 for WebRTC (RFC 6347, RFC 5764): a sans-IO endpoint plus the certificate it uses. */
export {
  certificateFromPem,
  type DtlsCertificate,
  fingerprintOf,
  generateDtlsCertificate,
  type KeygenAlgorithm,
} from './certificate.js';
export { CipherSuite, SUPPORTED_CIPHER_SUITES } from './cipher-suites.js';
export { AlertDescription } from './constants.js';
export { DtlsEndpoint } from './endpoint.js';
export { isDtlsDatagram } from './record.js';
export {
  DEFAULT_SRTP_PROFILES,
  type DtlsEvent,
  type DtlsOptions,
  type DtlsRole,
  type DtlsState,
  SRTP_PROFILE_IDS,
  type SrtpProfile,
} from './types.js';
