/** The grammar rules for ICE credentials (RFC 8839 5.4) and DTLS fingerprints (RFC 8122 5). */

const ICE_CHARS = /^[A-Za-z0-9+/]+$/;

/** Bytes of each hash this stack can check a certificate against. */
const FINGERPRINT_BYTES: ReadonlyMap<string, number> = new Map([
  ['sha-1', 20],
  ['sha-224', 28],
  ['sha-256', 32],
  ['sha-384', 48],
  ['sha-512', 64],
]);

export const SUPPORTED_FINGERPRINT_HASHES = [...FINGERPRINT_BYTES.keys()];

/** ice-ufrag: 4 to 256 ice-chars (ALPHA / DIGIT / "+" / "/"). */
export function ufragProblem(ufrag: string): string | undefined {
  if (ufrag.length < 4 || ufrag.length > 256) return 'must be 4 to 256 characters';
  return ICE_CHARS.test(ufrag) ? undefined : 'may only hold letters, digits, "+" and "/"';
}

/** ice-pwd: 22 to 256 ice-chars. */
export function pwdProblem(pwd: string): string | undefined {
  if (pwd.length < 22 || pwd.length > 256) return 'must be 22 to 256 characters';
  return ICE_CHARS.test(pwd) ? undefined : 'may only hold letters, digits, "+" and "/"';
}

/** The hash name in lower case when this stack knows it ("SHA-256" is seen in the wild). */
export function knownFingerprintHash(algorithm: string): string | undefined {
  const name = algorithm.toLowerCase();
  return FINGERPRINT_BYTES.has(name) ? name : undefined;
}

/** Whether a fingerprint value ("AB:CD:...", already hex pairs) has the hash's length. */
export function fingerprintLengthFits(hash: string, value: string): boolean {
  return (value.length + 1) / 3 === FINGERPRINT_BYTES.get(hash);
}
