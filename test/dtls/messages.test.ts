import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  decodeCertificate,
  decodeCertificateRequest,
  decodeClientHello,
  decodeClientKeyExchange,
  decodeDigitallySigned,
  decodeHelloVerifyRequest,
  decodeServerHello,
  decodeServerKeyExchange,
  decodeU16List,
  decodeUseSrtp,
  encodeCertificate,
  encodeCertificateRequest,
  encodeClientHello,
  encodeServerHello,
  encodeServerKeyExchange,
  encodeServerKeyExchangeParams,
  encodeUseSrtp,
} from '../../src/dtls/messages.js';

const decoders = [
  decodeCertificate,
  decodeCertificateRequest,
  decodeClientHello,
  decodeClientKeyExchange,
  decodeDigitallySigned,
  decodeHelloVerifyRequest,
  decodeServerHello,
  decodeServerKeyExchange,
  decodeUseSrtp,
  (b: Uint8Array) => decodeU16List(b, 2),
];

test('decoders return a value or undefined on any input, never throw', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      for (const d of decoders) d(bytes);
    }),
    { numRuns: 500 },
  );
});

const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
const u16 = fc.integer({ min: 0, max: 0xffff });
const extensions = fc.uniqueArray(fc.tuple(u16, bytes(0, 20)), {
  selector: (e) => e[0],
  maxLength: 6,
});

test('ClientHello round-trips, and every truncation is refused', () => {
  fc.assert(
    fc.property(
      bytes(32, 32),
      bytes(0, 32),
      bytes(0, 40),
      fc.array(u16, { minLength: 1, maxLength: 10 }),
      extensions,
      (random, sessionId, cookie, cipherSuites, ext) => {
        const h = {
          version: 0xfefd,
          random,
          sessionId,
          cookie,
          cipherSuites,
          compressionMethods: Uint8Array.of(0),
        };
        const wire = encodeClientHello(h, ext);
        const back = decodeClientHello(wire)!;
        assert.deepEqual(back.random, random);
        assert.deepEqual(back.sessionId, sessionId);
        assert.deepEqual(back.cookie, cookie);
        assert.deepEqual(back.cipherSuites, cipherSuites);
        assert.deepEqual([...back.extensions.entries()], ext);
        for (let n = 0; n < wire.length; n++) {
          // A prefix may only parse when it ends exactly where the extensions block would start.
          const v = decodeClientHello(wire.subarray(0, n));
          if (v !== undefined) assert.equal(v.extensions.size, 0);
        }
      },
    ),
    { numRuns: 100 },
  );
});

test('ServerHello, ServerKeyExchange, CertificateRequest, Certificate and use_srtp round-trip', () => {
  fc.assert(
    fc.property(
      bytes(32, 32),
      u16,
      extensions,
      bytes(1, 97),
      bytes(0, 80),
      (random, suite, ext, point, sig) => {
        const sh = decodeServerHello(
          encodeServerHello(
            {
              version: 0xfefd,
              random,
              sessionId: new Uint8Array(0),
              cipherSuite: suite,
              compressionMethod: 0,
            },
            ext,
          ),
        )!;
        assert.equal(sh.cipherSuite, suite);
        assert.deepEqual([...sh.extensions.entries()], ext);
        const params = encodeServerKeyExchangeParams(29, point);
        const ske = decodeServerKeyExchange(encodeServerKeyExchange(params, 0x0403, sig))!;
        assert.deepEqual(
          {
            group: ske.group,
            point: ske.publicKey,
            params: ske.params,
            scheme: ske.scheme,
            sig: ske.signature,
          },
          { group: 29, point, params, scheme: 0x0403, sig },
        );
        const cr = decodeCertificateRequest(encodeCertificateRequest([64, 1], [0x0403, 0x0804]))!;
        assert.deepEqual(cr.signatureSchemes, [0x0403, 0x0804]);
        assert.deepEqual(decodeCertificate(encodeCertificate([point, sig.length ? sig : point])), [
          point,
          sig.length ? sig : point,
        ]);
        assert.deepEqual(decodeUseSrtp(encodeUseSrtp([7, 8, 1])), [7, 8, 1]);
      },
    ),
    { numRuns: 100 },
  );
});

test('duplicate extensions and empty certificates are malformed', () => {
  const ext: [number, Uint8Array][] = [
    [23, new Uint8Array(0)],
    [23, new Uint8Array(0)],
  ];
  const wire = encodeServerHello(
    {
      version: 0xfefd,
      random: new Uint8Array(32),
      sessionId: new Uint8Array(0),
      cipherSuite: 1,
      compressionMethod: 0,
    },
    ext,
  );
  assert.equal(decodeServerHello(wire), undefined);
  assert.equal(decodeCertificate(Uint8Array.of(0, 0, 3, 0, 0, 0)), undefined);
  assert.deepEqual(decodeCertificate(Uint8Array.of(0, 0, 0)), []);
});
