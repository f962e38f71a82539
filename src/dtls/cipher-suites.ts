/** The cipher suites this stack speaks: ECDHE key exchange with an AEAD record cipher. */

export type AeadAlgorithm = 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305';

export interface CipherSuiteInfo {
  id: number;
  name: string;
  /** Which certificate key signs the ServerKeyExchange. */
  auth: 'ecdsa' | 'rsa';
  aead: AeadAlgorithm;
  keyLength: number;
  /** GCM: the 4-byte implicit salt (RFC 5288); ChaCha20: the 12-byte IV (RFC 7905). */
  fixedIvLength: number;
  /** Bytes of nonce carried in each record (8 for GCM, none for ChaCha20). */
  explicitNonceLength: number;
  /** PRF and transcript hash. */
  hash: 'sha256' | 'sha384';
}

export const CipherSuite = {
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 0xc02b,
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 0xc02c,
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 0xc02f,
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 0xc030,
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 0xcca9,
} as const;

const gcm = (
  id: number,
  name: string,
  auth: 'ecdsa' | 'rsa',
  bits: 128 | 256,
): CipherSuiteInfo => ({
  id,
  name,
  auth,
  aead: bits === 128 ? 'aes-128-gcm' : 'aes-256-gcm',
  keyLength: bits / 8,
  fixedIvLength: 4,
  explicitNonceLength: 8,
  hash: bits === 128 ? 'sha256' : 'sha384',
});

/** In preference order: the server picks the first of these the client also offers. */
export const SUPPORTED_CIPHER_SUITES: readonly CipherSuiteInfo[] = [
  gcm(0xc02b, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'ecdsa', 128),
  gcm(0xc02f, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'rsa', 128),
  {
    id: 0xcca9,
    name: 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
    auth: 'ecdsa',
    aead: 'chacha20-poly1305',
    keyLength: 32,
    fixedIvLength: 12,
    explicitNonceLength: 0,
    hash: 'sha256',
  },
  gcm(0xc02c, 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'ecdsa', 256),
  gcm(0xc030, 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'rsa', 256),
];

export function cipherSuiteInfo(id: number): CipherSuiteInfo | undefined {
  for (const s of SUPPORTED_CIPHER_SUITES) if (s.id === id) return s;
  return undefined;
}
