import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { SUPPORTED_CIPHER_SUITES } from '../../src/dtls/cipher-suites.js';
import { ContentType, DTLS_1_2 } from '../../src/dtls/constants.js';
import { type FlightItem, packFlight, type RecordSealer } from '../../src/dtls/flight.js';
import { FragmentResult, HandshakeReassembler } from '../../src/dtls/handshake-reassembler.js';
import { encodeHandshakeFragment } from '../../src/dtls/messages.js';
import { prf } from '../../src/dtls/prf.js';
import { newRecordHeader, plainRecord, readRecord } from '../../src/dtls/record.js';
import { RecordProtection } from '../../src/dtls/record-protection.js';
import { ReplayWindow } from '../../src/dtls/replay-window.js';

const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

describe('PRF', () => {
  // Published TLS 1.2 PRF vectors (also reproduced by `openssl kdf TLS1-PRF`).
  test('P_SHA256', () => {
    const out = prf(
      'sha256',
      unhex('9bbe436ba940f017b17652849a71db35'),
      'test label',
      unhex('a0ba9f936cda311827a6f796ffd5198c'),
      100,
    );
    assert.equal(
      hex(out),
      'e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66',
    );
  });
  test('P_SHA384', () => {
    const out = prf(
      'sha384',
      unhex('b80b733d6ceefcdc71566ea48e5567df'),
      'test label',
      unhex('cd665cf6a8447dd6ff8b27555edb7465'),
      148,
    );
    assert.equal(
      hex(out),
      '7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cde9ca0faa60be9fe34f82b1233c9146a0e534cb400fed2700884f9dc236f80edd8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d9184259b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee691c8f3a26854308d5eaa3be85e0990703d73e56f',
    );
  });
});

describe('record header', () => {
  test('48-bit sequence numbers round-trip', () => {
    const h = newRecordHeader();
    for (const seq of [0, 1, 0xffffffff, 0x1_0000_0000, 2 ** 48 - 1]) {
      const r = plainRecord(ContentType.handshake, DTLS_1_2, 0x1234, seq, Uint8Array.of(9, 8));
      assert.equal(readRecord(r, 0, h), r.length);
      assert.deepEqual(
        { type: h.type, version: h.version, epoch: h.epoch, seq: h.seq, len: h.bodyLength },
        { type: 22, version: DTLS_1_2, epoch: 0x1234, seq, len: 2 },
      );
    }
  });
  test('a truncated record is refused', () => {
    const r = plainRecord(ContentType.alert, DTLS_1_2, 0, 5, Uint8Array.of(1, 0));
    const h = newRecordHeader();
    for (let n = 0; n < r.length; n++) assert.equal(readRecord(r.subarray(0, n), 0, h), -1);
  });
});

describe('AEAD record protection', () => {
  for (const suite of SUPPORTED_CIPHER_SUITES) {
    test(suite.name, () => {
      const k1 = new Uint8Array(suite.keyLength).fill(1);
      const k2 = new Uint8Array(suite.keyLength).fill(2);
      const iv1 = new Uint8Array(suite.fixedIvLength).fill(3);
      const iv2 = new Uint8Array(suite.fixedIvLength).fill(4);
      const a = new RecordProtection(suite, k1, iv1, k2, iv2);
      const b = new RecordProtection(suite, k2, iv2, k1, iv1);
      const msg = new TextEncoder().encode('hello, record');
      const rec = a.seal(ContentType.applicationData, DTLS_1_2, 1, 77, msg);
      assert.equal(rec.length, a.overhead + msg.length);
      const h = newRecordHeader();
      assert.equal(readRecord(rec, 0, h), rec.length);
      const body = rec.subarray(h.bodyOffset);
      assert.deepEqual(new Uint8Array(b.open(h.type, h.version, h.epoch, h.seq, body)!), msg);
      // Header fields are authenticated: another sequence number or type does not open.
      assert.equal(b.open(h.type, h.version, h.epoch, h.seq + 1, body), undefined);
      assert.equal(b.open(ContentType.handshake, h.version, h.epoch, h.seq, body), undefined);
      for (const i of [0, body.length >> 1, body.length - 1]) {
        const bad = body.slice();
        bad[i]! ^= 0x40;
        // For GCM, byte 0 is the explicit nonce: changing it changes the nonce, so it fails too.
        assert.equal(b.open(h.type, h.version, h.epoch, h.seq, bad), undefined);
      }
      assert.equal(b.open(h.type, h.version, h.epoch, h.seq, body.subarray(0, 10)), undefined);
    });
  }
});

describe('replay window', () => {
  test('fresh, duplicate, and too old', () => {
    const w = new ReplayWindow();
    assert.ok(w.check(5));
    w.mark(5);
    assert.ok(!w.check(5));
    assert.ok(w.check(3));
    w.mark(3);
    assert.ok(!w.check(3));
    w.mark(100);
    assert.ok(!w.check(5), 'outside the window');
    assert.ok(w.check(99));
    assert.ok(w.check(37));
    assert.ok(!w.check(36));
    w.mark(99);
    assert.ok(!w.check(99));
    assert.ok(!w.check(100));
  });
  test('behaves like a set of the last 64 sequence numbers', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 200 }), (seqs) => {
        const w = new ReplayWindow();
        const seen = new Set<number>();
        let max = -1;
        for (const s of seqs) {
          const expected = !seen.has(s) && (s > max || max - s < 64);
          assert.equal(w.check(s), expected);
          if (expected) {
            w.mark(s);
            seen.add(s);
            max = Math.max(max, s);
          }
        }
      }),
    );
  });
});

