import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { type IceCandidate, parseCandidate, serializeCandidate } from '../../src/ice/candidate.js';
import {
  candidatePriority,
  computeFoundation,
  localPreference,
  pairPriority,
} from '../../src/ice/priority.js';

function parsed(s: string): IceCandidate {
  const r = parseCandidate(s);
  if (!r.ok) assert.fail(`${s}: ${r.error}`);
  return r.candidate;
}

test('parses what Chrome sends: host, srflx with raddr, mDNS, tcp, network extensions', () => {
  const host = parsed(
    'candidate:842163049 1 udp 2122260223 192.168.1.5 51472 typ host generation 0 ufrag EsAw network-id 1 network-cost 10',
  );
  assert.deepEqual(host, {
    foundation: '842163049',
    component: 1,
    transport: 'udp',
    priority: 2122260223,
    address: '192.168.1.5',
    port: 51472,
    type: 'host',
    generation: 0,
    ufrag: 'EsAw',
    networkId: 1,
    networkCost: 10,
    extensions: [],
  });
  const srflx = parsed(
    'a=candidate:1467250027 1 udp 1686052607 203.0.113.7 40000 typ srflx raddr 0.0.0.0 rport 0 generation 0\r\n',
  );
  assert.equal(srflx.type, 'srflx');
  assert.equal(srflx.relatedAddress, '0.0.0.0');
  assert.equal(srflx.relatedPort, 0);
  const mdns = parsed(
    'candidate:1 1 UDP 2122252543 3c1a4e9f-2b1d-4b8e-9f5e-0c3c2a1b9d8e.local 62007 typ host',
  );
  assert.equal(mdns.transport, 'udp');
  assert.equal(mdns.address, '3c1a4e9f-2b1d-4b8e-9f5e-0c3c2a1b9d8e.local');
  const tcp = parsed('candidate:2 1 TCP 1518280447 2001:db8::5 9 typ host tcptype active');
  assert.equal(tcp.transport, 'tcp');
  assert.equal(tcp.tcpType, 'active');
  assert.equal(tcp.address, '2001:db8::5');
  const relay = parsed(
    'candidate:3 1 udp 41885439 198.51.100.4 3478 typ relay raddr 203.0.113.7 rport 40000',
  );
  assert.equal(relay.type, 'relay');
});

test('Firefox style and unknown extensions survive a round trip in order', () => {
  const s =
    'candidate:0 1 udp 2122252543 10.0.0.9 50000 typ host zeta 1 ufrag abcd alpha two generation 3';
  const c = parsed(s);
  assert.deepEqual(c.extensions, [
    ['zeta', '1'],
    ['alpha', 'two'],
  ]);
  assert.equal(c.generation, 3);
  assert.deepEqual(parsed(serializeCandidate(c)), c);
  assert.equal(
    serializeCandidate(c),
    'candidate:0 1 udp 2122252543 10.0.0.9 50000 typ host generation 3 ufrag abcd zeta 1 alpha two',
  );
});

test('malformed candidates give an error naming the field, never a throw', () => {
  const cases: [string, RegExp][] = [
    ['', /prefix/],
    ['candidate:1 1 udp 1 1.2.3.4 5', /too few/],
    ['candidate:f@o 1 udp 1 1.2.3.4 5 typ host', /foundation/],
    ['candidate:1 0 udp 1 1.2.3.4 5 typ host', /component/],
    ['candidate:1 257 udp 1 1.2.3.4 5 typ host', /component/],
    ['candidate:1 1 sctp 1 1.2.3.4 5 typ host', /transport/],
    ['candidate:1 1 udp 4294967296 1.2.3.4 5 typ host', /priority/],
    ['candidate:1 1 udp 1 1.2.3.4.5 5 typ host', /address/],
    ['candidate:1 1 udp 1 not_a_host 5 typ host', /address/],
    ['candidate:1 1 udp 1 1.2.3.4 65536 typ host', /port/],
    ['candidate:1 1 udp 1 1.2.3.4 5 type host', /typ/],
    ['candidate:1 1 udp 1 1.2.3.4 5 typ bogus', /type/],
    ['candidate:1 1 udp 1 1.2.3.4 5 typ host raddr', /without a value/],
    ['candidate:1 1 udp 1 1.2.3.4 5 typ srflx raddr x_y rport 1', /raddr/],
    ['candidate:1 1 udp 1 1.2.3.4 5 typ srflx raddr 1.1.1.1 rport -1', /rport/],
    ['candidate:1 1 tcp 1 1.2.3.4 5 typ host tcptype up', /tcptype/],
    ['candidate:1 1 udp 1 1.2.3.4 5 typ host generation x', /generation/],
    ['candidate:1 1 udp 1 1.2.3.4 5 typ host network-id 1.5', /network-id/],
    ['candidate:1 1 udp 1 1.2.3.4 5 typ host network-cost -', /network-cost/],
    ['candidate:1 1 udp 1 1.2.3.4  5 typ host', /address|port/],
  ];
  for (const [s, re] of cases) {
    const r = parseCandidate(s);
    assert.equal(r.ok, false, s);
    if (!r.ok) assert.match(r.error, re, s);
  }
  assert.equal(parseCandidate(undefined as unknown as string).ok, false);
});

