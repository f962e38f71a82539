/** Ephemeral ECDH for ServerKeyExchange/ClientKeyExchange over X25519, P-256 and P-384. */
import { createECDH, createPublicKey, diffieHellman, generateKeyPairSync } from 'node:crypto';
import { NamedGroup } from './constants.js';

export interface EcdheKeyPair {
  group: number;
  /** The public value as it goes on the wire (raw X25519 key or uncompressed point). */
  publicKey: Uint8Array;
  /** The shared secret, or undefined if the peer's value is not a valid point. */
  computeSecret(peerPublic: Uint8Array): Uint8Array | undefined;
}

/** Server preference order. */
export const SUPPORTED_GROUPS: readonly number[] = [
  NamedGroup.x25519,
  NamedGroup.secp256r1,
  NamedGroup.secp384r1,
];

/**
 * The X25519 keys cross node:crypto as JWK rather than SPKI DER: with OpenSSL 3 the DER
 * encoder and decoder cost about 90 and 110 µs a call here, JWK 2 and 17 µs, and a handshake
 * makes one of each.
 */
function x25519(): EcdheKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  const x = publicKey.export({ format: 'jwk' }).x;
  return {
    group: NamedGroup.x25519,
    publicKey: new Uint8Array(Buffer.from(x ?? '', 'base64url')),
    computeSecret(peer) {
      if (peer.length !== 32) return undefined;
      const jwk = {
        kty: 'OKP',
        crv: 'X25519',
        x: Buffer.from(peer.buffer, peer.byteOffset, peer.length).toString('base64url'),
      };
      try {
        const peerKey = createPublicKey({ key: jwk, format: 'jwk' });
        const secret = diffieHellman({ privateKey, publicKey: peerKey });
        // RFC 8422 5.11: an all-zero result means a small-order point.
        if (secret.every((b) => b === 0)) return undefined;
        return secret;
      } catch {
        return undefined;
      }
    },
  };
}

function nist(group: number, curve: string, pointLength: number): EcdheKeyPair {
  const ecdh = createECDH(curve);
  const pub = ecdh.generateKeys();
  return {
    group,
    publicKey: new Uint8Array(pub),
    computeSecret(peer) {
      if (peer.length !== pointLength || peer[0] !== 4) return undefined;
      try {
        return ecdh.computeSecret(peer);
      } catch {
        return undefined;
      }
    },
  };
}

export function generateEcdhe(group: number): EcdheKeyPair | undefined {
  switch (group) {
    case NamedGroup.x25519:
      return x25519();
    case NamedGroup.secp256r1:
      return nist(group, 'prime256v1', 65);
    case NamedGroup.secp384r1:
      return nist(group, 'secp384r1', 97);
    default:
      return undefined;
  }
}
