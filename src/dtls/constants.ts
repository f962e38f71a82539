/** Wire constants of DTLS 1.2 (RFC 6347, RFC 5246 and the extension RFCs). */

export const DTLS_1_2 = 0xfefd;
/** RFC 6347 4.2.1: a HelloVerifyRequest carries DTLS 1.0 whatever version is negotiated. */
export const DTLS_1_0 = 0xfeff;
export const DTLS_1_3 = 0xfefc;

export const ContentType = {
  changeCipherSpec: 20,
  alert: 21,
  handshake: 22,
  applicationData: 23,
} as const;

export const HandshakeType = {
  helloRequest: 0,
  clientHello: 1,
  serverHello: 2,
  helloVerifyRequest: 3,
  certificate: 11,
  serverKeyExchange: 12,
  certificateRequest: 13,
  serverHelloDone: 14,
  certificateVerify: 15,
  clientKeyExchange: 16,
  finished: 20,
} as const;

export const AlertLevel = { warning: 1, fatal: 2 } as const;

export const AlertDescription = {
  closeNotify: 0,
  unexpectedMessage: 10,
  badRecordMac: 20,
  handshakeFailure: 40,
  badCertificate: 42,
  unsupportedCertificate: 43,
  certificateUnknown: 46,
  illegalParameter: 47,
  decodeError: 50,
  decryptError: 51,
  protocolVersion: 70,
  insufficientSecurity: 71,
  internalError: 80,
  noRenegotiation: 100,
  unsupportedExtension: 110,
} as const;

export const ExtensionType = {
  supportedGroups: 10,
  ecPointFormats: 11,
  signatureAlgorithms: 13,
  useSrtp: 14,
  extendedMasterSecret: 23,
  supportedVersions: 43,
  renegotiationInfo: 0xff01,
} as const;

export const NamedGroup = { secp256r1: 23, secp384r1: 24, x25519: 29 } as const;

export const SignatureScheme = {
  rsaPkcs1Sha256: 0x0401,
  ecdsaSecp256r1Sha256: 0x0403,
  ecdsaSecp384r1Sha384: 0x0503,
  rsaPssRsaeSha256: 0x0804,
} as const;

/** ClientCertificateType values for CertificateRequest (RFC 5246 7.4.4, RFC 8422). */
export const CertificateType = { rsaSign: 1, ecdsaSign: 64 } as const;

export const RECORD_HEADER_LENGTH = 13;
export const HANDSHAKE_HEADER_LENGTH = 12;
