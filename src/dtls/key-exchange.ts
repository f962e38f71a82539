/** Ephemeral ECDH for ServerKeyExchange/ClientKeyExchange over X25519, P-256 and P-384. */
import {
  createECDH,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
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

const X25519_SPKI_PREFIX = Uint8Array.from([
  0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00,
]);

function x25519(): EcdheKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return {
    group: NamedGroup.x25519,
    publicKey: new Uint8Array(spki.subarray(spki.length - 32)),
    computeSecret(peer) {
      if (peer.length !== 32) return undefined;
      const der = new Uint8Array(X25519_SPKI_PREFIX.length + 32);
      der.set(X25519_SPKI_PREFIX);
      der.set(peer, X25519_SPKI_PREFIX.length);
      let peerKey: KeyObject;
      try {
        peerKey = createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
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
