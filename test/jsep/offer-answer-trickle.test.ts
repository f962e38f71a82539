import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addCandidateToDescription,
  addEndOfCandidates,
  answerSetup,
  createOffer,
  dtlsRoleFromSetup,
  extractTransportParams,
  filterAttributes,
  hasAttribute,
  iceRestartRequested,
  randomSessionId,
  serializeSdp,
} from '../../src/jsep/index.js';
import { loadFixture } from './fixtures.js';
import {
  DATA,
  localTransport,
  offerOptions,
  parseOk,
  reparsed,
  replaceLine,
} from './offer-answer-helpers.js';

const CHROME_DC = loadFixture('chrome-datachannel-offer');

test('ICE restart: a new ufrag or pwd for a section in use is a restart', () => {
  const previous = parseOk(CHROME_DC);
  assert.equal(iceRestartRequested(undefined, previous), false);
  assert.equal(iceRestartRequested(previous, parseOk(CHROME_DC)), false);
  const ufrag = parseOk(replaceLine(CHROME_DC, 'a=ice-ufrag:Q8Qt', 'a=ice-ufrag:R9Ru'));
  assert.equal(iceRestartRequested(previous, ufrag), true);
  const pwd = parseOk(
    replaceLine(
      CHROME_DC,
      'a=ice-pwd:3d4mCtmTnXuspE0Ypy5fxWw8',
      'a=ice-pwd:3d4mCtmTnXuspE0Ypy5fxWw9',
    ),
  );
  assert.equal(iceRestartRequested(previous, pwd), true);
});

test('ICE restart: other changes are not a restart', () => {
  const previous = parseOk(CHROME_DC);
  const moreCandidates = parseOk(
    CHROME_DC.replace('a=mid:0', 'a=mid:0\r\na=candidate:9 1 udp 1 192.0.2.1 9 typ host'),
  );
  assert.equal(iceRestartRequested(previous, moreCandidates), false);
  const newVersion = parseOk(CHROME_DC.replace(' 2 IN IP4', ' 3 IN IP4'));
  assert.equal(iceRestartRequested(previous, newVersion), false);
  // A section that was not there before, or is rejected now, has nothing to restart.
  const renamed = parseOk(
    replaceLine(
      replaceLine(
        replaceLine(CHROME_DC, 'a=mid:0', 'a=mid:7'),
        'a=group:BUNDLE 0',
        'a=group:BUNDLE 7',
      ),
      'a=ice-ufrag:Q8Qt',
      'a=ice-ufrag:R9Ru',
    ),
  );
  assert.equal(iceRestartRequested(previous, renamed), false);
  const rejected = parseOk(
    replaceLine(CHROME_DC, 'a=ice-ufrag:Q8Qt', 'a=ice-ufrag:R9Ru').replace(
      'm=application 9',
      'm=application 0',
    ),
  );
  assert.equal(iceRestartRequested(previous, rejected), false);
});

test('ICE restart: Firefox session-level credentials and our own restart offers', () => {
  const firefox = loadFixture('firefox-offer');
  const changed = firefox.replaceAll('a=ice-ufrag:9f3e2d1c', 'a=ice-ufrag:0a1b2c3d');
  assert.equal(iceRestartRequested(parseOk(firefox), parseOk(changed)), true);
  const options = {
    sessionId: '1',
    sessionVersion: 1,
    transport: localTransport(),
    setup: 'actpass' as const,
    data: DATA,
  };
  const first = reparsed(createOffer(options));
  const same = reparsed(createOffer({ ...options, sessionVersion: 2, previous: first }));
  assert.equal(iceRestartRequested(first, same), false);
  const restart = reparsed(
    createOffer({
      ...options,
      sessionVersion: 3,
      previous: first,
      iceRestart: true,
      transport: localTransport({ iceUfrag: 'abcd', icePwd: 'abcdefghijklmnopqrstuv' }),
    }),
  );
  assert.equal(iceRestartRequested(first, restart), true);
});

test('a trickled candidate goes into the section named by mid or m-line index', () => {
  const sdp = parseOk(CHROME_DC);
  const c = 'candidate:7 1 udp 2130706431 192.0.2.7 4000 typ host';
  assert.deepEqual(addCandidateToDescription(sdp, c, { sdpMid: '0' }), {
    ok: true,
    index: 0,
    added: true,
  });
  const candidates = filterAttributes(sdp.media[0]!.attributes, 'candidate');
  assert.equal(candidates.length, 4);
  assert.equal(candidates[3]!.candidate, c);
  // Once only, also when given without its "candidate:" prefix or by index.
  assert.deepEqual(
    addCandidateToDescription(sdp, c.slice('candidate:'.length), { sdpMLineIndex: 0 }),
    { ok: true, index: 0, added: false },
  );
  assert.equal(filterAttributes(sdp.media[0]!.attributes, 'candidate').length, 4);
  const text = serializeSdp(sdp);
  const lines = text.split('\r\n');
  const ours = lines.indexOf(`a=${c}`);
  assert.ok(lines[ours - 1]!.startsWith('a=candidate:435653019 '), 'after the other candidates');
  const read = extractTransportParams(parseOk(text), 'offer');
  if (!read.ok) assert.fail(read.error);
  assert.equal(read.params.candidates.at(-1), c);
});

