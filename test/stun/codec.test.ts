import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { crc32 } from '../../src/bytes/crc32.js';
import {
  type Address,
  addressKey,
  buildUnknownAttributesResponse,
  decodeStun,
  encodeMessageType,
  getErrorCode,
  getIceControlled,
  getIceControlling,
  getMappedAddress,
  getPriority,
  getString,
  getUint32,
  getUnknownAttributes,
  getUsername,
  getXorMappedAddress,
  hasUseCandidate,
  isStunMessage,
  longTermKey,
  newTransactionId,
  StunAttr,
  type StunClass,
  type StunMessage,
  StunMessageBuilder,
  StunMethod,
  unknownComprehensionRequired,
  verifyFingerprint,
  verifyMessageIntegrity,
  verifyMessageIntegritySha256,
} from '../../src/stun/index.js';

function decode(data: Uint8Array): StunMessage {
  const r = decodeStun(data);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.message;
}

const v4: Address = { address: '203.0.113.7', port: 1, family: 'IPv4' };
const v6: Address = { address: '2001:db8::1', port: 65535, family: 'IPv6' };

describe('crc32', () => {
  it('matches the standard check value', () => {
    assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
    assert.equal(crc32(new Uint8Array(0)), 0);
  });
  it('can be continued over pieces', () => {
    const data = new TextEncoder().encode('The quick brown fox');
    assert.equal(crc32(data.subarray(7), crc32(data.subarray(0, 7))), crc32(data));
  });
});

describe('message type', () => {
  it('spreads class bits over bits 4 and 8', () => {
    const cases: [number, StunClass, number][] = [
      [StunMethod.Binding, 'request', 0x0001],
      [StunMethod.Binding, 'indication', 0x0011],
      [StunMethod.Binding, 'success', 0x0101],
      [StunMethod.Binding, 'error', 0x0111],
      [StunMethod.Allocate, 'error', 0x0113],
      [StunMethod.Send, 'indication', 0x0016],
      [0xfff, 'error', 0x3fff],
    ];
    for (const [method, cls, type] of cases) {
      assert.equal(encodeMessageType(method, cls), type);
      const m = decode(new StunMessageBuilder(method, cls).build());
      assert.equal(m.method, method);
      assert.equal(m.class, cls);
    }
  });
});

