import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, sign, verify, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import {
  certificateFromPem,
  type DtlsCertificate,
  fingerprintMatches,
  fingerprintOf,
  generateDtlsCertificate,
  isFingerprintAlgorithm,
  type KeygenAlgorithm,
} from '../../src/dtls/certificate.js';
import {
  derBitString,
  derBoolean,
  derExplicit,
  derGeneralizedTime,
  derInteger,
  derLength,
  derNull,
  derObjectIdentifier,
  derSequence,
  derSet,
  derTime,
  derTlv,
  derUtcTime,
} from '../../src/dtls/der.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const bytesOf = (h: string): Uint8Array =>
  Uint8Array.from(Buffer.from(h.replace(/\s/g, ''), 'hex'));

/** Reads back one TLV header: [tag, content length, header size]. */
function readHeader(der: Uint8Array): [number, number, number] {
  const first = der[1]!;
  if (first < 0x80) return [der[0]!, first, 2];
  const n = first & 0x7f;
  let length = 0;
  for (let i = 0; i < n; i++) length = length * 256 + der[2 + i]!;
  return [der[0]!, length, 2 + n];
}

/** Two's complement big-endian content back to a bigint. */
function integerValue(content: Uint8Array): bigint {
  let v = 0n;
  for (const b of content) v = (v << 8n) | BigInt(b);
  if (content[0]! & 0x80) v -= 1n << BigInt(content.length * 8);
  return v;
}

