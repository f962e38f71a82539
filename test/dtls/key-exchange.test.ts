/**
 * Ephemeral ECDH as the handshake uses it: the public values go on the wire raw, so each group
 * is checked against node:crypto's own key objects on the other side, not only against itself.
 */
import assert from 'node:assert/strict';
import { createPublicKey, diffieHellman, generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import { NamedGroup } from '../../src/dtls/constants.js';
import { generateEcdhe, SUPPORTED_GROUPS } from '../../src/dtls/key-exchange.js';

const X25519_SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

describe('ECDHE', () => {
  test('every supported group agrees on one secret from both sides', () => {
    for (const group of SUPPORTED_GROUPS) {
      const a = generateEcdhe(group)!;
      const b = generateEcdhe(group)!;
      const ab = a.computeSecret(b.publicKey);
      assert.ok(ab && ab.length >= 32, `group ${group}`);
      assert.deepEqual(ab, b.computeSecret(a.publicKey), `group ${group}`);
      assert.notDeepEqual(ab, generateEcdhe(group)!.computeSecret(b.publicKey));
    }
  });

  test('X25519: the raw public value and the secret match a key pair node:crypto made itself', () => {
    const ours = generateEcdhe(NamedGroup.x25519)!;
    assert.equal(ours.publicKey.length, 32);
    const theirs = generateKeyPairSync('x25519');
    const theirRaw = theirs.publicKey.export({ format: 'der', type: 'spki' }).subarray(12);
    const ourKey = createPublicKey({
      key: Buffer.concat([X25519_SPKI_PREFIX, ours.publicKey]),
      format: 'der',
      type: 'spki',
    });
    const expected = diffieHellman({ privateKey: theirs.privateKey, publicKey: ourKey });
    assert.deepEqual(Buffer.from(ours.computeSecret(theirRaw)!), expected);
  });

  test('X25519: a wrong length or a small-order point gives no secret', () => {
    const ours = generateEcdhe(NamedGroup.x25519)!;
    assert.equal(ours.computeSecret(new Uint8Array(31)), undefined);
    assert.equal(ours.computeSecret(new Uint8Array(33)), undefined);
    assert.equal(ours.computeSecret(new Uint8Array(32)), undefined, 'the all-zero point');
    const one = new Uint8Array(32);
    one[0] = 1;
    assert.equal(ours.computeSecret(one), undefined, 'the point of order 1');
  });
});