describe('builder round trips', () => {
  it('every typed attribute reads back', () => {
    const tid = newTransactionId();
    const raw = new StunMessageBuilder(StunMethod.Binding, 'request', tid)
      .addString(StunAttr.Username, 'abcd:efgh')
      .addUint32(StunAttr.Priority, 0xfedcba98)
      .addUint64(StunAttr.IceControlling, 0xffffffffffffffffn)
      .addUint64(StunAttr.IceControlled, 1n)
      .addFlag(StunAttr.UseCandidate)
      .addXorAddress(StunAttr.XorMappedAddress, v4)
      .addXorAddress(StunAttr.XorPeerAddress, v6)
      .addXorAddress(StunAttr.XorRelayedAddress, { address: '::', port: 0, family: 'IPv6' })
      .addAddress(StunAttr.MappedAddress, v6)
      .addAddress(StunAttr.AlternateServer, v4)
      .addUint32(StunAttr.Lifetime, 600)
      .addString(StunAttr.Realm, 'r\u00e9alm')
      .addString(StunAttr.Nonce, 'n'.repeat(7))
      .add(StunAttr.Data, Uint8Array.of(1, 2, 3))
      .addErrorCode(438, 'Stale Nonce')
      .addUnknownAttributes([0x0031, 0x0032, 0x0033])
      .build();
    assert.ok(isStunMessage(raw));
    const m = decode(raw);
    assert.deepEqual(m.transactionId, tid);
    assert.equal(getUsername(m), 'abcd:efgh');
    assert.equal(getPriority(m), 0xfedcba98);
    assert.equal(getIceControlling(m), 0xffffffffffffffffn);
    assert.equal(getIceControlled(m), 1n);
    assert.ok(hasUseCandidate(m));
    assert.deepEqual(getXorMappedAddress(m), v4);
    assert.deepEqual(getXorMappedAddress(m, StunAttr.XorPeerAddress), v6);
    assert.deepEqual(getXorMappedAddress(m, StunAttr.XorRelayedAddress), {
      address: '::',
      port: 0,
      family: 'IPv6',
    });
    assert.deepEqual(getMappedAddress(m), v6);
    assert.deepEqual(getMappedAddress(m, StunAttr.AlternateServer), v4);
    assert.equal(getUint32(m, StunAttr.Lifetime), 600);
    assert.equal(getString(m, StunAttr.Realm), 'r\u00e9alm');
    assert.equal(getString(m, StunAttr.Nonce), 'nnnnnnn');
    assert.deepEqual(
      m.attributes.find((a) => a.type === StunAttr.Data)?.value,
      Uint8Array.of(1, 2, 3),
    );
    assert.deepEqual(getErrorCode(m), { code: 438, reason: 'Stale Nonce' });
    assert.deepEqual(getUnknownAttributes(m), [0x31, 0x32, 0x33]);
    // Absent attributes read as undefined.
    const empty = decode(new StunMessageBuilder(StunMethod.Binding, 'request').build());
    assert.equal(getUsername(empty), undefined);
    assert.equal(getPriority(empty), undefined);
    assert.equal(getXorMappedAddress(empty), undefined);
    assert.equal(getErrorCode(empty), undefined);
    assert.equal(hasUseCandidate(empty), false);
  });

  it('XOR addresses of both families survive with many ids', () => {
    const addrs: Address[] = [
      v4,
      v6,
      { address: '0.0.0.0', port: 0x2112, family: 'IPv4' },
      { address: '255.255.255.255', port: 65535, family: 'IPv4' },
      { address: 'fe80::1:2:3:4', port: 7, family: 'IPv6' },
      { address: '::ffff:192.0.2.9', port: 9, family: 'IPv6' },
      { address: '::1', port: 9, family: 'IPv6' },
      { address: '1::', port: 9, family: 'IPv6' },
      { address: '1:2:3:4:5:6:7:8', port: 9, family: 'IPv6' },
      { address: '1:0:2:0:3:0:4:0', port: 9, family: 'IPv6' },
    ];
    for (let i = 0; i < 50; i++) {
      for (const a of addrs) {
        const raw = new StunMessageBuilder(StunMethod.Binding, 'success')
          .addXorAddress(StunAttr.XorMappedAddress, a)
          .addAddress(StunAttr.MappedAddress, a)
          .build();
        const m = decode(raw);
        assert.deepEqual(getXorMappedAddress(m), a);
        assert.deepEqual(getMappedAddress(m), a);
      }
    }
  });

  it('normalises IPv6 text to RFC 5952 form and drops a zone', () => {
    const raw = new StunMessageBuilder(StunMethod.Binding, 'success')
      .addXorAddress(StunAttr.XorMappedAddress, {
        address: '2001:0DB8:0000:0000:0001:0000:0000:0001%eth0',
        port: 1,
        family: 'IPv6',
      })
      .build();
    assert.equal(getXorMappedAddress(decode(raw))?.address, '2001:db8::1:0:0:1');
  });

  it('rejects addresses that do not match their family', () => {
    const b = new StunMessageBuilder(StunMethod.Binding, 'success');
    for (const bad of [
      { address: '::1', port: 1, family: 'IPv4' as const },
      { address: '1.2.3.4', port: 1, family: 'IPv6' as const },
      { address: '1.2.3.256', port: 1, family: 'IPv4' as const },
      { address: '1::2::3', port: 1, family: 'IPv6' as const },
      { address: '1.2.3.4', port: 70000, family: 'IPv4' as const },
    ]) {
      assert.throws(() => b.addXorAddress(StunAttr.XorMappedAddress, bad));
    }
  });

  it('pads values to 4 bytes and keeps lengths unpadded', () => {
    for (let n = 0; n < 9; n++) {
      const raw = new StunMessageBuilder(StunMethod.Binding, 'indication')
        .add(StunAttr.Data, new Uint8Array(n).fill(7))
        .addFingerprint()
        .build();
      assert.equal(raw.length, 20 + 4 + Math.ceil(n / 4) * 4 + 8);
      const m = decode(raw);
      assert.equal(m.attributes[0]!.value.length, n);
      assert.ok(verifyFingerprint(m));
    }
  });

  it('addressKey formats both families', () => {
    assert.equal(addressKey(v4), '203.0.113.7:1');
    assert.equal(addressKey(v6), '[2001:db8::1]:65535');
  });
});