const plainSealer = (): RecordSealer & { seq: number } => ({
  seq: 0,
  overhead: () => 13,
  seal(type, epoch, payload) {
    return plainRecord(type, DTLS_1_2, epoch, this.seq++, payload);
  },
});

function messages(sizes: number[]): FlightItem[] {
  return sizes.map((n, i) => ({
    kind: 'handshake',
    epoch: 0,
    type: 11 + i,
    messageSeq: i,
    body: Uint8Array.from({ length: n }, (_, j) => (j * 7 + i) & 0xff),
  }));
}

describe('flight packing and reassembly', () => {
  test('datagrams fit the MTU and reassemble, in any order, with duplicates', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 200, max: 1500 }),
        fc.integer(),
        (sizes, mtu, seed) => {
          const items = messages(sizes);
          const datagrams = packFlight(items, mtu, plainSealer());
          for (const d of datagrams) assert.ok(d.length <= mtu);
          // Reorder and duplicate records, not just datagrams.
          const records: Uint8Array[] = [];
          const h = newRecordHeader();
          for (const d of datagrams) {
            for (let o = 0; o < d.length; ) {
              const next = readRecord(d, o, h);
              assert.ok(next > 0);
              records.push(d.subarray(h.bodyOffset, next));
              o = next;
            }
          }
          const shuffled = [...records, ...records.filter((_, i) => (i + seed) % 3 === 0)];
          let x = seed >>> 0;
          for (let i = shuffled.length - 1; i > 0; i--) {
            x = (Math.imul(x, 1103515245) + 12345) >>> 0;
            const j = x % (i + 1);
            [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
          }
          const r = new HandshakeReassembler();
          const out = [];
          for (const rec of shuffled) {
            assert.equal(r.addFragments(rec) & FragmentResult.malformed, 0);
            for (let m = r.next(); m; m = r.next()) out.push(m);
          }
          assert.equal(out.length, items.length);
          out.forEach((m, i) => {
            const it = items[i] as Extract<FlightItem, { kind: 'handshake' }>;
            assert.equal(m.type, it.type);
            assert.equal(m.messageSeq, it.messageSeq);
            assert.deepEqual(m.body, it.body);
          });
        },
      ),
      { numRuns: 60 },
    );
  });

  test('a small flight shares one datagram', () => {
    const items: FlightItem[] = [...messages([300, 200, 0]), { kind: 'changeCipherSpec' }];
    const d = packFlight(items, 1200, plainSealer());
    assert.equal(d.length, 1);
    assert.equal(d[0]!.length, 300 + 200 + 0 + 3 * 25 + 14);
  });

  test('several handshake messages in one record', () => {
    const a = encodeHandshakeFragment(2, 0, Uint8Array.of(1, 2, 3), 0, 3);
    const b = encodeHandshakeFragment(14, 1, new Uint8Array(0), 0, 0);
    const c1 = encodeHandshakeFragment(11, 2, Uint8Array.of(7, 8, 9, 10), 2, 2);
    const c0 = encodeHandshakeFragment(11, 2, Uint8Array.of(7, 8, 9, 10), 0, 2);
    const r = new HandshakeReassembler();
    assert.equal(r.addFragments(concat(a, b, c1)), FragmentResult.added);
    const got = [r.next(), r.next(), r.next()];
    assert.deepEqual(
      got.map((m) => m && [m.type, m.messageSeq, [...m.body]]),
      [[2, 0, [1, 2, 3]], [14, 1, []], undefined],
    );
    r.addFragments(c0);
    assert.deepEqual([...r.next()!.body], [7, 8, 9, 10]);
  });

  test('old, malformed and inconsistent fragments are reported', () => {
    const r = new HandshakeReassembler();
    const [item] = messages([10]) as Extract<FlightItem, { kind: 'handshake' }>[];
    const recs = packFlight([item!], 1200, plainSealer());
    const body = recs[0]!.subarray(13);
    assert.equal(r.addFragments(body), FragmentResult.added);
    assert.ok(r.next());
    assert.equal(r.addFragments(body), FragmentResult.old);
    assert.equal(
      r.addFragments(body.subarray(0, 20)) & FragmentResult.malformed,
      FragmentResult.malformed,
    );
    const lying = body.slice();
    lying[11] = 200; // fragment_length beyond the record
    const r2 = new HandshakeReassembler();
    assert.equal(r2.addFragments(lying) & FragmentResult.malformed, FragmentResult.malformed);
    const beyond = body.slice();
    beyond[8] = 5; // fragment_offset + fragment_length > length
    assert.equal(r2.addFragments(beyond) & FragmentResult.malformed, FragmentResult.malformed);
  });
});
