import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createAnswer,
  createOffer,
  extractTransportParams,
  findGroups,
  type MediaDescription,
  mediaMid,
  type SessionDescription,
  serializeSdp,
} from '../../src/jsep/index.js';
import { loadFixture } from './fixtures.js';
import {
  chromeAvDataOffer,
  DATA,
  FINGERPRINT_256,
  localTransport,
  offerOptions,
  parseOk,
  reparsed,
} from './offer-answer-helpers.js';

function mids(sdp: SessionDescription): (string | undefined)[] {
  return sdp.media.map(mediaMid);
}

function bundle(sdp: SessionDescription): string[][] {
  return findGroups(sdp, 'BUNDLE').map((g) => g.mids);
}

test('a data offer is written as Chrome writes it, line for line', () => {
  const offer = createOffer(offerOptions({ sessionId: '4611686018427387904', sessionVersion: 2 }));
  assert.equal(
    serializeSdp(offer),
    [
      'v=0',
      'o=- 4611686018427387904 2 IN IP4 127.0.0.1',
      's=-',
      't=0 0',
      'a=group:BUNDLE 0',
      'a=extmap-allow-mixed',
      'a=msid-semantic: WMS',
      'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
      'c=IN IP4 0.0.0.0',
      'a=candidate:1 1 udp 2130706431 10.77.0.1 50000 typ host',
      'a=candidate:2 1 udp 2130706175 fd77::1 50001 typ host',
      'a=end-of-candidates',
      'a=ice-ufrag:tsrtcUfr',
      'a=ice-pwd:tsrtcPasswordOf24Chars+/',
      'a=ice-options:trickle',
      `a=fingerprint:sha-256 ${FINGERPRINT_256}`,
      'a=setup:actpass',
      'a=mid:0',
      'a=sctp-port:5000',
      'a=max-message-size:262144',
      '',
    ].join('\r\n'),
  );
});

test('a data offer parses back to the expected structure', () => {
  const offer = reparsed(
    createOffer(
      offerOptions({
        sessionVersion: 7,
        transport: localTransport({ candidates: [], endOfCandidates: false }),
        data: { mid: 'data', sctpPort: 5001, maxMessageSize: 65536 },
      }),
    ),
  );
  assert.deepEqual(offer.origin, {
    username: '-',
    sessionId: '1',
    sessionVersion: '7',
    netType: 'IN',
    addrType: 'IP4',
    address: '127.0.0.1',
  });
  assert.deepEqual(offer.attributes, [
    { kind: 'group', semantics: 'BUNDLE', mids: ['data'] },
    { kind: 'extmap-allow-mixed' },
    { kind: 'msid-semantic', semantic: 'WMS', identifiers: [] },
  ]);
  const expected: MediaDescription = {
    kind: 'application',
    port: 9,
    proto: 'UDP/DTLS/SCTP',
    formats: ['webrtc-datachannel'],
    connections: [{ netType: 'IN', addrType: 'IP4', address: '0.0.0.0' }],
    bandwidths: [],
    attributes: [
      { kind: 'ice-ufrag', ufrag: 'tsrtcUfr' },
      { kind: 'ice-pwd', password: 'tsrtcPasswordOf24Chars+/' },
      { kind: 'ice-options', options: ['trickle'] },
      { kind: 'fingerprint', algorithm: 'sha-256', value: FINGERPRINT_256 },
      { kind: 'setup', role: 'actpass' },
      { kind: 'mid', mid: 'data' },
      { kind: 'sctp-port', port: 5001 },
      { kind: 'max-message-size', size: 65536 },
    ],
  };
  assert.deepEqual(offer.media, [expected]);
});

test('what an offer says is what extractTransportParams reads from it', () => {
  const transport = localTransport({
    fingerprints: [
      { algorithm: 'sha-256', value: FINGERPRINT_256 },
      { algorithm: 'sha-1', value: FINGERPRINT_256.slice(0, 59) },
    ],
  });
  const offer = reparsed(
    createOffer({ sessionId: '1', sessionVersion: 1, transport, setup: 'actpass', data: DATA }),
  );
  const read = extractTransportParams(offer, 'offer');
  if (!read.ok) assert.fail(read.error);
  assert.deepEqual(read.params, {
    iceUfrag: transport.iceUfrag,
    icePwd: transport.icePwd,
    iceLite: false,
    iceOptions: ['trickle'],
    fingerprints: transport.fingerprints,
    setup: 'actpass',
    candidates: transport.candidates,
    endOfCandidates: true,
    bundleMids: ['0'],
    data: { mid: '0', sctpPort: 5000, maxMessageSize: 262144, rejected: false },
  });
});

test('an offer with no data channel has no m-sections and no BUNDLE group', () => {
  const offer = reparsed(
    createOffer({
      sessionId: '1',
      sessionVersion: 1,
      transport: localTransport(),
      setup: 'actpass',
    }),
  );
  assert.equal(offer.media.length, 0);
  assert.deepEqual(bundle(offer), []);
  assert.ok(extractTransportParams(offer, 'offer').ok);
});

test('no a=ice-options line when there are no options', () => {
  const offer = createOffer(offerOptions({ transport: localTransport({ iceOptions: [] }) }));
  assert.ok(!serializeSdp(offer).includes('a=ice-options'));
});