describe('integrity', () => {
  const key = longTermKey('user', 'realm', 'pass');
  const sha256Key = longTermKey('user', 'realm', 'pass', 'sha256');

  function signed(): Uint8Array {
    return new StunMessageBuilder(StunMethod.Allocate, 'request')
      .addString(StunAttr.Username, 'user')
      .addUint32(StunAttr.Lifetime, 600)
      .addMessageIntegrity(key)
      .addMessageIntegritySha256(sha256Key)
      .addFingerprint()
      .build();
  }

  it('long-term keys: MD5 is 16 bytes, SHA-256 is 32', () => {
    assert.equal(key.length, 16);
    assert.equal(sha256Key.length, 32);
  });

  it('verifies SHA1 and SHA256 integrity and the fingerprint', () => {
    const m = decode(signed());
    assert.ok(verifyMessageIntegrity(m, key));
    assert.ok(verifyMessageIntegritySha256(m, sha256Key));
    assert.ok(verifyFingerprint(m));
  });

  it('rejects a wrong key', () => {
    const m = decode(signed());
    assert.ok(!verifyMessageIntegrity(m, longTermKey('user', 'realm', 'Pass')));
    assert.ok(!verifyMessageIntegritySha256(m, key));
  });

  it('rejects every single tampered byte before the integrity attribute', () => {
    const raw = signed();
    const miOffset = decode(raw).attributes.find(
      (a) => a.type === StunAttr.MessageIntegrity,
    )!.offset;
    for (let i = 0; i < miOffset; i++) {
      const copy = raw.slice();
      copy[i] ^= 0x01;
      const r = decodeStun(copy);
      if (!r.ok) continue;
      assert.ok(!verifyMessageIntegrity(r.message, key), `byte ${i}`);
      assert.ok(!verifyMessageIntegritySha256(r.message, sha256Key), `byte ${i}`);
      assert.ok(!verifyFingerprint(r.message), `byte ${i}`);
    }
  });

  it('reports absent attributes as not verified', () => {
    const m = decode(new StunMessageBuilder(StunMethod.Binding, 'request').build());
    assert.ok(!verifyMessageIntegrity(m, key));
    assert.ok(!verifyMessageIntegritySha256(m, sha256Key));
    assert.ok(!verifyFingerprint(m));
  });

  it('accepts a MESSAGE-INTEGRITY-SHA256 truncated to 16 bytes', () => {
    // A sender that truncates covers a header whose length ends after its 16-byte value.
    const truncated = new StunMessageBuilder(StunMethod.Binding, 'request')
      .add(StunAttr.MessageIntegritySha256, new Uint8Array(16))
      .build();
    const h = createHmac('sha256', sha256Key).update(truncated.subarray(0, 20)).digest();
    truncated.set(h.subarray(0, 16), 24);
    assert.ok(verifyMessageIntegritySha256(decode(truncated), sha256Key));
    truncated[30] ^= 1;
    assert.ok(!verifyMessageIntegritySha256(decode(truncated), sha256Key));
  });

  it('ignores attributes after MESSAGE-INTEGRITY except MI-SHA256 and FINGERPRINT', () => {
    const raw = new StunMessageBuilder(StunMethod.Binding, 'request')
      .addString(StunAttr.Username, 'a:b')
      .addMessageIntegrity(key)
      .addUint32(StunAttr.Priority, 5)
      .addMessageIntegritySha256(sha256Key)
      .addString(StunAttr.Software, 'late')
      .addFingerprint()
      .addUint32(StunAttr.Lifetime, 1)
      .build();
    const m = decode(raw);
    assert.deepEqual(
      m.attributes.map((a) => a.type),
      [
        StunAttr.Username,
        StunAttr.MessageIntegrity,
        StunAttr.MessageIntegritySha256,
        StunAttr.Fingerprint,
      ],
    );
    assert.equal(getPriority(m), undefined);
    assert.ok(verifyMessageIntegrity(m, key));
    assert.ok(verifyMessageIntegritySha256(m, sha256Key));
    assert.ok(verifyFingerprint(m));
  });
});

