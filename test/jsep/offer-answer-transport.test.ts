import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type DescriptionType,
  extractTransportParams,
  type RemoteTransportParams,
} from '../../src/jsep/index.js';
import { loadFixture } from './fixtures.js';
import { dropLines, parseOk, replaceFirst, replaceLine } from './offer-answer-helpers.js';

function extractOk(text: string, type: DescriptionType = 'offer'): RemoteTransportParams {
  const read = extractTransportParams(parseOk(text), type);
  if (!read.ok) assert.fail(read.error);
  return read.params;
}

function assertInvalid(text: string, type: DescriptionType, reason: RegExp): void {
  const read = extractTransportParams(parseOk(text), type);
  if (read.ok) assert.fail(`accepted, but should fail with ${reason}`);
  assert.match(read.error, reason);
}

const CHROME_DC = loadFixture('chrome-datachannel-offer');
const CHROME_FP =
  'A5:4D:CA:18:25:30:BB:1D:6D:13:2C:DE:D6:23:7B:2E:D9:1E:3F:72:1F:CB:19:71:17:44:94:D6:49:3C:9D:5C';

test('Chrome data channel offer', () => {
  assert.deepEqual(extractOk(CHROME_DC), {
    iceUfrag: 'Q8Qt',
    icePwd: '3d4mCtmTnXuspE0Ypy5fxWw8',
    iceLite: false,
    iceOptions: ['trickle'],
    fingerprints: [{ algorithm: 'sha-256', value: CHROME_FP }],
    setup: 'actpass',
    candidates: [
      'candidate:2999745851 1 udp 2122260223 3f2c4d5e-9a1b-4c7d-8e6f-0a1b2c3d4e5f.local 54321 typ host generation 0 network-id 1 network-cost 10',
      'candidate:1467250027 1 udp 1686052607 198.51.100.23 54321 typ srflx raddr 0.0.0.0 rport 0 generation 0 network-id 1 network-cost 10',
      'candidate:435653019 1 tcp 1518280447 3f2c4d5e-9a1b-4c7d-8e6f-0a1b2c3d4e5f.local 9 typ host tcptype active generation 0 network-id 1 network-cost 10',
    ],
    endOfCandidates: false,
    bundleMids: ['0'],
    data: { mid: '0', sctpPort: 5000, maxMessageSize: 262144, rejected: false },
  });
});

test('Chrome A/V offer: the transport of the first bundled section, no data section', () => {
  const params = extractOk(loadFixture('chrome-av-simulcast-offer'));
  assert.equal(params.iceUfrag, 'fw1L');
  assert.equal(params.icePwd, 'z8wLGk4QZ2Yc9yTfD0pQy7sU');
  assert.equal(params.setup, 'actpass');
  assert.deepEqual(params.bundleMids, ['0', '1', '2']);
  assert.equal(params.fingerprints.length, 1);
  assert.equal(params.data, undefined);
});

test('Firefox offer: session-level fingerprint and ice-options, candidates of the bundle', () => {
  const params = extractOk(loadFixture('firefox-offer'));
  assert.deepEqual(params, {
    iceUfrag: '9f3e2d1c',
    icePwd: '4a1e6f0c3b2d8e7f9a0b1c2d3e4f5a6b',
    iceLite: false,
    iceOptions: ['trickle'],
    fingerprints: [
      {
        algorithm: 'sha-256',
        value:
          '27:A0:AE:B3:FE:E9:23:2F:8A:F2:21:1F:9E:E4:91:C5:B1:0B:EC:B5:56:3B:FC:1E:6F:93:42:7E:CB:C8:FE:29',
      },
    ],
    setup: 'actpass',
    candidates: [
      'candidate:0 1 UDP 2122252543 192.0.2.14 54609 typ host',
      'candidate:1 1 TCP 2105524479 192.0.2.14 9 typ host tcptype active',
      'candidate:2 1 UDP 1686052863 198.51.100.7 54609 typ srflx raddr 192.0.2.14 rport 54609',
    ],
    endOfCandidates: true,
    bundleMids: ['0', '1', '2'],
    data: { mid: '2', sctpPort: 5000, maxMessageSize: 1073741823, rejected: false },
  });
});

test('ice-lite server answer: ice-lite, sha-512, passive, end-of-candidates', () => {
  const params = extractOk(loadFixture('ice-lite-server-answer'), 'answer');
  assert.equal(params.iceLite, true);
  assert.equal(params.setup, 'passive');
  assert.equal(params.iceUfrag, 'sfu3Kx9q');
  assert.deepEqual(params.iceOptions, ['renomination']);
  assert.equal(params.fingerprints[0]!.algorithm, 'sha-512');
  assert.equal(params.endOfCandidates, true);
  assert.equal(params.candidates.length, 3, 'the same candidates in each section count once');
  assert.deepEqual(params.data, {
    mid: '2',
    sctpPort: 5000,
    maxMessageSize: 262144,
    rejected: false,
  });
});