describe('DER encoder', () => {
  test('definite lengths: short form below 128, long form with minimal length bytes', () => {
    assert.equal(hex(derLength(0)), '00');
    assert.equal(hex(derLength(127)), '7f');
    assert.equal(hex(derLength(128)), '8180');
    assert.equal(hex(derLength(255)), '81ff');
    assert.equal(hex(derLength(256)), '820100');
    assert.equal(hex(derLength(65535)), '82ffff');
    assert.equal(hex(derLength(65536)), '83010000');
    assert.throws(() => derLength(-1), RangeError);
    assert.throws(() => derLength(1.5), RangeError);
  });

  test('TLVs of every length boundary carry their content intact', () => {
    for (const size of [0, 127, 128, 255, 256, 65536]) {
      const content = new Uint8Array(size).map((_, i) => i & 0xff);
      const tlv = derTlv(0x04, content);
      const [tag, length, header] = readHeader(tlv);
      assert.equal(tag, 0x04);
      assert.equal(length, size);
      assert.equal(tlv.length, header + size);
      assert.deepEqual(tlv.subarray(header), content);
    }
  });

  test('INTEGER uses minimal two-complement with sign padding', () => {
    const cases: [number | bigint, string][] = [
      [0, '020100'],
      [1, '020101'],
      [127, '02017f'],
      [128, '02020080'],
      [255, '020200ff'],
      [256, '02020100'],
      [32767, '02027fff'],
      [32768, '0203008000'],
      [-1, '0201ff'],
      [-128, '020180'],
      [-129, '0202ff7f'],
      [-256, '0202ff00'],
      [2n ** 64n, '0209010000000000000000'],
      [-(2n ** 63n), '02088000000000000000'],
    ];
    for (const [value, expected] of cases)
      assert.equal(hex(derInteger(value)), expected, `${value}`);
    assert.throws(() => derInteger(1.5), RangeError);
    assert.throws(() => derInteger(2 ** 60), RangeError);
  });

  test('INTEGER from an unsigned magnitude drops zeros and pads a set top bit', () => {
    assert.equal(hex(derInteger(bytesOf('00000080'))), '02020080');
    assert.equal(hex(derInteger(bytesOf('0000'))), '020100');
    assert.equal(hex(derInteger(new Uint8Array(0))), '020100');
    assert.equal(hex(derInteger(bytesOf('7f'))), '02017f');
    assert.equal(hex(derInteger(bytesOf('ff01'))), '020300ff01');
  });

  test('INTEGER round-trips any bigint and never has a redundant leading byte', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }), (value) => {
        const der = derInteger(value);
        const [tag, length, header] = readHeader(der);
        const content = der.subarray(header);
        assert.equal(tag, 0x02);
        assert.equal(content.length, length);
        assert.equal(integerValue(content), value);
        if (content.length > 1) {
          const redundant =
            (content[0] === 0x00 && (content[1]! & 0x80) === 0) ||
            (content[0] === 0xff && (content[1]! & 0x80) !== 0);
          assert.ok(!redundant, hex(der));
        }
      }),
    );
  });

  test('OBJECT IDENTIFIER: joint first arcs and base-128 sub-identifiers', () => {
    assert.equal(hex(derObjectIdentifier('2.5.4.3')), '0603550403');
    assert.equal(hex(derObjectIdentifier('1.2.840.10045.4.3.2')), '06082a8648ce3d040302');
    assert.equal(hex(derObjectIdentifier('1.2.840.113549.1.1.11')), '06092a864886f70d01010b');
    assert.equal(hex(derObjectIdentifier('1.3.132.0.34')), '06052b81040022');
    // X.690 8.19.5 example: 2.999.3, where the joint sub-identifier 1079 needs two bytes.
    assert.equal(hex(derObjectIdentifier('2.999.3')), '0603883703');
    assert.equal(hex(derObjectIdentifier('0.0')), '060100');
    for (const bad of ['', '1', '1.40', '3.1', '1.2.x', '1..2', '1.2.-3', '1.2.3.']) {
      assert.throws(() => derObjectIdentifier(bad), RangeError, bad);
    }
  });

  test('simple types, SET ordering and explicit tags', () => {
    assert.equal(hex(derNull()), '0500');
    assert.equal(hex(derBoolean(true)), '0101ff');
    assert.equal(hex(derBoolean(false)), '010100');
    assert.equal(hex(derBitString(bytesOf('abcd'))), '030300abcd');
    assert.equal(hex(derSequence()), '3000');
    assert.equal(hex(derSequence(derNull(), derInteger(1))), '30050500020101');
    assert.equal(hex(derSet(derInteger(2), derInteger(1), derNull())), '3108020101020102' + '0500');
    assert.equal(hex(derExplicit(0, derInteger(2))), 'a003020102');
    assert.equal(hex(derExplicit(3, derSequence())), 'a3023000');
  });

  test('Time: UTCTime through 2049, GeneralizedTime from 2050 and before 1950', () => {
    const text = (der: Uint8Array) => [der[0], Buffer.from(der.subarray(2)).toString('latin1')];
    assert.deepEqual(text(derTime(new Date(Date.UTC(2049, 11, 31, 23, 59, 59, 999)))), [
      0x17,
      '491231235959Z',
    ]);
    assert.deepEqual(text(derTime(new Date(Date.UTC(2050, 0, 1, 0, 0, 0)))), [
      0x18,
      '20500101000000Z',
    ]);
    assert.deepEqual(text(derTime(new Date(Date.UTC(1950, 0, 1, 0, 0, 0)))), [
      0x17,
      '500101000000Z',
    ]);
    assert.deepEqual(text(derTime(new Date(Date.UTC(1949, 11, 31, 23, 59, 59)))), [
      0x18,
      '19491231235959Z',
    ]);
    assert.deepEqual(text(derTime(new Date(Date.UTC(2026, 1, 3, 4, 5, 6)))), [
      0x17,
      '260203040506Z',
    ]);
    assert.throws(() => derUtcTime(new Date(Date.UTC(2050, 0, 1))), RangeError);
    assert.throws(() => derGeneralizedTime(new Date(Date.UTC(10000, 0, 1))), RangeError);
  });
});

const P256: KeygenAlgorithm = { name: 'ECDSA', namedCurve: 'P-256' };
const P384: KeygenAlgorithm = { name: 'ECDSA', namedCurve: 'P-384' };
const RSA1024: KeygenAlgorithm = {
  name: 'RSASSA-PKCS1-v1_5',
  modulusLength: 1024,
  publicExponent: Uint8Array.of(1, 0, 1),
  hash: 'SHA-256',
};
const DAY = 24 * 60 * 60 * 1000;

