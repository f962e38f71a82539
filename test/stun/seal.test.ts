import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type Address,
  buildBindingSuccess,
  decodeStun,
  getUsername,
  getXorMappedAddress,
  newTransactionId,
  StunAttr,
  type StunMessage,
  StunMessageBuilder,
  StunMessageTemplate,
  StunMethod,
  shortTermKey,
  verifyFingerprint,
  verifyMessageIntegrity,
} from '../../src/stun/index.js';
import {
  SAMPLE_IPV4_RESPONSE,
  SAMPLE_REQUEST,
  SHORT_TERM_PASSWORD,
  VECTOR_TRANSACTION_ID,
} from './vectors.js';

const KEY = shortTermKey(SHORT_TERM_PASSWORD);

function decode(data: Uint8Array): StunMessage {
  const r = decodeStun(data);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.message;
}

describe('StunMessageTemplate', () => {
  const sampleRequestAttributes = () =>
    new StunMessageBuilder(StunMethod.Binding, 'request', new Uint8Array(12), { padding: 0x20 })
      .addString(StunAttr.Software, 'STUN test client')
      .addUint32(StunAttr.Priority, 0x6e0001ff)
      .addUint64(StunAttr.IceControlled, 0x932ff9b151263b36n)
      .addString(StunAttr.Username, 'evtj:h6vY');

  it('rebuilds the RFC 5769 2.1 sample request byte for byte', () => {
    const t = new StunMessageTemplate(sampleRequestAttributes(), KEY);
    assert.deepEqual(t.build(VECTOR_TRANSACTION_ID), SAMPLE_REQUEST);
    // Again: the template is not changed by building.
    assert.deepEqual(t.build(VECTOR_TRANSACTION_ID), SAMPLE_REQUEST);
  });

  it('rebuilds the RFC 5769 2.2 sample IPv4 response byte for byte', () => {
    const b = new StunMessageBuilder(StunMethod.Binding, 'success', VECTOR_TRANSACTION_ID, {
      padding: 0x20,
    })
      .addString(StunAttr.Software, 'test vector')
      .addXorAddress(StunAttr.XorMappedAddress, {
        address: '192.0.2.1',
        port: 32853,
        family: 'IPv4',
      });
    assert.deepEqual(
      new StunMessageTemplate(b, KEY).build(VECTOR_TRANSACTION_ID),
      SAMPLE_IPV4_RESPONSE,
    );
  });

  it('equals the builder for any transaction id, and each message verifies', () => {
    const t = new StunMessageTemplate(sampleRequestAttributes(), KEY);
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const id = newTransactionId();
      const built = t.build(id);
      const want = new StunMessageBuilder(StunMethod.Binding, 'request', id, { padding: 0x20 })
        .addString(StunAttr.Software, 'STUN test client')
        .addUint32(StunAttr.Priority, 0x6e0001ff)
        .addUint64(StunAttr.IceControlled, 0x932ff9b151263b36n)
        .addString(StunAttr.Username, 'evtj:h6vY')
        .addMessageIntegrity(KEY)
        .addFingerprint()
        .build();
      assert.deepEqual(built, want);
      const m = decode(built);
      assert.deepEqual(m.transactionId, id);
      assert.equal(getUsername(m), 'evtj:h6vY');
      assert.ok(verifyMessageIntegrity(m, KEY));
      assert.ok(verifyFingerprint(m));
      seen.add(Buffer.from(built).toString('hex'));
    }
    assert.equal(seen.size, 20, 'every message differs (id, integrity, fingerprint)');
  });

  it('rejects a transaction id that is not 12 bytes', () => {
    const t = new StunMessageTemplate(sampleRequestAttributes(), KEY);
    assert.throws(() => t.build(new Uint8Array(11)), RangeError);
  });
});

describe('buildBindingSuccess', () => {
  const sources: Address[] = [
    { address: '192.0.2.1', port: 32853, family: 'IPv4' },
    { address: '2001:db8:1234:5678:11:2233:4455:6677', port: 32853, family: 'IPv6' },
    { address: 'fd77::2', port: 0, family: 'IPv6' },
    { address: '10.77.0.1', port: 65535, family: 'IPv4' },
  ];

  for (const source of sources) {
    it(`equals the builder's response for ${source.address}:${source.port}`, () => {
      const id = newTransactionId();
      const want = new StunMessageBuilder(StunMethod.Binding, 'success', id)
        .addXorAddress(StunAttr.XorMappedAddress, source)
        .addMessageIntegrity(KEY)
        .addFingerprint()
        .build();
      assert.deepEqual(buildBindingSuccess(id, source, KEY), want);
      const m = decode(want);
      assert.deepEqual(getXorMappedAddress(m), source);
      assert.ok(verifyMessageIntegrity(m, KEY));
      assert.ok(verifyFingerprint(m));
    });
  }

  it('rejects a malformed address or port', () => {
    const id = newTransactionId();
    assert.throws(() =>
      buildBindingSuccess(id, { address: '1.2.3', port: 1, family: 'IPv4' }, KEY),
    );
    assert.throws(() =>
      buildBindingSuccess(id, { address: '::1', port: 70000, family: 'IPv6' }, KEY),
    );
  });
});

describe('integrity and fingerprint checks of received messages', () => {
  const source: Address = { address: 'fd77::1', port: 5000, family: 'IPv6' };

  it('fail for every single-bit change before the end of MESSAGE-INTEGRITY', () => {
    const good = buildBindingSuccess(newTransactionId(), source, KEY);
    const miEnd = good.length - 8;
    for (let i = 0; i < miEnd; i++) {
      for (const bit of [0x01, 0x80]) {
        const bad = good.slice();
        bad[i]! ^= bit;
        const r = decodeStun(bad);
        if (!r.ok) continue;
        assert.ok(
          !(verifyMessageIntegrity(r.message, KEY) && verifyFingerprint(r.message)),
          `byte ${i} bit ${bit}`,
        );
      }
    }
  });

  it('fail for a wrong key, and FINGERPRINT fails for a changed checksum', () => {
    const good = buildBindingSuccess(newTransactionId(), source, KEY);
    assert.ok(!verifyMessageIntegrity(decode(good), shortTermKey('another password')));
    const bad = good.slice();
    bad[bad.length - 1]! ^= 1;
    const m = decode(bad);
    assert.ok(verifyMessageIntegrity(m, KEY), 'integrity does not cover FINGERPRINT');
    assert.ok(!verifyFingerprint(m));
  });

  it('leave the received bytes as they were, for a Buffer as for a Uint8Array', () => {
    const msg = buildBindingSuccess(newTransactionId(), source, KEY);
    for (const data of [Buffer.from(msg), msg.slice()]) {
      const m = decode(data);
      assert.ok(verifyMessageIntegrity(m, KEY));
      assert.ok(!verifyMessageIntegrity(m, shortTermKey('x')));
      assert.ok(verifyFingerprint(m));
      assert.deepEqual(new Uint8Array(data), msg);
    }
  });

  it('decodes a Buffer into plain views of the same bytes', () => {
    const data = Buffer.from(SAMPLE_REQUEST);
    const m = decode(data);
    assert.equal(m.raw.constructor, Uint8Array);
    assert.equal(m.raw.buffer, data.buffer);
    const user = m.attributes.find((a) => a.type === StunAttr.Username)!;
    assert.equal(user.value.constructor, Uint8Array);
    assert.deepEqual(user.value, new TextEncoder().encode('evtj:h6vY'));
    assert.ok(verifyMessageIntegrity(m, KEY));
  });
});
