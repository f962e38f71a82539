import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  type AlgorithmIdentifier,
  certificateInternals,
  createRTCCertificate,
  generateCertificate,
  MAX_CERTIFICATE_EXPIRES,
  RTCCertificate,
} from '../../src/api/certificate.js';
import { domException, isDomException } from '../../src/api/dom-exception.js';
import { generateDtlsCertificate } from '../../src/dtls/certificate.js';

const DAY = 24 * 60 * 60 * 1000;
const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' };
const RSA = {
  name: 'RSASSA-PKCS1-v1_5',
  modulusLength: 1024,
  publicExponent: Uint8Array.of(1, 0, 1),
  hash: 'SHA-256',
};

async function rejectsWith(promise: Promise<unknown>, name: string, label: string): Promise<void> {
  await assert.rejects(
    promise,
    (err: unknown) => {
      assert.ok(err instanceof DOMException, `${label}: ${String(err)}`);
      assert.equal(err.name, name, label);
      return true;
    },
    label,
  );
}

describe('RTCCertificate', () => {
  test('cannot be constructed by user code', () => {
    assert.throws(() => new RTCCertificate(), {
      name: 'TypeError',
      message: 'Illegal constructor',
    });
  });

  test('accessors are brand-checked', async () => {
    const cert = await generateCertificate(ECDSA);
    const expires = Object.getOwnPropertyDescriptor(RTCCertificate.prototype, 'expires')!.get!;
    assert.equal(expires.call(cert), cert.expires);
    assert.throws(() => expires.call({}), TypeError);
    assert.throws(() => RTCCertificate.prototype.getFingerprints.call({}), TypeError);
    assert.throws(() => certificateInternals({} as RTCCertificate), TypeError);
    assert.equal(Object.prototype.toString.call(cert), '[object RTCCertificate]');
    assert.deepEqual(Object.keys(cert), [], 'no internals on the instance');
  });

  test('wraps a DtlsCertificate and exposes it only through certificateInternals', async () => {
    const dtls = await generateDtlsCertificate();
    const cert = createRTCCertificate(dtls);
    assert.ok(cert instanceof RTCCertificate);
    assert.equal(certificateInternals(cert), dtls);
    assert.equal(cert.expires, dtls.expires);
    assert.deepEqual(cert.getFingerprints(), [
      { algorithm: 'sha-256', value: dtls.fingerprint().toLowerCase() },
    ]);
  });
});