const hasOpenssl = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;
const scratch = mkdtempSync(join(tmpdir(), 'tsrtc-cert-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function openssl(args: string[], input?: Uint8Array): { status: number | null; stdout: string } {
  const r = spawnSync('openssl', args, { input, encoding: 'buffer' });
  return { status: r.status, stdout: `${r.stdout}${r.stderr}` };
}

/** The value of "<hash> Fingerprint=AB:CD:..."; the label's case differs between versions. */
function opensslFingerprint(output: string, hash: string): string {
  const line = output.trim();
  const prefix = `${hash} Fingerprint=`;
  assert.equal(line.slice(0, prefix.length).toLowerCase(), prefix.toLowerCase(), line);
  return line.slice(prefix.length);
}

/** The certificate as X509Certificate sees it, with the checks every generated one must pass. */
function checkCertificate(cert: DtlsCertificate): X509Certificate {
  const x509 = new X509Certificate(cert.der);
  assert.ok(x509.verify(cert.publicKey), 'self-signature verifies');
  assert.ok(x509.checkPrivateKey(cert.privateKey), 'private key matches');
  assert.equal(x509.subject, x509.issuer);
  assert.equal(Date.parse(x509.validTo), cert.expires);
  assert.equal(cert.expires % 1000, 0);
  // A positive serial of at least 64 bits.
  assert.ok(x509.serialNumber.length >= 16, x509.serialNumber);
  assert.ok(Number.parseInt(x509.serialNumber[0]!, 16) < 8);
  const message = Buffer.from('handshake transcript');
  assert.ok(verify('sha256', message, cert.publicKey, sign('sha256', message, cert.privateKey)));
  return x509;
}

describe('generateDtlsCertificate', () => {
  const now = Date.UTC(2030, 0, 15, 12, 0, 0, 750);

  test('default is ECDSA P-256 signed with ecdsa-with-SHA256, valid 30 days from a day ago', async () => {
    const before = Date.now();
    const cert = await generateDtlsCertificate();
    const x509 = checkCertificate(cert);
    assert.equal(cert.keyType, 'ecdsa');
    assert.equal(cert.namedCurve, 'P-256');
    assert.equal(cert.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    assert.ok(cert.expires >= Math.floor(before / 1000) * 1000 + 30 * DAY);
    assert.ok(cert.expires <= Date.now() + 30 * DAY);
    const validFrom = Date.parse(x509.validFrom);
    assert.ok(validFrom >= before - DAY - 1000 && validFrom <= Date.now() - DAY);
    assert.match(x509.subject, /^CN=[0-9a-f]{16}$/);
  });

  test('honours commonName, creation time and expiry', async () => {
    const cert = await generateDtlsCertificate(P256, {
      commonName: 'peer one',
      now,
      expires: 2 * DAY + 400,
    });
    const x509 = checkCertificate(cert);
    assert.equal(x509.subject, 'CN=peer one');
    assert.equal(x509.validFrom, 'Jan 14 12:00:00 2030 GMT');
    assert.equal(x509.validTo, 'Jan 17 12:00:01 2030 GMT');
    assert.equal(cert.expires, Date.UTC(2030, 0, 17, 12, 0, 1));
  });

  test('P-384 signs with ecdsa-with-SHA384', async () => {
    const cert = await generateDtlsCertificate(P384);
    checkCertificate(cert);
    assert.equal(cert.namedCurve, 'P-384');
    assert.equal(cert.publicKey.asymmetricKeyDetails?.namedCurve, 'secp384r1');
  });

  test('RSA keys have the requested modulus and exponent 65537', async () => {
    const cert = await generateDtlsCertificate(RSA1024);
    checkCertificate(cert);
    assert.equal(cert.keyType, 'rsa');
    assert.equal(cert.namedCurve, undefined);
    assert.equal(cert.publicKey.asymmetricKeyDetails?.modulusLength, 1024);
    assert.equal(cert.publicKey.asymmetricKeyDetails?.publicExponent, 65537n);
    const withHashObject = await generateDtlsCertificate({ ...RSA1024, hash: { name: 'SHA-256' } });
    checkCertificate(withHashObject);
  });

  test('expiry of zero ends validity at creation; years past 2049 use GeneralizedTime', async () => {
    const zero = await generateDtlsCertificate(P256, { now, expires: 0 });
    checkCertificate(zero);
    assert.equal(zero.expires, Date.UTC(2030, 0, 15, 12, 0, 0));

    const across = await generateDtlsCertificate(P256, {
      now: Date.UTC(2049, 11, 31, 0, 0, 0),
      expires: 2 * DAY,
    });
    checkCertificate(across);
    assert.equal(new X509Certificate(across.der).validTo, 'Jan  2 00:00:00 2050 GMT');

    const forever = await generateDtlsCertificate(P256, { now, expires: 1e15 });
    checkCertificate(forever);
    assert.equal(forever.expires, Date.UTC(9999, 11, 31, 23, 59, 59));
  });

  test('every certificate gets a fresh key, serial and name', async () => {
    const [a, b] = await Promise.all([generateDtlsCertificate(), generateDtlsCertificate()]);
    const xa = new X509Certificate(a.der);
    const xb = new X509Certificate(b.der);
    assert.notEqual(xa.serialNumber, xb.serialNumber);
    assert.notEqual(xa.subject, xb.subject);
    assert.notEqual(a.fingerprint(), b.fingerprint());
  });

  test('rejects bad options and unsupported algorithms', async () => {
    await assert.rejects(generateDtlsCertificate(P256, { expires: -1 }), RangeError);
    await assert.rejects(generateDtlsCertificate(P256, { expires: Number.NaN }), RangeError);
    await assert.rejects(generateDtlsCertificate(P256, { now: Number.NaN }), RangeError);
    const bad = [
      { name: 'ECDSA', namedCurve: 'P-521' },
      { name: 'Ed25519' },
      { ...RSA1024, hash: 'SHA-1' },
      { ...RSA1024, publicExponent: [1, 0, 1] },
    ] as unknown as KeygenAlgorithm[];
    for (const alg of bad) await assert.rejects(generateDtlsCertificate(alg), TypeError);
  });
});

describe('fingerprints', () => {
  test('match node:crypto for sha-1, sha-256 and sha-512, in SDP form', async () => {
    const cert = await generateDtlsCertificate();
    const x509 = new X509Certificate(cert.der);
    assert.equal(cert.fingerprint(), x509.fingerprint256);
    assert.equal(cert.fingerprint('sha-256'), x509.fingerprint256);
    assert.equal(cert.fingerprint('sha-1'), x509.fingerprint);
    assert.equal(cert.fingerprint('sha-512'), x509.fingerprint512);
    assert.match(cert.fingerprint('sha-224'), /^[0-9A-F]{2}(:[0-9A-F]{2}){27}$/);
    assert.match(cert.fingerprint('sha-384'), /^[0-9A-F]{2}(:[0-9A-F]{2}){47}$/);
    assert.equal(fingerprintOf(cert.der), x509.fingerprint256);
    assert.equal(fingerprintOf(cert.der, 'SHA-256'), x509.fingerprint256);
  });

  test('fingerprintMatches compares without regard to case and never throws', async () => {
    const cert = await generateDtlsCertificate();
    const value = cert.fingerprint();
    assert.ok(fingerprintMatches(cert.der, 'sha-256', value));
    assert.ok(fingerprintMatches(cert.der, 'SHA-256', value.toLowerCase()));
    assert.ok(!fingerprintMatches(cert.der, 'sha-1', value));
    assert.ok(!fingerprintMatches(cert.der, 'md5', value));
    assert.ok(!fingerprintMatches(cert.der, 'constructor', value));
    assert.ok(!fingerprintMatches(cert.der.subarray(1), 'sha-256', value));
    assert.ok(isFingerprintAlgorithm('sha-512'));
    assert.ok(!isFingerprintAlgorithm('md5'));
    assert.throws(() => fingerprintOf(cert.der, 'md5'), TypeError);
    assert.throws(() => fingerprintOf(cert.der, 'toString'), TypeError);
  });
});

describe('PEM', () => {
  test('certificatePem and privateKeyPem load back through certificateFromPem', async () => {
    for (const alg of [P256, P384, RSA1024]) {
      const cert = await generateDtlsCertificate(alg);
      const pem = cert.certificatePem();
      assert.match(
        pem,
        /^-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/=]{1,64}\n)+-----END CERTIFICATE-----\n$/,
      );
      assert.deepEqual(new Uint8Array(new X509Certificate(pem).raw), cert.der);
      const loaded = certificateFromPem(pem, cert.privateKeyPem());
      assert.deepEqual(loaded.der, cert.der);
      assert.equal(loaded.keyType, cert.keyType);
      assert.equal(loaded.namedCurve, cert.namedCurve);
      assert.equal(loaded.expires, cert.expires);
      assert.equal(loaded.fingerprint(), cert.fingerprint());
      checkCertificate(loaded);
    }
  });

  test('certificateFromPem rejects garbage, a foreign key and unsupported key types', async () => {
    const a = await generateDtlsCertificate();
    const b = await generateDtlsCertificate();
    assert.throws(() => certificateFromPem('not a pem', a.privateKeyPem()), TypeError);
    assert.throws(() => certificateFromPem(a.certificatePem(), 'not a key'), TypeError);
    assert.throws(() => certificateFromPem(a.certificatePem(), b.privateKeyPem()), TypeError);
    const ed = generateKeyPairSync('ed25519');
    const edPem = ed.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    assert.throws(() => certificateFromPem(a.certificatePem(), edPem), TypeError);
  });
});

