import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { type KeyObject, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  p256KeyOf,
  peerPublicKey,
  RECENT_KEY_MAX_CERTIFICATE,
  RECENT_KEYS_MAX,
} from '../../src/dtls/peer-key.js';
import { Prng } from '../sim/prng.js';
import { testCertificate } from './helpers.js';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

function spki(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'der' }).toString('hex');
}

const P256_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];

/** One self-signed certificate made by openssl (with its own v3 extensions), DER encoded. */
function opensslCertificate(keyArgs: string[], subject = '/CN=peer'): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'peer-key-'));
  try {
    const file = join(dir, 'cert.der');
    const r = spawnSync('openssl', [
      'req',
      '-x509',
      ...keyArgs,
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-outform',
      'DER',
      '-out',
      file,
      '-subj',
      subject,
      '-days',
      '2',
    ]);
    assert.equal(r.status, 0, `openssl ${keyArgs.join(' ')}: ${r.stderr}`);
    return new Uint8Array(readFileSync(file));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Certificates made by openssl, to read as a peer's. */
function opensslCertificates(): Map<string, Uint8Array> {
  return new Map([
    ['openssl P-256', opensslCertificate(P256_KEY)],
    [
      'openssl P-384',
      opensslCertificate(['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:secp384r1']),
    ],
    ['openssl RSA 2048', opensslCertificate(['-newkey', 'rsa:2048'])],
    ['openssl Ed25519', opensslCertificate(['-newkey', 'ed25519'])],
  ]);
}

test('the key read from a certificate is the one X509Certificate reads, P-256 by the short path', async () => {
  const certs = hasOpenssl ? opensslCertificates() : new Map<string, Uint8Array>();
  for (const kind of ['ecdsa', 'ecdsa384', 'rsa'] as const) {
    certs.set(`tsrtc ${kind}`, (await testCertificate(kind)).der);
  }
  for (const [name, der] of certs) {
    const expected = spki(new X509Certificate(der).publicKey);
    assert.equal(spki(peerPublicKey(der)), expected, name);
    const short = p256KeyOf(der);
    if (name.includes('P-256') || name === 'tsrtc ecdsa') {
      assert.ok(short, `${name} takes the P-256 path`);
      assert.equal(spki(short), expected, name);
    } else {
      assert.equal(short, undefined, `${name} is left to X509Certificate`);
    }
  }
});

test('a damaged certificate gives an error or the key X509Certificate reads, never another', async () => {
  const der = (await testCertificate('ecdsa')).der;
  const expected = spki(new X509Certificate(der).publicKey);
  const prng = new Prng(7);
  const damaged: Uint8Array[] = [];
  for (let n = 0; n < der.length; n++) damaged.push(der.subarray(0, n));
  for (let i = 0; i < 3000; i++) {
    const d = der.slice();
    const flips = prng.int(1, 3);
    for (let f = 0; f < flips; f++) d[prng.int(0, d.length - 1)] = prng.int(0, 255);
    damaged.push(d);
  }
  let refused = 0;
  for (const d of damaged) {
    let x509: string | undefined;
    try {
      x509 = spki(new X509Certificate(d).publicKey);
    } catch {
      x509 = undefined;
    }
    let ours: string | undefined;
    try {
      ours = spki(peerPublicKey(d));
    } catch (e) {
      assert.ok(e instanceof Error);
      refused++;
      continue;
    }
    // What the short path accepts, X509Certificate reads the same key from, or refuses over
    // bytes elsewhere: the key is still the certificate's.
    assert.equal(ours, x509 ?? expected);
  }
  assert.ok(refused > der.length, `${refused} refused`);
});

test('a certificate seen again gives the key read the first time; the last 64 are kept', async () => {
  const a = (await testCertificate('ecdsa', 7)).der;
  const b = (await testCertificate('ecdsa', 8)).der;
  const first = peerPublicKey(a.slice());
  assert.equal(peerPublicKey(a.slice()), first, 'the same bytes, another buffer');
  const other = peerPublicKey(b);
  assert.notEqual(spki(other), spki(first));
  assert.equal(spki(other), spki(new X509Certificate(b).publicKey));
  // One byte of the signature changed: other bytes, read for themselves (the same key).
  const resigned = a.slice();
  resigned[resigned.length - 1]! ^= 1;
  const again = peerPublicKey(resigned);
  assert.notEqual(again, first);
  assert.equal(spki(again), spki(first));
  // With b and `resigned` after it, 61 more still keep `a` among the last 64.
  for (let i = 0; i < RECENT_KEYS_MAX - 3; i++) {
    peerPublicKey((await testCertificate('ecdsa', 100 + i)).der);
  }
  assert.equal(peerPublicKey(a), first, 'still kept');
  // Used again just now, it is the newest: one more certificate evicts the oldest, not `a`.
  peerPublicKey((await testCertificate('ecdsa', 199)).der);
  assert.equal(peerPublicKey(a), first, 'kept because it was used');
  for (let i = 0; i < RECENT_KEYS_MAX; i++) {
    peerPublicKey((await testCertificate('ecdsa', 200 + i)).der);
  }
  const reread = peerPublicKey(a);
  assert.notEqual(reread, first, 'evicted, read again');
  assert.equal(spki(reread), spki(first));
});

test('a certificate larger than a WebRTC one is read every time, not kept', {
  skip: !hasOpenssl,
}, () => {
  // Thirty 60-character OUs make a P-256 certificate of about 2.3 KB.
  const subject = Array.from({ length: 30 }, (_, i) => `/OU=${String(i).padStart(60, 'x')}`);
  const big = opensslCertificate(P256_KEY, `/CN=big${subject.join('')}`);
  assert.ok(big.length > RECENT_KEY_MAX_CERTIFICATE, `${big.length} bytes`);
  const first = peerPublicKey(big);
  const second = peerPublicKey(big.slice());
  assert.notEqual(second, first, 'read again');
  assert.equal(spki(second), spki(first));
  assert.equal(spki(first), spki(new X509Certificate(big).publicKey));
});