test('a candidate naming no section is an error and changes nothing', () => {
  const sdp = parseOk(CHROME_DC);
  const before = serializeSdp(sdp);
  const c = 'candidate:7 1 udp 2130706431 192.0.2.7 4000 typ host';
  const byMid = addCandidateToDescription(sdp, c, { sdpMid: 'nope', sdpMLineIndex: 0 });
  assert.deepEqual(byMid, { ok: false, error: 'no m-section has mid nope' });
  const byIndex = addCandidateToDescription(sdp, c, { sdpMid: null, sdpMLineIndex: 1 });
  assert.equal(byIndex.ok, false);
  assert.equal(addCandidateToDescription(sdp, c, {}).ok, false);
  assert.equal(addCandidateToDescription(sdp, c, { sdpMLineIndex: -1 }).ok, false);
  assert.equal(serializeSdp(sdp), before);
});

test('the first candidate of a section goes before its ICE attributes', () => {
  const offer = createOffer(
    offerOptions({ transport: localTransport({ candidates: [], endOfCandidates: false }) }),
  );
  const c = 'candidate:1 1 udp 2130706431 10.77.0.1 50000 typ host';
  addCandidateToDescription(offer, c, { sdpMid: '0' });
  assert.ok(serializeSdp(offer).includes(`c=IN IP4 0.0.0.0\r\na=${c}\r\na=ice-ufrag:`));
});

test('end-of-candidates: into one section, or all of them when none is named', () => {
  const firefox = parseOk(loadFixture('firefox-offer').replace('a=end-of-candidates\r\n', ''));
  assert.deepEqual(addEndOfCandidates(firefox, { sdpMid: '2' }), {
    ok: true,
    index: 2,
    added: true,
  });
  assert.deepEqual(
    firefox.media.map((m) => hasAttribute(m.attributes, 'end-of-candidates')),
    [false, false, true],
  );
  assert.equal(addEndOfCandidates(firefox, { sdpMid: 'x' }).ok, false);
  assert.deepEqual(addEndOfCandidates(firefox), { ok: true, index: -1, added: true });
  assert.deepEqual(addEndOfCandidates(firefox), { ok: true, index: -1, added: false });
  addEndOfCandidates(firefox, { sdpMLineIndex: 0 });
  assert.deepEqual(
    firefox.media.map((m) => filterAttributes(m.attributes, 'end-of-candidates').length),
    [1, 1, 1],
  );
  // After the candidates, where RFC 8840 puts it.
  const audio = firefox.media[0]!.attributes.map((a) => a.kind);
  assert.equal(audio.indexOf('end-of-candidates'), audio.lastIndexOf('candidate') + 1);
  const read = extractTransportParams(reparsed(firefox), 'offer');
  assert.ok(read.ok && read.params.endOfCandidates);
});

test('end-of-candidates: a rejected section (port 0) gets none', () => {
  const firefox = parseOk(loadFixture('firefox-offer').replace(/a=end-of-candidates\r\n/g, ''));
  firefox.media[1]!.port = 0;
  addEndOfCandidates(firefox);
  assert.deepEqual(
    firefox.media.map((m) => hasAttribute(m.attributes, 'end-of-candidates')),
    [true, false, true],
  );
  addEndOfCandidates(firefox, { sdpMLineIndex: 1 });
  assert.equal(hasAttribute(firefox.media[1]!.attributes, 'end-of-candidates'), false);
});

test('DTLS roles from a=setup (RFC 8842)', () => {
  assert.equal(answerSetup('actpass', 'active'), 'active');
  assert.equal(answerSetup(undefined, 'passive'), 'passive');
  assert.equal(answerSetup('active', 'active'), 'passive');
  assert.equal(answerSetup('passive', 'passive'), 'active');
  assert.equal(dtlsRoleFromSetup('active', 'actpass'), 'client');
  assert.equal(dtlsRoleFromSetup('passive', 'actpass'), 'server');
  assert.equal(dtlsRoleFromSetup('actpass', 'active'), 'server');
  assert.equal(dtlsRoleFromSetup('actpass', 'passive'), 'client');
  assert.equal(dtlsRoleFromSetup('actpass', 'actpass'), undefined);
  assert.equal(dtlsRoleFromSetup('holdconn', 'active'), undefined);
});

test('random session ids are decimal and below 2^63', () => {
  for (let i = 0; i < 50; i++) {
    const id = randomSessionId();
    assert.match(id, /^[0-9]+$/);
    assert.ok(BigInt(id) < 2n ** 63n);
  }
  assert.notEqual(randomSessionId(), randomSessionId());
});