describe('openssl accepts the certificates', {
  skip: hasOpenssl ? false : 'openssl not installed',
}, () => {
  const expectations: [KeygenAlgorithm, string[]][] = [
    [P256, ['Signature Algorithm: ecdsa-with-SHA256', 'Public-Key: (256 bit)', 'P-256']],
    [P384, ['Signature Algorithm: ecdsa-with-SHA384', 'Public-Key: (384 bit)', 'P-384']],
    [RSA1024, ['Signature Algorithm: sha256WithRSAEncryption', 'Public-Key: (1024 bit)', '65537']],
  ];
  for (const [alg, needles] of expectations) {
    const label = 'namedCurve' in alg ? alg.namedCurve : alg.name;
    test(`${label}: parses, and its fingerprints equal openssl's`, async () => {
      const cert = await generateDtlsCertificate(alg, { commonName: 'openssl check' });
      const text = openssl(['x509', '-inform', 'DER', '-noout', '-text'], cert.der);
      assert.equal(text.status, 0, text.stdout);
      for (const needle of needles) assert.ok(text.stdout.includes(needle), needle);
      assert.match(text.stdout, /Version: 3 \(0x2\)/);
      assert.match(text.stdout, /Subject: CN\s?=\s?openssl check/);
      assert.match(text.stdout, /Issuer: CN\s?=\s?openssl check/);

      const asn1 = openssl(['asn1parse', '-inform', 'DER'], cert.der);
      assert.equal(asn1.status, 0, asn1.stdout);

      const sha256 = openssl(
        ['x509', '-noout', '-fingerprint', '-sha256'],
        Buffer.from(cert.certificatePem()),
      );
      assert.equal(opensslFingerprint(sha256.stdout, 'sha256'), cert.fingerprint('sha-256'));
      const sha1 = openssl(
        ['x509', '-noout', '-fingerprint', '-sha1'],
        Buffer.from(cert.certificatePem()),
      );
      assert.equal(opensslFingerprint(sha1.stdout, 'sha1'), cert.fingerprint('sha-1'));

      // The private key PEM is one openssl reads, and it matches the certificate's key.
      const keyFile = join(scratch, `${label}.key`);
      writeFileSync(keyFile, cert.privateKeyPem());
      const fromKey = openssl(['pkey', '-in', keyFile, '-pubout']);
      const fromCert = openssl(['x509', '-noout', '-pubkey'], Buffer.from(cert.certificatePem()));
      assert.equal(fromKey.status, 0, fromKey.stdout);
      assert.equal(fromKey.stdout, fromCert.stdout);
    });
  }

  test('a certificate made by openssl loads through certificateFromPem', () => {
    const keyFile = join(scratch, 'req.key');
    const certFile = join(scratch, 'req.pem');
    const r = openssl([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-subj',
      '/CN=from openssl',
      '-days',
      '2',
    ]);
    assert.equal(r.status, 0, r.stdout);
    const cert = certificateFromPem(readFileSync(certFile, 'utf8'), readFileSync(keyFile, 'utf8'));
    assert.equal(cert.keyType, 'ecdsa');
    assert.equal(cert.namedCurve, 'P-256');
    const fp = openssl(['x509', '-in', certFile, '-noout', '-fingerprint', '-sha256']);
    assert.equal(opensslFingerprint(fp.stdout, 'sha256'), cert.fingerprint());
    assert.ok(cert.expires > Date.now() + DAY && cert.expires <= Date.now() + 2 * DAY + 1000);
  });
});
