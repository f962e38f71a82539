import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type AnswerOptions,
  answerMismatch,
  createAnswer,
  extractTransportParams,
  findAttribute,
  findGroups,
  hasAttribute,
  mediaDirection,
  mediaMid,
  type SessionDescription,
  serializeSdp,
} from '../../src/jsep/index.js';
import { type FixtureName, loadFixture } from './fixtures.js';
import {
  chromeAvDataOffer,
  FINGERPRINT_256,
  localTransport,
  parseOk,
  reparsed,
  replaceLine,
} from './offer-answer-helpers.js';

const ACCEPT_DATA = { sctpPort: 5000, maxMessageSize: 262144 };

function answerTo(
  offer: SessionDescription,
  over: Partial<AnswerOptions> = {},
): SessionDescription {
  return reparsed(
    createAnswer({
      sessionId: '3',
      sessionVersion: 2,
      transport: localTransport(),
      offer,
      setup: 'active',
      data: ACCEPT_DATA,
      ...over,
    }),
  );
}

/** [kind, port, mid, direction or setup] per section, to compare whole answers at a glance. */
function shape(sdp: SessionDescription): [string, number, string | undefined, string][] {
  return sdp.media.map((m) => [
    m.kind,
    m.port,
    mediaMid(m),
    m.kind === 'application' ? 'data' : mediaDirection(sdp, m),
  ]);
}

function setups(sdp: SessionDescription): (string | undefined)[] {
  return sdp.media.map((m) => findAttribute(m.attributes, 'setup')?.role);
}

function bundle(sdp: SessionDescription): string[][] {
  return findGroups(sdp, 'BUNDLE').map((g) => g.mids);
}

const FIXTURE_ANSWERS: {
  name: string;
  offer: () => string;
  shape: ReturnType<typeof shape>;
  bundle: string[][];
}[] = [
  {
    name: 'chrome-datachannel-offer',
    offer: () => loadFixture('chrome-datachannel-offer'),
    shape: [['application', 9, '0', 'data']],
    bundle: [['0']],
  },
  {
    name: 'chrome-av-simulcast-offer',
    offer: () => loadFixture('chrome-av-simulcast-offer'),
    shape: [
      ['audio', 0, '0', 'inactive'],
      ['video', 0, '1', 'inactive'],
      ['video', 0, '2', 'inactive'],
    ],
    bundle: [],
  },
  {
    name: 'chrome-av-simulcast-offer plus a data section',
    offer: () => chromeAvDataOffer(loadFixture('chrome-av-simulcast-offer')),
    shape: [
      ['audio', 0, '0', 'inactive'],
      ['video', 0, '1', 'inactive'],
      ['video', 0, '2', 'inactive'],
      ['application', 9, '3', 'data'],
    ],
    bundle: [['3']],
  },
  {
    name: 'firefox-offer',
    offer: () => loadFixture('firefox-offer' satisfies FixtureName),
    shape: [
      ['audio', 0, '0', 'inactive'],
      ['video', 0, '1', 'inactive'],
      ['application', 9, '2', 'data'],
    ],
    bundle: [['2']],
  },
];

for (const fixture of FIXTURE_ANSWERS) {
  test(`answer to ${fixture.name}: m-line order, mids, rejected A/V, BUNDLE, setup active`, () => {
    const offer = parseOk(fixture.offer());
    const answer = answerTo(offer);
    assert.deepEqual(shape(answer), fixture.shape);
    assert.deepEqual(bundle(answer), fixture.bundle);
    assert.ok(setups(answer).every((s) => s === 'active'));
    assert.equal(answerMismatch(offer, answer), undefined);
    const read = extractTransportParams(answer, 'answer');
    if (!read.ok) assert.fail(read.error);
    assert.equal(read.params.setup, 'active');
    const offerRead = extractTransportParams(offer, 'offer');
    assert.ok(offerRead.ok);
  });
}