const iceChars = fc.stringMatching(/^[A-Za-z0-9+/]{1,32}$/);
const token = fc.stringMatching(/^[a-z][a-z0-9-]{0,11}$/);
const KNOWN = new Set([
  'raddr',
  'rport',
  'tcptype',
  'generation',
  'ufrag',
  'network-id',
  'network-cost',
]);
const ipv4 = fc.ipV4();
const address = fc.oneof(
  ipv4,
  fc.ipV6().filter((a) => !a.includes('.')),
  fc.uuid().map((u) => `${u}.local`),
);
const u32 = fc.integer({ min: 0, max: 0xffffffff });

const candidateArb: fc.Arbitrary<IceCandidate> = fc
  .record(
    {
      foundation: iceChars,
      component: fc.integer({ min: 1, max: 256 }),
      transport: fc.constantFrom('udp' as const, 'tcp' as const),
      priority: fc.integer({ min: 1, max: 0xffffffff }),
      address,
      port: fc.integer({ min: 0, max: 65535 }),
      type: fc.constantFrom('host' as const, 'srflx' as const, 'prflx' as const, 'relay' as const),
      relatedAddress: ipv4,
      relatedPort: fc.integer({ min: 0, max: 65535 }),
      tcpType: fc.constantFrom('active' as const, 'passive' as const, 'so' as const),
      generation: u32,
      ufrag: iceChars,
      networkId: u32,
      networkCost: u32,
      extensions: fc.array(
        fc.tuple(
          token.filter((t) => !KNOWN.has(t)),
          fc.stringMatching(/^[!-~]{1,12}$/),
        ),
        { maxLength: 4 },
      ),
    },
    {
      requiredKeys: [
        'foundation',
        'component',
        'transport',
        'priority',
        'address',
        'port',
        'type',
        'extensions',
      ],
    },
  )
  .map((c) => ({ ...c }) as IceCandidate);

test('property: serialize then parse gives the same candidate', () => {
  fc.assert(
    fc.property(candidateArb, (c) => {
      const s = serializeCandidate(c);
      const r = parseCandidate(s);
      assert.ok(r.ok, s);
      assert.deepEqual(r.candidate, c);
      assert.equal(serializeCandidate(r.candidate), s);
      assert.deepEqual(parseCandidate(`a=${s}\r\n`), r);
    }),
    { numRuns: 500, seed: 8839 },
  );
});

test('property: parseCandidate never throws, on noise or on mutated candidates', () => {
  const mutated = fc
    .tuple(candidateArb, fc.nat(), fc.string({ maxLength: 4 }))
    .map(([c, at, junk]) => {
      const s = serializeCandidate(c);
      const i = at % (s.length + 1);
      return s.slice(0, i) + junk + s.slice(i + 1);
    });
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), mutated), (s) => {
      const r = parseCandidate(s);
      assert.equal(typeof r.ok, 'boolean');
      if (!r.ok) assert.equal(typeof r.error, 'string');
    }),
    { numRuns: 2000, seed: 8445 },
  );
});

test('priorities and foundations follow RFC 8445 5.1.2 / 5.1.1.3 / 6.1.2.3', () => {
  // (2^24)*126 + (2^8)*65535 + (256 - 1)
  assert.equal(candidatePriority('host', 65535, 1), 2130706431);
  assert.ok(candidatePriority('host', 1, 1) > candidatePriority('prflx', 65535, 1));
  assert.ok(candidatePriority('prflx', 1, 1) > candidatePriority('srflx', 65535, 1));
  assert.ok(candidatePriority('srflx', 1, 1) > candidatePriority('relay', 65535, 1));
  assert.ok(candidatePriority('host', 100, 1) > candidatePriority('host', 100, 2));
  assert.ok(localPreference('IPv6', 3) > localPreference('IPv4', 0));
  assert.ok(localPreference('IPv4', 0) > localPreference('IPv4', 1));
  // 2^32*MIN(G,D) + 2*MAX(G,D) + (G>D?1:0), exactly, beyond 2^53.
  const g = 2130706431;
  const d = 1694498815;
  assert.equal(pairPriority(g, d), (BigInt(d) << 32n) + 2n * BigInt(g) + 1n);
  assert.equal(pairPriority(d, g), (BigInt(d) << 32n) + 2n * BigInt(g));
  assert.ok(pairPriority(g, d) > pairPriority(d, g));
  const f = computeFoundation('host', '10.0.0.1', '', 'udp');
  assert.equal(f, computeFoundation('host', '10.0.0.1', '', 'udp'));
  assert.notEqual(f, computeFoundation('srflx', '10.0.0.1', '', 'udp'));
  assert.notEqual(f, computeFoundation('host', '10.0.0.2', '', 'udp'));
  assert.notEqual(
    computeFoundation('srflx', '10.0.0.1', '192.0.2.1:3478', 'udp'),
    computeFoundation('srflx', '10.0.0.1', '192.0.2.2:3478', 'udp'),
  );
  assert.match(f, /^[A-Za-z0-9+/]{1,32}$/);
});
