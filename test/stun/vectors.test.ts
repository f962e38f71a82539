import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeStun,
  getIceControlled,
  getPriority,
  getString,
  getUsername,
  getXorMappedAddress,
  isStunMessage,
  longTermKey,
  StunAttr,
  type StunMessage,
  StunMessageBuilder,
  StunMethod,
  saslprep,
  shortTermKey,
  verifyFingerprint,
  verifyMessageIntegrity,
} from '../../src/stun/index.js';
import {
  LONG_TERM_NONCE,
  LONG_TERM_PASSWORD,
  LONG_TERM_REALM,
  LONG_TERM_USERNAME,
  SAMPLE_IPV4_RESPONSE,
  SAMPLE_IPV6_RESPONSE,
  SAMPLE_LONG_TERM_REQUEST,
  SAMPLE_REQUEST,
  SHORT_TERM_PASSWORD,
  VECTOR_TRANSACTION_ID,
} from './vectors.js';

function decode(data: Uint8Array): StunMessage {
  const r = decodeStun(data);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.message;
}

describe('RFC 5769 2.1 sample request', () => {
  it('decodes, verifies and reads every attribute', () => {
    assert.ok(isStunMessage(SAMPLE_REQUEST));
    const m = decode(SAMPLE_REQUEST);
    assert.equal(m.method, StunMethod.Binding);
    assert.equal(m.class, 'request');
    assert.deepEqual(m.transactionId, VECTOR_TRANSACTION_ID);
    assert.deepEqual(
      m.attributes.map((a) => a.type),
      [
        StunAttr.Software,
        StunAttr.Priority,
        StunAttr.IceControlled,
        StunAttr.Username,
        StunAttr.MessageIntegrity,
        StunAttr.Fingerprint,
      ],
    );
    assert.equal(getString(m, StunAttr.Software), 'STUN test client');
    assert.equal(getPriority(m), 0x6e0001ff);
    assert.equal(getIceControlled(m), 0x932ff9b151263b36n);
    assert.equal(getUsername(m), 'evtj:h6vY');
    assert.ok(verifyMessageIntegrity(m, shortTermKey(SHORT_TERM_PASSWORD)));
    assert.ok(!verifyMessageIntegrity(m, shortTermKey('VOkJxbRl1RmTxUk/WvJxBT')));
    assert.ok(verifyFingerprint(m));
  });

  it('is rebuilt byte for byte', () => {
    const built = new StunMessageBuilder(StunMethod.Binding, 'request', VECTOR_TRANSACTION_ID, {
      padding: 0x20,
    })
      .addString(StunAttr.Software, 'STUN test client')
      .addUint32(StunAttr.Priority, 0x6e0001ff)
      .addUint64(StunAttr.IceControlled, 0x932ff9b151263b36n)
      .addString(StunAttr.Username, 'evtj:h6vY')
      .addMessageIntegrity(shortTermKey(SHORT_TERM_PASSWORD))
      .addFingerprint()
      .build();
    assert.deepEqual(built, SAMPLE_REQUEST);
  });
});

describe('RFC 5769 2.2 / 2.3 sample responses', () => {
  const cases = [
    {
      name: 'IPv4',
      bytes: SAMPLE_IPV4_RESPONSE,
      mapped: { address: '192.0.2.1', port: 32853, family: 'IPv4' as const },
    },
    {
      name: 'IPv6',
      bytes: SAMPLE_IPV6_RESPONSE,
      mapped: {
        address: '2001:db8:1234:5678:11:2233:4455:6677',
        port: 32853,
        family: 'IPv6' as const,
      },
    },
  ];
  for (const c of cases) {
    it(`${c.name}: decodes, verifies and reads every attribute`, () => {
      const m = decode(c.bytes);
      assert.equal(m.method, StunMethod.Binding);
      assert.equal(m.class, 'success');
      assert.deepEqual(m.transactionId, VECTOR_TRANSACTION_ID);
      assert.equal(getString(m, StunAttr.Software), 'test vector');
      assert.deepEqual(getXorMappedAddress(m), c.mapped);
      assert.ok(verifyMessageIntegrity(m, shortTermKey(SHORT_TERM_PASSWORD)));
      assert.ok(verifyFingerprint(m));
    });

    it(`${c.name}: is rebuilt byte for byte`, () => {
      const built = new StunMessageBuilder(StunMethod.Binding, 'success', VECTOR_TRANSACTION_ID, {
        padding: 0x20,
      })
        .addString(StunAttr.Software, 'test vector')
        .addXorAddress(StunAttr.XorMappedAddress, c.mapped)
        .addMessageIntegrity(shortTermKey(SHORT_TERM_PASSWORD))
        .addFingerprint()
        .build();
      assert.deepEqual(built, c.bytes);
    });
  }
});

describe('RFC 5769 2.4 long-term request', () => {
  it('SASLprep maps the password as the RFC says', () => {
    assert.equal(saslprep(LONG_TERM_PASSWORD), 'TheMatrIX');
    assert.deepEqual(
      longTermKey(LONG_TERM_USERNAME, LONG_TERM_REALM, LONG_TERM_PASSWORD),
      longTermKey(LONG_TERM_USERNAME, LONG_TERM_REALM, 'TheMatrIX'),
    );
  });

  it('decodes, verifies and reads every attribute', () => {
    const m = decode(SAMPLE_LONG_TERM_REQUEST);
    assert.equal(m.method, StunMethod.Binding);
    assert.equal(m.class, 'request');
    assert.equal(getUsername(m), LONG_TERM_USERNAME);
    assert.equal(getString(m, StunAttr.Nonce), LONG_TERM_NONCE);
    assert.equal(getString(m, StunAttr.Realm), LONG_TERM_REALM);
    const key = longTermKey(LONG_TERM_USERNAME, LONG_TERM_REALM, LONG_TERM_PASSWORD);
    assert.ok(verifyMessageIntegrity(m, key));
    assert.ok(!verifyMessageIntegrity(m, longTermKey(LONG_TERM_USERNAME, LONG_TERM_REALM, 'x')));
    assert.ok(!verifyFingerprint(m), 'this vector has no FINGERPRINT');
  });

  it('is rebuilt byte for byte', () => {
    const m = decode(SAMPLE_LONG_TERM_REQUEST);
    const built = new StunMessageBuilder(StunMethod.Binding, 'request', m.transactionId)
      .addString(StunAttr.Username, LONG_TERM_USERNAME)
      .addString(StunAttr.Nonce, LONG_TERM_NONCE)
      .addString(StunAttr.Realm, LONG_TERM_REALM)
      .addMessageIntegrity(longTermKey(LONG_TERM_USERNAME, LONG_TERM_REALM, LONG_TERM_PASSWORD))
      .build();
    assert.deepEqual(built, SAMPLE_LONG_TERM_REQUEST);
  });
});