test('an ICE restart offer has the new credentials and no candidates', () => {
  const first = createOffer(offerOptions());
  const restart = reparsed(
    createOffer(
      offerOptions({
        sessionVersion: 2,
        transport: localTransport({ iceUfrag: 'newUfrag', icePwd: 'newPasswordOf22Chars++' }),
        previous: first,
        iceRestart: true,
      }),
    ),
  );
  const read = extractTransportParams(restart, 'offer');
  if (!read.ok) assert.fail(read.error);
  assert.equal(read.params.iceUfrag, 'newUfrag');
  assert.equal(read.params.icePwd, 'newPasswordOf22Chars++');
  assert.deepEqual(read.params.candidates, []);
  assert.equal(read.params.endOfCandidates, false);
  assert.deepEqual(mids(restart), ['0']);
});

test('a re-offer keeps the previous m-line order and mids, rejecting sections it cannot fill', () => {
  // The remote offered audio, video, video and data; this side answered; now it re-offers.
  const remoteOffer = parseOk(chromeAvDataOffer(loadFixture('chrome-av-simulcast-offer')));
  const reoffer = reparsed(
    createOffer(
      offerOptions({
        sessionId: '5',
        sessionVersion: 3,
        data: { ...DATA, mid: 'ignored' },
        previous: remoteOffer,
      }),
    ),
  );
  assert.deepEqual(mids(reoffer), ['0', '1', '2', '3']);
  assert.deepEqual(
    reoffer.media.map((m) => [m.kind, m.port]),
    [
      ['audio', 0],
      ['video', 0],
      ['video', 0],
      ['application', 9],
    ],
  );
  assert.deepEqual(bundle(reoffer), [['3']]);
  const read = extractTransportParams(reoffer, 'offer');
  if (!read.ok) assert.fail(read.error);
  assert.deepEqual(read.params.data, {
    mid: '3',
    sctpPort: 5000,
    maxMessageSize: 262144,
    rejected: false,
  });
});

test('a re-offer after this side answered keeps the order of its own answer too', () => {
  const remoteOffer = parseOk(loadFixture('firefox-offer'));
  const answer = createAnswer({
    sessionId: '9',
    sessionVersion: 1,
    transport: localTransport(),
    offer: remoteOffer,
    setup: 'active',
    data: DATA,
  });
  const reoffer = reparsed(
    createOffer(offerOptions({ sessionId: '9', sessionVersion: 2, previous: reparsed(answer) })),
  );
  assert.deepEqual(mids(reoffer), ['0', '1', '2']);
  assert.deepEqual(
    reoffer.media.map((m) => m.port),
    [0, 0, 9],
  );
  assert.deepEqual(bundle(reoffer), [['2']]);
});

test('a re-offer of our own offer is the same offer with a new version', () => {
  const options = {
    sessionId: '77',
    sessionVersion: 2,
    transport: localTransport(),
    setup: 'actpass' as const,
    data: DATA,
  };
  const first = createOffer(options);
  const second = createOffer({ ...options, sessionVersion: 3, previous: reparsed(first) });
  assert.equal(serializeSdp(second), serializeSdp(first).replace('o=- 77 2 IN', 'o=- 77 3 IN'));
});

test('a new data section after other sections gets data.mid, or a free mid when taken', () => {
  const avOffer = parseOk(loadFixture('chrome-av-simulcast-offer'));
  const keepsMid = createOffer(
    offerOptions({ sessionVersion: 2, data: { ...DATA, mid: 'dc' }, previous: avOffer }),
  );
  assert.deepEqual(mids(keepsMid), ['0', '1', '2', 'dc']);
  const taken = createOffer(
    offerOptions({ sessionVersion: 2, data: { ...DATA, mid: '1' }, previous: avOffer }),
  );
  assert.deepEqual(mids(taken), ['0', '1', '2', '3']);
  assert.deepEqual(bundle(reparsed(taken)), [['3']]);
});

test('a previously rejected data section stays rejected; the new one is appended', () => {
  const previous = createOffer(offerOptions());
  previous.media[0]!.port = 0;
  const reoffer = reparsed(
    createOffer({
      sessionId: '1',
      sessionVersion: 2,
      transport: localTransport(),
      setup: 'actpass',
      data: DATA,
      previous,
    }),
  );
  assert.deepEqual(
    reoffer.media.map((m) => [m.kind, m.port, mediaMid(m)]),
    [
      ['application', 0, '0'],
      ['application', 9, '1'],
    ],
  );
  assert.deepEqual(bundle(reoffer), [['1']]);
});

test('a re-offer without a data channel rejects the previous data section', () => {
  const previous = createOffer(offerOptions());
  const reoffer = reparsed(
    createOffer({
      sessionId: '1',
      sessionVersion: 2,
      transport: localTransport(),
      setup: 'actpass',
      previous,
    }),
  );
  assert.deepEqual(
    reoffer.media.map((m) => [m.kind, m.port, mediaMid(m)]),
    [['application', 0, '0']],
  );
  assert.deepEqual(bundle(reoffer), []);
  const read = extractTransportParams(reoffer, 'offer');
  if (!read.ok) assert.fail(read.error);
  assert.equal(read.params.data?.rejected, true);
});
