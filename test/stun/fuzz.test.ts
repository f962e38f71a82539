import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  decodeStun,
  formatIPv4,
  formatIPv6,
  getErrorCode,
  getIceControlled,
  getIceControlling,
  getMappedAddress,
  getPriority,
  getString,
  getUnknownAttributes,
  getUsername,
  getXorMappedAddress,
  isStunMessage,
  parseIPv4,
  parseIPv6,
  StunAttr,
  type StunMessage,
  StunMessageBuilder,
  StunMethod,
  shortTermKey,
  unknownComprehensionRequired,
  verifyFingerprint,
  verifyMessageIntegrity,
  verifyMessageIntegritySha256,
} from '../../src/stun/index.js';
import { SAMPLE_IPV6_RESPONSE, SAMPLE_REQUEST, SHORT_TERM_PASSWORD } from './vectors.js';

const KEY = shortTermKey(SHORT_TERM_PASSWORD);
const SEED = 0x5717;

/** Every reader and checker, on whatever decoded: none may throw. */
function exercise(m: StunMessage): void {
  getUsername(m);
  getPriority(m);
  getIceControlling(m);
  getIceControlled(m);
  getErrorCode(m);
  getUnknownAttributes(m);
  getString(m, StunAttr.Software);
  unknownComprehensionRequired(m);
  for (const a of m.attributes) {
    assert.ok(a.offset + 4 + a.value.length <= m.raw.length);
    getXorMappedAddress(m, a.type);
    getMappedAddress(m, a.type);
  }
  verifyMessageIntegrity(m, KEY);
  verifyMessageIntegritySha256(m, KEY);
  verifyFingerprint(m);
}

function decodeSafely(data: Uint8Array): StunMessage | undefined {
  isStunMessage(data);
  const r = decodeStun(data);
  if (!r.ok) return undefined;
  exercise(r.message);
  return r.message;
}

const signed = new StunMessageBuilder(StunMethod.Binding, 'request')
  .addString(StunAttr.Username, 'user:peer')
  .addUint32(StunAttr.Priority, 12345)
  .addUint64(StunAttr.IceControlling, 77n)
  .addFlag(StunAttr.UseCandidate)
  .addXorAddress(StunAttr.XorPeerAddress, { address: 'fd77::2', port: 9, family: 'IPv6' })
  .addMessageIntegrity(KEY)
  .addMessageIntegritySha256(KEY)
  .addFingerprint()
  .build();

const validMessages = [SAMPLE_REQUEST, SAMPLE_IPV6_RESPONSE, signed];

describe('address text', () => {
  it('IPv6 and IPv4 bytes survive format then parse', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.nat(7), (bytes, zeros) => {
        // Runs of zero groups, where "::" compression happens, are what needs exercising.
        bytes.fill(0, 2 * zeros, 2 * zeros + 2 * (zeros % 4));
        const out = new Uint8Array(16);
        assert.ok(parseIPv6(formatIPv6(bytes), out));
        assert.deepEqual(out, bytes);
        assert.ok(parseIPv4(formatIPv4(bytes), out));
        assert.deepEqual(out.subarray(0, 4), bytes.subarray(0, 4));
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('random text never throws', () => {
    const out = new Uint8Array(16);
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF:.%x'), maxLength: 45 }),
        (text) => {
          parseIPv6(text, out);
          parseIPv4(text, out);
        },
      ),
      { seed: SEED, numRuns: 3000 },
    );
  });
});

describe('decoder robustness', () => {
  it('random bytes never throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (data) => {
        decodeSafely(data);
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });

  it('a valid header over random attribute bytes never throws', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 0, max: 40 })
          .chain((words) => fc.uint8Array({ minLength: words * 4, maxLength: words * 4 })),
        (body) => {
          const data = new Uint8Array(20 + body.length);
          data.set([0, 1, body.length >> 8, body.length & 0xff, 0x21, 0x12, 0xa4, 0x42]);
          data.set(body, 20);
          decodeSafely(data);
        },
      ),
      { seed: SEED, numRuns: 3000 },
    );
  });

  it('every truncation of a valid message is rejected without throwing', () => {
    for (const msg of validMessages) {
      for (let n = 0; n < msg.length; n++) {
        const r = decodeStun(msg.subarray(0, n));
        assert.ok(!r.ok, `prefix of ${n} bytes`);
        assert.ok(!isStunMessage(msg.subarray(0, n)));
      }
      assert.ok(decodeStun(msg).ok);
    }
  });

  it('single-byte mutations never throw and never pass integrity', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...validMessages),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (msg, at, xor) => {
          const copy = msg.slice();
          const i = at % copy.length;
          copy[i] ^= xor;
          const m = decodeSafely(copy);
          if (!m) return;
          // A flip inside the MAC itself or anywhere it covers must fail; only a flip after
          // MESSAGE-INTEGRITY (MI-SHA256/FINGERPRINT) or in its ignored padding may not.
          const mi = m.attributes.find((a) => a.type === StunAttr.MessageIntegrity);
          if (mi && i < mi.offset + 24) assert.ok(!verifyMessageIntegrity(m, KEY), `byte ${i}`);
          if (verifyFingerprint(m)) assert.fail(`fingerprint still valid after flipping byte ${i}`);
        },
      ),
      { seed: SEED, numRuns: 3000 },
    );
  });
});