test('media-level attributes win over session-level ones', () => {
  const text = CHROME_DC.replace(
    't=0 0\r\n',
    't=0 0\r\na=ice-ufrag:sessUfrag\r\na=ice-pwd:sessionPasswordIsLong22\r\n' +
      'a=fingerprint:sha-1 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33\r\n',
  );
  const params = extractOk(text);
  assert.equal(params.iceUfrag, 'Q8Qt');
  assert.equal(params.icePwd, '3d4mCtmTnXuspE0Ypy5fxWw8');
  assert.deepEqual(params.fingerprints, [{ algorithm: 'sha-256', value: CHROME_FP }]);
  const sessionOnly = dropLines(
    dropLines(dropLines(text, 'a=ice-ufrag:Q8Qt'), 'a=ice-pwd:3d4m'),
    'a=fingerprint:sha-256',
  );
  const fromSession = extractOk(sessionOnly);
  assert.equal(fromSession.iceUfrag, 'sessUfrag');
  assert.equal(fromSession.icePwd, 'sessionPasswordIsLong22');
  assert.equal(fromSession.fingerprints[0]!.algorithm, 'sha-1');
});

test('defaults: sctp-port 5000, max-message-size 65536, setup actpass/active', () => {
  const bare = dropLines(
    dropLines(dropLines(CHROME_DC, 'a=sctp-port'), 'a=max-message-size'),
    'a=setup',
  );
  const offer = extractOk(bare, 'offer');
  assert.deepEqual(offer.data, {
    mid: '0',
    sctpPort: 5000,
    maxMessageSize: 65536,
    rejected: false,
  });
  assert.equal(offer.setup, 'actpass');
  assert.equal(extractOk(bare, 'answer').setup, 'active');
  assert.equal(extractOk(bare, 'pranswer').setup, 'active');
});

test('fingerprint hash names in upper case are accepted and normalised', () => {
  const text = CHROME_DC.replace('a=fingerprint:sha-256 ', 'a=fingerprint:SHA-256 ').replace(
    CHROME_FP,
    CHROME_FP.toLowerCase(),
  );
  assert.deepEqual(extractOk(text).fingerprints, [{ algorithm: 'sha-256', value: CHROME_FP }]);
});

test('an unknown hash next to a known one is ignored (RFC 8122)', () => {
  const text = CHROME_DC.replace(
    'a=setup:actpass',
    'a=fingerprint:md5 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF\r\na=setup:actpass',
  );
  assert.deepEqual(extractOk(text).fingerprints, [{ algorithm: 'sha-256', value: CHROME_FP }]);
});

test('a description with no m-sections has no transport', () => {
  const params = extractOk('v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n');
  assert.equal(params.iceUfrag, '');
  assert.deepEqual(params.fingerprints, []);
  assert.equal(params.data, undefined);
});

test('a bundled section after the tagged one may leave out its transport attributes', () => {
  const firefox = loadFixture('firefox-offer');
  const lean = firefox.replace(
    'a=ice-pwd:4a1e6f0c3b2d8e7f9a0b1c2d3e4f5a6b\r\na=ice-ufrag:9f3e2d1c\r\na=mid:2',
    'a=mid:2',
  );
  assert.notEqual(lean, firefox);
  assert.equal(extractOk(lean).iceUfrag, '9f3e2d1c');
});

test('rejected sections are not checked', () => {
  const text = loadFixture('chrome-av-simulcast-offer')
    .replace('m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n', 'm=video 0 UDP/TLS/RTP/SAVPF 96 97\r\n')
    .replace('a=group:BUNDLE 0 1 2', 'a=group:BUNDLE 0 1');
  const lines = text.split('\r\n');
  const start = lines.indexOf('m=video 0 UDP/TLS/RTP/SAVPF 96 97');
  const cut = lines.filter((l, i) => i < start || !/^a=(ice-|fingerprint)/.test(l));
  assert.ok(extractOk(cut.join('\r\n')).iceUfrag === 'fw1L');
});