describe('unknown attributes and 420', () => {
  it('lists unknown comprehension-required types once and ignores optional ones', () => {
    const request = decode(
      new StunMessageBuilder(StunMethod.Binding, 'request')
        .addString(StunAttr.Username, 'a:b')
        .add(0x7f01, new Uint8Array(4))
        .add(0xc001, new Uint8Array(4))
        .add(0x0031, new Uint8Array(0))
        .add(0x7f01, new Uint8Array(4))
        .build(),
    );
    assert.deepEqual(unknownComprehensionRequired(request), [0x7f01, 0x0031]);
    assert.deepEqual(unknownComprehensionRequired(request, new Set([0x0006, 0x7f01])), [0x0031]);
  });

  it('builds the 420 response with UNKNOWN-ATTRIBUTES, integrity and fingerprint', () => {
    const key = new TextEncoder().encode('pwd');
    const request = decode(
      new StunMessageBuilder(StunMethod.Allocate, 'request').add(0x0031, new Uint8Array(1)).build(),
    );
    const unknown = unknownComprehensionRequired(request);
    const raw = buildUnknownAttributesResponse(request, unknown, {
      key,
      fingerprint: true,
      software: 'tsrtc',
    });
    const m = decode(raw);
    assert.equal(m.class, 'error');
    assert.equal(m.method, StunMethod.Allocate);
    assert.deepEqual(m.transactionId, request.transactionId);
    assert.deepEqual(getErrorCode(m), { code: 420, reason: 'Unknown Attribute' });
    assert.deepEqual(getUnknownAttributes(m), [0x0031]);
    assert.equal(getString(m, StunAttr.Software), 'tsrtc');
    assert.ok(verifyMessageIntegrity(m, key));
    assert.ok(verifyFingerprint(m));
  });
});

describe('decoder framing', () => {
  const good = new StunMessageBuilder(StunMethod.Binding, 'request')
    .addString(StunAttr.Software, 'abc')
    .build();

  function mutated(f: (b: Uint8Array) => void): Uint8Array {
    const b = good.slice();
    f(b);
    return b;
  }

  it('rejects malformed headers and lengths with an error value', () => {
    const bad: [string, Uint8Array][] = [
      ['short', good.subarray(0, 19)],
      ['truncated', good.subarray(0, good.length - 4)],
      ['top bits', mutated((b) => (b[0] = 0x40))],
      ['cookie', mutated((b) => (b[4] = 0))],
      ['length not /4', mutated((b) => (b[3] = 9))],
      ['length too long', mutated((b) => (b[3] = 12))],
      ['attribute overruns', mutated((b) => (b[23] = 9))],
      ['trailing bytes', Uint8Array.of(...good, 0, 0, 0, 0)],
    ];
    for (const [name, data] of bad) {
      const r = decodeStun(data);
      assert.ok(!r.ok, name);
      assert.equal(typeof r.error, 'string');
      assert.ok(!isStunMessage(data) || name === 'attribute overruns', name);
    }
    assert.ok(!decodeStun(undefined as unknown as Uint8Array).ok);
  });

  it('rejects non-STUN first bytes (RFC 7983 demultiplexing)', () => {
    for (const first of [20, 64, 128, 191]) {
      assert.ok(!isStunMessage(mutated((b) => (b[0] = first))));
    }
  });
});