describe('generateCertificate', () => {
  test('ECDSA P-256: a valid certificate expiring in 30 days, sha-256 fingerprint in lower case', async () => {
    const before = Date.now();
    const cert = await generateCertificate(ECDSA);
    assert.ok(cert instanceof RTCCertificate);
    assert.ok(cert.expires > before + 30 * DAY - 1000 && cert.expires <= Date.now() + 30 * DAY);
    const dtls = certificateInternals(cert);
    assert.equal(dtls.keyType, 'ecdsa');
    assert.equal(dtls.namedCurve, 'P-256');
    const x509 = new X509Certificate(dtls.der);
    assert.ok(x509.verify(dtls.publicKey));
    const fingerprints = cert.getFingerprints();
    assert.equal(fingerprints.length, 1);
    assert.equal(fingerprints[0]!.algorithm, 'sha-256');
    assert.equal(fingerprints[0]!.value, x509.fingerprint256.toLowerCase());
    assert.match(fingerprints[0]!.value!, /^[0-9a-f]{2}(:[0-9a-f]{2}){31}$/);
    assert.notEqual(cert.getFingerprints(), fingerprints, 'a fresh array each call');
  });

  test('RSASSA-PKCS1-v1_5 with SHA-256 and exponent 65537, names in any case', async () => {
    const variants: AlgorithmIdentifier[] = [
      RSA,
      { ...RSA, name: 'rsassa-pkcs1-v1_5', hash: { name: 'sha-256' } },
      { ...RSA, publicExponent: Uint8Array.of(0, 1, 0, 1) },
    ];
    for (const alg of variants) {
      const cert = await generateCertificate(alg);
      const dtls = certificateInternals(cert);
      assert.equal(dtls.keyType, 'rsa');
      assert.equal(dtls.publicKey.asymmetricKeyDetails?.modulusLength, 1024);
      assert.equal(dtls.publicKey.asymmetricKeyDetails?.publicExponent, 65537n);
      assert.ok(new X509Certificate(dtls.der).verify(dtls.publicKey));
    }
    const ecdsaLower = await generateCertificate({ name: 'ecdsa', namedCurve: 'P-256' });
    assert.equal(certificateInternals(ecdsaLower).keyType, 'ecdsa');
  });

  test('expires sets the validity, converted as WebIDL unsigned long long', async () => {
    const before = Date.now();
    const short = await generateCertificate({ ...ECDSA, expires: 5000 });
    assert.ok(short.expires > before + 5000 - 1000 && short.expires <= Date.now() + 5000);
    const fromString = await generateCertificate({
      ...ECDSA,
      expires: '5000' as unknown as number,
    });
    assert.ok(fromString.expires <= Date.now() + 5000);
    const fraction = await generateCertificate({ ...ECDSA, expires: 5000.9 });
    assert.ok(fraction.expires <= Date.now() + 5000);
    const explicitUndefined = await generateCertificate({ ...ECDSA, expires: undefined });
    assert.ok(explicitUndefined.expires > before + 29 * DAY);
  });

  test('expires 0 gives an already expired certificate; long expiries are capped at 365 days', async () => {
    const expired = await generateCertificate({ ...ECDSA, expires: 0 });
    assert.ok(expired.expires <= Date.now());
    const before = Date.now();
    const long = await generateCertificate({ ...ECDSA, expires: 10 * 365 * DAY });
    assert.ok(long.expires > before + MAX_CERTIFICATE_EXPIRES - 1000);
    assert.ok(long.expires <= Date.now() + MAX_CERTIFICATE_EXPIRES);
    assert.equal(MAX_CERTIFICATE_EXPIRES, 31536000000);
  });

  test('expires that is out of range or not a number rejects with TypeError', async () => {
    const bad: unknown[] = [
      -1,
      -DAY,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      2 ** 53,
      'soon',
      {},
      Symbol('x'),
      10n,
    ];
    for (const expires of bad) {
      await assert.rejects(
        generateCertificate({ ...ECDSA, expires } as AlgorithmIdentifier),
        TypeError,
        String(expires),
      );
    }
    const throwing = {
      ...ECDSA,
      get expires(): number {
        throw new RangeError('from getter');
      },
    };
    await assert.rejects(generateCertificate(throwing), RangeError);
  });

  test('every unsupported algorithm rejects with NotSupportedError', async () => {
    const cases: [string, unknown][] = [
      ['ECDSA as a bare name', 'ECDSA'],
      ['RSA as a bare name', 'RSASSA-PKCS1-v1_5'],
      ['unknown name', 'P-256'],
      ['empty string', ''],
      ['undefined', undefined],
      ['null', null],
      ['a number', 42],
      ['an empty dictionary', {}],
      ['a non-string name', { name: 7, namedCurve: 'P-256' }],
      ['unknown algorithm', { name: 'foo', namedCurve: 'P-256' }],
      ['ECDH', { name: 'ECDH', namedCurve: 'P-256' }],
      ['Ed25519', { name: 'Ed25519' }],
      ['RSA-PSS', { ...RSA, name: 'RSA-PSS' }],
      ['ECDSA without a curve', { name: 'ECDSA' }],
      ['ECDSA P-384', { name: 'ECDSA', namedCurve: 'P-384' }],
      ['ECDSA P-521', { name: 'ECDSA', namedCurve: 'P-521' }],
      ['ECDSA P-257', { name: 'ECDSA', namedCurve: 'P-257' }],
      ['curve names are case-sensitive', { name: 'ECDSA', namedCurve: 'p-256' }],
      ['RSA without modulusLength', { ...RSA, modulusLength: undefined }],
      ['RSA modulus 512', { ...RSA, modulusLength: 512 }],
      ['RSA modulus 1023', { ...RSA, modulusLength: 1023 }],
      ['RSA modulus 8193', { ...RSA, modulusLength: 8193 }],
      ['RSA modulus 16384', { ...RSA, modulusLength: 16384 }],
      ['RSA fractional modulus', { ...RSA, modulusLength: 2048.5 }],
      ['RSA modulus as a string', { ...RSA, modulusLength: '2048' }],
      ['RSA without publicExponent', { ...RSA, publicExponent: undefined }],
      ['RSA exponent 3', { ...RSA, publicExponent: Uint8Array.of(3) }],
      ['RSA exponent 65539', { ...RSA, publicExponent: Uint8Array.of(1, 0, 3) }],
      ['RSA exponent 2^24+1', { ...RSA, publicExponent: Uint8Array.of(1, 0, 0, 1) }],
      ['RSA exponent as a number', { ...RSA, publicExponent: 65537 }],
      ['RSA exponent as an array', { ...RSA, publicExponent: [1, 0, 1] }],
      ['RSA exponent empty', { ...RSA, publicExponent: new Uint8Array(0) }],
      ['RSA without hash', { ...RSA, hash: undefined }],
      ['RSA with SHA-1', { ...RSA, hash: 'SHA-1' }],
      ['RSA with SHA-384', { ...RSA, hash: 'SHA-384' }],
      ['RSA with SHA-512 dictionary', { ...RSA, hash: { name: 'SHA-512' } }],
      ['RSA with an empty hash dictionary', { ...RSA, hash: {} }],
    ];
    for (const [label, alg] of cases) {
      const result = generateCertificate(alg as AlgorithmIdentifier);
      assert.ok(result instanceof Promise, `${label}: returns a promise, never throws`);
      await rejectsWith(result, 'NotSupportedError', label);
    }
  });

  test('expires is validated before the algorithm, as the spec orders it', async () => {
    await assert.rejects(
      generateCertificate({ name: 'foo', expires: -1 } as AlgorithmIdentifier),
      TypeError,
    );
  });
});

describe('dom-exception', () => {
  test('creates DOMExceptions with the spec name and legacy code', () => {
    const err = domException('InvalidStateError', 'closed');
    assert.ok(err instanceof DOMException);
    assert.ok(err instanceof Error);
    assert.equal(err.name, 'InvalidStateError');
    assert.equal(err.message, 'closed');
    assert.equal(err.code, 11);
    assert.equal(domException('NotSupportedError', '').code, 9);
    assert.equal(domException('OperationError', '').code, 0);
    assert.ok(isDomException(err));
    assert.ok(isDomException(err, 'InvalidStateError'));
    assert.ok(!isDomException(err, 'NotSupportedError'));
    assert.ok(!isDomException(new TypeError('x')));
  });
});