// Each rule of RFC 8829 5.7/5.8 and RFC 8839/8122/8842 that a description can break.
const INVALID: { name: string; text: () => string; type?: DescriptionType; reason: RegExp }[] = [
  {
    name: 'no ice-ufrag',
    text: () => dropLines(CHROME_DC, 'a=ice-ufrag'),
    reason: /m-section 0 \(mid 0\): no a=ice-ufrag/,
  },
  {
    name: 'no ice-pwd',
    text: () => dropLines(CHROME_DC, 'a=ice-pwd'),
    reason: /m-section 0 \(mid 0\): no a=ice-pwd/,
  },
  {
    name: 'ice-ufrag too short',
    text: () => replaceLine(CHROME_DC, 'a=ice-ufrag:Q8Qt', 'a=ice-ufrag:Q8Q'),
    reason: /a=ice-ufrag must be 4 to 256 characters/,
  },
  {
    name: 'ice-ufrag too long',
    text: () => replaceLine(CHROME_DC, 'a=ice-ufrag:Q8Qt', `a=ice-ufrag:${'u'.repeat(257)}`),
    reason: /a=ice-ufrag must be 4 to 256 characters/,
  },
  {
    name: 'ice-ufrag with a character outside ice-char',
    text: () => replaceLine(CHROME_DC, 'a=ice-ufrag:Q8Qt', 'a=ice-ufrag:Q8Q-'),
    reason: /a=ice-ufrag may only hold letters, digits/,
  },
  {
    name: 'ice-pwd too short',
    text: () => replaceFirst(CHROME_DC, 'a=ice-pwd:', `a=ice-pwd:${'p'.repeat(21)}`),
    reason: /a=ice-pwd must be 22 to 256 characters/,
  },
  {
    name: 'ice-pwd with a character outside ice-char',
    text: () => replaceFirst(CHROME_DC, 'a=ice-pwd:', 'a=ice-pwd:3d4mCtmTnXuspE0Ypy5fxWw=8'),
    reason: /a=ice-pwd may only hold letters, digits/,
  },
  {
    name: 'no fingerprint',
    text: () => dropLines(CHROME_DC, 'a=fingerprint'),
    reason: /m-section 0 \(mid 0\): no a=fingerprint$/,
  },
  {
    name: 'only an unknown hash',
    text: () => replaceFirst(CHROME_DC, 'a=fingerprint:', `a=fingerprint:sha-3 ${CHROME_FP}`),
    reason: /no a=fingerprint with a supported hash \(sha-1, .*\): got sha-3/,
  },
  {
    name: 'a fingerprint of the wrong length for its hash',
    text: () => replaceFirst(CHROME_DC, 'a=fingerprint:', `a=fingerprint:sha-1 ${CHROME_FP}`),
    reason: /a=fingerprint sha-1 value has 32 bytes/,
  },
  {
    name: 'setup actpass in an answer',
    text: () => CHROME_DC,
    type: 'answer',
    reason: /a=setup:actpass is not allowed in an answer/,
  },
  {
    name: 'setup actpass in a pranswer',
    text: () => CHROME_DC,
    type: 'pranswer',
    reason: /a=setup:actpass is not allowed in an answer/,
  },
  {
    name: 'setup holdconn in an answer',
    text: () => replaceLine(CHROME_DC, 'a=setup:actpass', 'a=setup:holdconn'),
    type: 'answer',
    reason: /a=setup:holdconn is not allowed in an answer/,
  },
  {
    name: 'missing mid',
    text: () => dropLines(replaceLine(CHROME_DC, 'a=group:BUNDLE 0'), 'a=mid'),
    reason: /m-section 0 \(m=application\) has no a=mid/,
  },
  {
    name: 'duplicate mids',
    text: () => loadFixture('chrome-av-simulcast-offer').replace('a=mid:2', 'a=mid:1'),
    reason: /m-sections 1 and 2 both have a=mid:1/,
  },
  {
    name: 'BUNDLE naming a missing mid',
    text: () => replaceLine(CHROME_DC, 'a=group:BUNDLE 0', 'a=group:BUNDLE 0 1'),
    reason: /a=group:BUNDLE names mid 1, which no m-section has/,
  },
  {
    name: 'a mid in two BUNDLE groups',
    text: () => replaceLine(CHROME_DC, 'a=group:BUNDLE 0', 'a=group:BUNDLE 0\r\na=group:BUNDLE 0'),
    reason: /mid 0 appears twice in a=group:BUNDLE lines/,
  },
  {
    name: 'a bad ice-pwd in a bundled section after the tagged one',
    text: () =>
      loadFixture('chrome-av-simulcast-offer').replace(
        'a=ice-pwd:z8wLGk4QZ2Yc9yTfD0pQy7sU\r\na=ice-options:trickle\r\na=fingerprint:sha-256 34:60:BE:31:20:1E:69:FE:DA:A0:EE:E8:B9:99:7F:5C:7C:29:99:FD:AF:E5:93:25:3C:D6:54:AF:4D:FA:D7:14\r\na=setup:actpass\r\na=mid:2',
        'a=ice-pwd:short\r\na=mid:2',
      ),
    reason: /m-section 2 \(mid 2\): a=ice-pwd must be 22/,
  },
  {
    name: 'a section outside any BUNDLE group without credentials',
    text: () =>
      dropLines(
        replaceLine(loadFixture('firefox-offer'), 'a=group:BUNDLE 0 1 2', 'a=group:BUNDLE 0 2'),
        'a=ice-pwd',
      ),
    reason: /m-section 0 \(mid 0\): no a=ice-pwd/,
  },
];

for (const c of INVALID) {
  test(`invalid: ${c.name}`, () => assertInvalid(c.text(), c.type ?? 'offer', c.reason));
}

test('the invalid cases are valid once the one broken line is fixed', () => {
  assert.ok(extractOk(CHROME_DC));
  assert.ok(extractOk(replaceLine(CHROME_DC, 'a=setup:actpass', 'a=setup:active'), 'answer'));
  assert.ok(extractOk(replaceLine(CHROME_DC, 'a=setup:actpass', 'a=setup:holdconn'), 'offer'));
});
