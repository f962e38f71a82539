import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  type DcepOpenParams,
  decodeDcep,
  encodeDcepAck,
  encodeDcepOpen,
  priorityFromWire,
  priorityToWire,
} from '../../src/datachannel/index.js';

const openParams = fc.record<DcepOpenParams>({
  ordered: fc.boolean(),
  reliability: fc.constantFrom('reliable', 'rexmit', 'timed'),
  reliabilityParameter: fc.nat({ max: 0xffffffff }),
  priority: fc.nat({ max: 0xffff }),
  label: fc.string({ unit: 'grapheme', maxLength: 40 }),
  protocol: fc.string({ unit: 'grapheme', maxLength: 40 }),
});

test('DATA_CHANNEL_OPEN matches the RFC 8832 5.1 layout', () => {
  const bytes = encodeDcepOpen({
    ordered: false,
    reliability: 'rexmit',
    reliabilityParameter: 3,
    priority: 512,
    label: 'chat',
    protocol: 'x',
  });
  assert.deepEqual(
    [...bytes],
    [0x03, 0x81, 0x02, 0x00, 0, 0, 0, 3, 0, 4, 0, 1, 0x63, 0x68, 0x61, 0x74, 0x78],
  );
  assert.deepEqual([...encodeDcepAck()], [0x02]);
});

test('OPEN round-trips for every channel type, priority and UTF-8 label/protocol', () => {
  fc.assert(
    fc.property(openParams, (p) => {
      const decoded = decodeDcep(encodeDcepOpen(p));
      assert.equal(decoded.type, 'open');
      if (decoded.type !== 'open') return;
      assert.equal(decoded.ordered, p.ordered);
      assert.equal(decoded.reliability, p.reliability);
      assert.equal(
        decoded.reliabilityParameter,
        p.reliability === 'reliable' ? 0 : p.reliabilityParameter,
      );
      assert.equal(decoded.priority, p.priority);
      assert.equal(decoded.label, p.label);
      assert.equal(decoded.protocol, p.protocol);
    }),
  );
});

test('labels and protocols of exactly 65535 bytes round-trip; one byte more is refused', () => {
  const long = `${'é'.repeat(32767)}a`; // 65535 UTF-8 bytes
  const decoded = decodeDcep(
    encodeDcepOpen({
      ordered: true,
      reliability: 'reliable',
      reliabilityParameter: 0,
      priority: 256,
      label: long,
      protocol: long,
    }),
  );
  assert.equal(decoded.type, 'open');
  if (decoded.type === 'open') {
    assert.equal(decoded.label, long);
    assert.equal(decoded.protocol, long);
  }
  assert.throws(
    () =>
      encodeDcepOpen({
        ordered: true,
        reliability: 'reliable',
        reliabilityParameter: 0,
        priority: 256,
        label: `${long}a`,
        protocol: '',
      }),
    RangeError,
  );
});

test('a reliable channel ignores the reliability parameter on receipt', () => {
  const bytes = encodeDcepOpen({
    ordered: true,
    reliability: 'reliable',
    reliabilityParameter: 0,
    priority: 256,
    label: '',
    protocol: '',
  });
  bytes[7] = 9;
  const decoded = decodeDcep(bytes);
  assert.ok(decoded.type === 'open' && decoded.reliabilityParameter === 0);
});

test('every truncation of an OPEN is an error that names the OPEN type', () => {
  fc.assert(
    fc.property(openParams, fc.nat(), (p, cut) => {
      const bytes = encodeDcepOpen({ ...p, label: p.label || 'l', protocol: p.protocol || 'p' });
      const truncated = bytes.subarray(0, cut % bytes.length);
      const decoded = decodeDcep(truncated);
      assert.equal(decoded.type, 'error');
      if (decoded.type === 'error' && truncated.length > 0) {
        assert.equal(decoded.messageType, 0x03);
      }
    }),
  );
});

test('malformed OPENs: unknown channel type, invalid UTF-8, unknown message type, empty', () => {
  const good = encodeDcepOpen({
    ordered: true,
    reliability: 'reliable',
    reliabilityParameter: 0,
    priority: 256,
    label: 'ab',
    protocol: '',
  });
  for (const channelType of [0x03, 0x7f, 0x83, 0xff]) {
    const bad = good.slice();
    bad[1] = channelType;
    const d = decodeDcep(bad);
    assert.ok(d.type === 'error' && d.messageType === 0x03, `channel type ${channelType}`);
  }
  const badUtf8 = good.slice();
  badUtf8[12] = 0xff;
  assert.equal(decodeDcep(badUtf8).type, 'error');
  const unknown = decodeDcep(Uint8Array.of(0x04, 1, 2));
  assert.ok(unknown.type === 'error' && unknown.messageType === 0x04);
  const empty = decodeDcep(new Uint8Array(0));
  assert.ok(empty.type === 'error' && empty.messageType === undefined);
});

test('random bytes never throw out of the decoder', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      const d = decodeDcep(bytes);
      assert.ok(d.type === 'open' || d.type === 'ack' || d.type === 'error');
    }),
    { numRuns: 2000 },
  );
  // Biased toward the OPEN type with small lengths so the string paths get exercised.
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 12, maxLength: 40 }),
      fc.nat({ max: 20 }),
      fc.nat({ max: 20 }),
      (bytes, l, p) => {
        bytes[0] = 0x03;
        bytes[1] = bytes[1]! & 0x82;
        bytes[8] = 0;
        bytes[9] = l;
        bytes[10] = 0;
        bytes[11] = p;
        const d = decodeDcep(bytes);
        assert.ok(d.type === 'open' || d.type === 'error');
      },
    ),
    { numRuns: 2000 },
  );
});

test('priority names map to the browsers’ wire values and back', () => {
  for (const name of ['very-low', 'low', 'medium', 'high'] as const) {
    assert.equal(priorityFromWire(priorityToWire(name)), name);
  }
  assert.equal(priorityFromWire(0), 'very-low');
  assert.equal(priorityFromWire(300), 'medium');
  assert.equal(priorityFromWire(0xffff), 'high');
});