test('a rejected section keeps the proto and the first offered format with its rtpmap', () => {
  const answer = answerTo(parseOk(loadFixture('firefox-offer')));
  const audio = answer.media[0]!;
  assert.equal(audio.proto, 'UDP/TLS/RTP/SAVPF');
  assert.deepEqual(audio.formats, ['109']);
  assert.deepEqual(findAttribute(audio.attributes, 'rtpmap'), {
    kind: 'rtpmap',
    payloadType: 109,
    encodingName: 'opus',
    clockRate: 48000,
    channels: 2,
  });
  assert.ok(!hasAttribute(audio.attributes, 'candidate'));
  assert.ok(!hasAttribute(audio.attributes, 'msid'));
});

test('the accepted data section carries this side transport and SCTP choices', () => {
  const answer = answerTo(parseOk(loadFixture('firefox-offer')), {
    data: { sctpPort: 5001, maxMessageSize: 1048576 },
  });
  const data = answer.media[2]!;
  assert.equal(data.proto, 'UDP/DTLS/SCTP');
  assert.deepEqual(data.formats, ['webrtc-datachannel']);
  const read = extractTransportParams(answer, 'answer');
  if (!read.ok) assert.fail(read.error);
  const t = localTransport();
  assert.deepEqual(read.params, {
    iceUfrag: t.iceUfrag,
    icePwd: t.icePwd,
    iceLite: false,
    iceOptions: ['trickle'],
    fingerprints: [{ algorithm: 'sha-256', value: FINGERPRINT_256 }],
    setup: 'active',
    candidates: t.candidates,
    endOfCandidates: true,
    bundleMids: ['2'],
    data: { mid: '2', sctpPort: 5001, maxMessageSize: 1048576, rejected: false },
  });
});

test('the session part: Chrome layout, extmap-allow-mixed only when offered', () => {
  const chrome = serializeSdp(
    createAnswer({
      sessionId: '11',
      sessionVersion: 2,
      transport: localTransport(),
      offer: parseOk(loadFixture('chrome-datachannel-offer')),
      setup: 'active',
      data: ACCEPT_DATA,
    }),
  );
  assert.ok(
    chrome.startsWith(
      'v=0\r\no=- 11 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n' +
        'a=extmap-allow-mixed\r\na=msid-semantic: WMS\r\nm=application 9 UDP/DTLS/SCTP',
    ),
    chrome,
  );
  const firefox = answerTo(parseOk(loadFixture('firefox-offer')));
  assert.ok(!hasAttribute(firefox.attributes, 'extmap-allow-mixed'));
});

test('setup: passive when the offer is active, active when it is passive, else the choice', () => {
  const text = loadFixture('chrome-datachannel-offer');
  const active = parseOk(replaceLine(text, 'a=setup:actpass', 'a=setup:active'));
  const passive = parseOk(replaceLine(text, 'a=setup:actpass', 'a=setup:passive'));
  const actpass = parseOk(text);
  assert.deepEqual(setups(answerTo(active)), ['passive']);
  assert.deepEqual(setups(answerTo(passive)), ['active']);
  assert.deepEqual(setups(answerTo(actpass, { setup: 'passive' })), ['passive']);
  assert.deepEqual(setups(answerTo(active, { setup: 'passive' })), ['passive']);
  assert.deepEqual(setups(answerTo(passive, { setup: 'passive' })), ['active']);
});

test('Firefox session-level fingerprint and setup in the offer are honoured', () => {
  const text = replaceLine(loadFixture('firefox-offer'), 'a=setup:actpass', undefined);
  const withSessionSetup = text.replace('t=0 0\r\n', 't=0 0\r\na=setup:active\r\n');
  assert.deepEqual(setups(answerTo(parseOk(withSessionSetup))), ['passive', 'passive', 'passive']);
});

test('without data options the data section is rejected, with nothing in BUNDLE', () => {
  const answer = answerTo(parseOk(loadFixture('chrome-datachannel-offer')), { data: undefined });
  assert.deepEqual(shape(answer), [['application', 0, '0', 'data']]);
  assert.deepEqual(answer.media[0]!.formats, ['webrtc-datachannel']);
  assert.deepEqual(bundle(answer), []);
  const read = extractTransportParams(answer, 'answer');
  if (!read.ok) assert.fail(read.error);
  assert.equal(read.params.data?.rejected, true);
});

test('a data section the offerer rejected (port 0) is rejected in the answer', () => {
  const text = loadFixture('chrome-datachannel-offer').replace(
    'm=application 9 UDP/DTLS/SCTP',
    'm=application 0 UDP/DTLS/SCTP',
  );
  const answer = answerTo(parseOk(text));
  assert.deepEqual(shape(answer), [['application', 0, '0', 'data']]);
});

test('a bundle-only data section (port 0 with a=bundle-only) is accepted', () => {
  const text = loadFixture('chrome-datachannel-offer')
    .replace('m=application 9 UDP/DTLS/SCTP', 'm=application 0 UDP/DTLS/SCTP')
    .replace('a=mid:0\r\n', 'a=mid:0\r\na=bundle-only\r\n');
  const answer = answerTo(parseOk(text));
  assert.deepEqual(shape(answer), [['application', 9, '0', 'data']]);
});

test('only the first data section is accepted; old-style and unknown sections are rejected', () => {
  const base = loadFixture('chrome-datachannel-offer');
  const second = [
    'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
    'c=IN IP4 0.0.0.0',
    'a=mid:1',
    'a=sctp-port:5000',
    'm=application 9 DTLS/SCTP 5000',
    'c=IN IP4 0.0.0.0',
    'a=mid:2',
    'a=sctpmap:5000 webrtc-datachannel 1024',
    'm=text 9 RTP/AVP 98',
    'c=IN IP4 0.0.0.0',
    'a=mid:3',
    'a=rtpmap:98 t140/1000',
    '',
  ].join('\r\n');
  const offer = parseOk(replaceLine(base, 'a=group:BUNDLE 0', 'a=group:BUNDLE 0 1 2 3') + second);
  const answer = answerTo(offer);
  assert.deepEqual(shape(answer), [
    ['application', 9, '0', 'data'],
    ['application', 0, '1', 'data'],
    ['application', 0, '2', 'data'],
    ['text', 0, '3', 'inactive'],
  ]);
  assert.deepEqual(bundle(answer), [['0']]);
  assert.equal(answer.media[2]!.proto, 'DTLS/SCTP');
});

test('a TCP/DTLS/SCTP data section is answered with the same proto', () => {
  const text = loadFixture('chrome-datachannel-offer').replace('UDP/DTLS/SCTP', 'TCP/DTLS/SCTP');
  const answer = answerTo(parseOk(text));
  assert.equal(answer.media[0]!.proto, 'TCP/DTLS/SCTP');
  assert.equal(answer.media[0]!.port, 9);
});

test('an offer without a BUNDLE group gets an answer without one', () => {
  const text = replaceLine(loadFixture('chrome-datachannel-offer'), 'a=group:BUNDLE 0');
  const answer = answerTo(parseOk(text));
  assert.deepEqual(bundle(answer), []);
  assert.deepEqual(shape(answer), [['application', 9, '0', 'data']]);
});

test('answerMismatch names a changed section count, kind or mid', () => {
  const offer = parseOk(loadFixture('firefox-offer'));
  const answer = answerTo(offer);
  assert.equal(answerMismatch(offer, answer), undefined);
  const fewer = structuredClone(answer);
  fewer.media.pop();
  assert.match(answerMismatch(offer, fewer)!, /2 m-sections, the offer 3/);
  const kind = structuredClone(answer);
  kind.media[1]!.kind = 'audio';
  assert.match(answerMismatch(offer, kind)!, /m-section 1 is m=video in the offer, m=audio/);
  const mid = structuredClone(answer);
  mid.media[2]!.attributes = mid.media[2]!.attributes.map((a) =>
    a.kind === 'mid' ? { kind: 'mid', mid: 'x' } : a,
  );
  assert.match(answerMismatch(offer, mid)!, /m-section 2 has mid 2 in the offer, x in the answer/);
});
