import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  filterAttributes,
  findAttribute,
  findGroups,
  findUnknownAttribute,
  hasAttribute,
  mediaDirection,
  mediaMid,
  parseSdp,
  type SessionDescription,
} from '../../src/jsep/index.js';
import { type FixtureName, loadFixture } from './fixtures.js';

function parseFixture(name: FixtureName): SessionDescription {
  const result = parseSdp(loadFixture(name));
  if (!result.ok) assert.fail(result.error);
  return result.sdp;
}

test('Chrome data-channel offer: session and the one application section', () => {
  const sdp = parseFixture('chrome-datachannel-offer');
  assert.equal(sdp.version, 0);
  assert.deepEqual(sdp.origin, {
    username: '-',
    sessionId: '4215775240449105457',
    sessionVersion: '2',
    netType: 'IN',
    addrType: 'IP4',
    address: '127.0.0.1',
  });
  assert.equal(sdp.sessionName, '-');
  assert.deepEqual(sdp.timings, [{ start: 0, stop: 0, repeats: [] }]);
  assert.deepEqual(findGroups(sdp, 'BUNDLE'), [
    { kind: 'group', semantics: 'BUNDLE', mids: ['0'] },
  ]);
  assert.ok(hasAttribute(sdp.attributes, 'extmap-allow-mixed'));
  assert.deepEqual(findAttribute(sdp.attributes, 'msid-semantic'), {
    kind: 'msid-semantic',
    semantic: 'WMS',
    identifiers: [],
  });

  assert.equal(sdp.media.length, 1);
  const m = sdp.media[0]!;
  assert.equal(m.kind, 'application');
  assert.equal(m.port, 9);
  assert.equal(m.numPorts, undefined);
  assert.equal(m.proto, 'UDP/DTLS/SCTP');
  assert.deepEqual(m.formats, ['webrtc-datachannel']);
  assert.deepEqual(m.connections, [{ netType: 'IN', addrType: 'IP4', address: '0.0.0.0' }]);
  assert.equal(mediaMid(m), '0');
  assert.equal(findAttribute(m.attributes, 'ice-ufrag')?.ufrag, 'Q8Qt');
  assert.equal(findAttribute(m.attributes, 'ice-pwd')?.password, '3d4mCtmTnXuspE0Ypy5fxWw8');
  assert.deepEqual(findAttribute(m.attributes, 'ice-options')?.options, ['trickle']);
  const fingerprint = findAttribute(m.attributes, 'fingerprint')!;
  assert.equal(fingerprint.algorithm, 'sha-256');
  assert.equal(fingerprint.value.split(':').length, 32);
  assert.equal(fingerprint.value.slice(0, 5), 'A5:4D');
  assert.equal(findAttribute(m.attributes, 'setup')?.role, 'actpass');
  assert.equal(findAttribute(m.attributes, 'sctp-port')?.port, 5000);
  assert.equal(findAttribute(m.attributes, 'max-message-size')?.size, 262144);
  const candidates = filterAttributes(m.attributes, 'candidate').map((c) => c.candidate);
  assert.equal(candidates.length, 3);
  assert.equal(
    candidates[1],
    'candidate:1467250027 1 udp 1686052607 198.51.100.23 54321 typ srflx raddr 0.0.0.0 rport 0 generation 0 network-id 1 network-cost 10',
  );
  assert.equal(mediaDirection(sdp, m), 'sendrecv');
});

test('Chrome audio+video offer: codecs, feedback, extensions, ssrcs, rids and simulcast', () => {
  const sdp = parseFixture('chrome-av-simulcast-offer');
  assert.deepEqual(findGroups(sdp, 'BUNDLE')[0]?.mids, ['0', '1', '2']);
  assert.deepEqual(findAttribute(sdp.attributes, 'msid-semantic')?.identifiers, [
    '6b9e6c1e-3f0d-4bde-9d3b-8a6a0f3c2e11',
  ]);
  const [audio, video, video2] = sdp.media as [
    (typeof sdp.media)[0],
    (typeof sdp.media)[0],
    (typeof sdp.media)[0],
  ];

  assert.deepEqual(audio.formats, ['111', '63', '9', '0', '8', '13', '110', '126']);
  assert.deepEqual(findAttribute(audio.attributes, 'rtcp'), {
    kind: 'rtcp',
    port: 9,
    connection: { netType: 'IN', addrType: 'IP4', address: '0.0.0.0' },
  });
  assert.equal(mediaDirection(sdp, audio), 'sendrecv');
  assert.deepEqual(findAttribute(audio.attributes, 'msid'), {
    kind: 'msid',
    streamId: '6b9e6c1e-3f0d-4bde-9d3b-8a6a0f3c2e11',
    trackId: '0c8e1a52-7a3d-4f0b-a1d2-3e4f5a6b7c8d',
  });
  assert.ok(hasAttribute(audio.attributes, 'rtcp-mux'));
  assert.ok(hasAttribute(audio.attributes, 'rtcp-rsize'));
  assert.ok(!hasAttribute(audio.attributes, 'rtcp-mux-only'));
  const rtpmaps = filterAttributes(audio.attributes, 'rtpmap');
  assert.deepEqual(rtpmaps[0], {
    kind: 'rtpmap',
    payloadType: 111,
    encodingName: 'opus',
    clockRate: 48000,
    channels: 2,
  });
  assert.deepEqual(rtpmaps[2], {
    kind: 'rtpmap',
    payloadType: 9,
    encodingName: 'G722',
    clockRate: 8000,
  });
  assert.deepEqual(
    rtpmaps.map((r) => r.payloadType),
    [111, 63, 9, 0, 8, 13, 110, 126],
  );
  const fmtps = filterAttributes(audio.attributes, 'fmtp');
  assert.deepEqual(fmtps[0], {
    kind: 'fmtp',
    payloadType: 111,
    parameters: [
      { name: 'minptime', value: '10' },
      { name: 'useinbandfec', value: '1' },
    ],
  });
  assert.deepEqual(fmtps[1], { kind: 'fmtp', payloadType: 63, parameters: [{ name: '111/111' }] });
  assert.deepEqual(findAttribute(audio.attributes, 'rtcp-fb'), {
    kind: 'rtcp-fb',
    payloadType: 111,
    type: 'transport-cc',
  });
  assert.deepEqual(filterAttributes(audio.attributes, 'extmap')[0], {
    kind: 'extmap',
    id: 1,
    uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level',
  });
  assert.deepEqual(filterAttributes(audio.attributes, 'ssrc'), [
    { kind: 'ssrc', ssrc: 2846159434, attribute: 'cname', value: 'k3Jv8dPz1QmR7sTy' },
    {
      kind: 'ssrc',
      ssrc: 2846159434,
      attribute: 'msid',
      value: '6b9e6c1e-3f0d-4bde-9d3b-8a6a0f3c2e11 0c8e1a52-7a3d-4f0b-a1d2-3e4f5a6b7c8d',
    },
  ]);

  assert.equal(mediaDirection(sdp, video), 'sendonly');
  assert.equal(video.formats.length, 29);
  const vp8Feedback = filterAttributes(video.attributes, 'rtcp-fb').filter(
    (f) => f.payloadType === 96,
  );
  assert.deepEqual(
    vp8Feedback.map((f) => [f.type, f.parameter]),
    [
      ['goog-remb', undefined],
      ['transport-cc', undefined],
      ['ccm', 'fir'],
      ['nack', undefined],
      ['nack', 'pli'],
    ],
  );
  const h264 = filterAttributes(video.attributes, 'fmtp').find((f) => f.payloadType === 102)!;
  assert.deepEqual(h264.parameters, [
    { name: 'level-asymmetry-allowed', value: '1' },
    { name: 'packetization-mode', value: '1' },
    { name: 'profile-level-id', value: '42001f' },
  ]);
  assert.deepEqual(filterAttributes(video.attributes, 'rid'), [
    { kind: 'rid', id: 'q', direction: 'send', params: [] },
    { kind: 'rid', id: 'h', direction: 'send', params: [] },
    { kind: 'rid', id: 'f', direction: 'send', params: [] },
  ]);
  assert.deepEqual(findAttribute(video.attributes, 'simulcast'), {
    kind: 'simulcast',
    send: [
      [{ rid: 'q', paused: false }],
      [{ rid: 'h', paused: false }],
      [{ rid: 'f', paused: false }],
    ],
    recv: [],
  });

  assert.deepEqual(findAttribute(video2.attributes, 'msid'), {
    kind: 'msid',
    streamId: '-',
    trackId: '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d',
  });
  assert.deepEqual(findAttribute(video2.attributes, 'ssrc-group'), {
    kind: 'ssrc-group',
    semantics: 'FID',
    ssrcs: [1583470285, 3209462917],
  });
});

test('Firefox offer: session-level fingerprint, extmap direction, telephone-event fmtp', () => {
  const sdp = parseFixture('firefox-offer');
  assert.equal(sdp.origin.username, 'mozilla...THIS_IS_SDPARTA-132.0');
  assert.equal(sdp.origin.sessionVersion, '0');
  assert.equal(findAttribute(sdp.attributes, 'fingerprint')?.algorithm, 'sha-256');
  assert.deepEqual(findAttribute(sdp.attributes, 'ice-options')?.options, ['trickle']);
  assert.deepEqual(findAttribute(sdp.attributes, 'msid-semantic'), {
    kind: 'msid-semantic',
    semantic: 'WMS',
    identifiers: ['*'],
  });
  const [audio, video, data] = sdp.media as [
    (typeof sdp.media)[0],
    (typeof sdp.media)[0],
    (typeof sdp.media)[0],
  ];
  assert.equal(audio.port, 54609);
  assert.deepEqual(audio.connections[0], {
    netType: 'IN',
    addrType: 'IP4',
    address: '198.51.100.7',
  });
  assert.ok(hasAttribute(audio.attributes, 'end-of-candidates'));
  assert.equal(filterAttributes(audio.attributes, 'candidate').length, 3);
  assert.deepEqual(filterAttributes(audio.attributes, 'extmap')[1], {
    kind: 'extmap',
    id: 2,
    direction: 'recvonly',
    uri: 'urn:ietf:params:rtp-hdrext:csrc-audio-level',
  });
  assert.deepEqual(filterAttributes(audio.attributes, 'fmtp')[1], {
    kind: 'fmtp',
    payloadType: 101,
    parameters: [{ name: '0-15' }],
  });
  assert.deepEqual(filterAttributes(audio.attributes, 'rtpmap')[1], {
    kind: 'rtpmap',
    payloadType: 9,
    encodingName: 'G722',
    clockRate: 8000,
    channels: 1,
  });
  assert.equal(findAttribute(audio.attributes, 'rtcp')?.port, 54610);
  assert.equal(
    findAttribute(audio.attributes, 'msid')?.trackId,
    '{3c2b1a09-f8e7-4d6c-b5a4-938271605f4e}',
  );
  assert.equal(mediaDirection(sdp, video), 'recvonly');
  assert.deepEqual(findAttribute(video.attributes, 'ssrc-group')?.ssrcs, [1404719384, 3887196712]);
  assert.equal(mediaMid(data), '2');
  assert.equal(findAttribute(data.attributes, 'max-message-size')?.size, 1073741823);
});

test('ice-lite server answer: ice-lite, passive setup, bandwidth, recv simulcast with pause', () => {
  const sdp = parseFixture('ice-lite-server-answer');
  assert.equal(sdp.sessionName, 'tsrtc media server');
  assert.ok(hasAttribute(sdp.attributes, 'ice-lite'));
  assert.deepEqual(findUnknownAttribute(sdp.attributes, 'tool'), {
    kind: 'unknown',
    name: 'tool',
    value: 'example-sfu 3.2',
  });
  const [audio, video, data] = sdp.media as [
    (typeof sdp.media)[0],
    (typeof sdp.media)[0],
    (typeof sdp.media)[0],
  ];
  assert.deepEqual(audio.bandwidths, [{ type: 'AS', value: 64 }]);
  assert.deepEqual(video.bandwidths, [{ type: 'TIAS', value: 2500000 }]);
  assert.equal(findAttribute(audio.attributes, 'setup')?.role, 'passive');
  assert.deepEqual(findAttribute(audio.attributes, 'ice-options')?.options, ['renomination']);
  assert.equal(findAttribute(audio.attributes, 'fingerprint')?.algorithm, 'sha-512');
  assert.equal(findAttribute(audio.attributes, 'fingerprint')?.value.split(':').length, 64);
  assert.equal(findUnknownAttribute(audio.attributes, 'ptime')?.value, '20');
  assert.equal(mediaDirection(sdp, audio), 'recvonly');
  assert.deepEqual(filterAttributes(video.attributes, 'rid')[2], {
    kind: 'rid',
    id: 'f',
    direction: 'recv',
    params: [
      { name: 'pt', value: '96' },
      { name: 'max-width', value: '1280' },
      { name: 'max-height', value: '720' },
    ],
  });
  assert.deepEqual(findAttribute(video.attributes, 'simulcast'), {
    kind: 'simulcast',
    send: [],
    recv: [
      [{ rid: 'q', paused: false }],
      [{ rid: 'h', paused: false }],
      [{ rid: 'f', paused: true }],
    ],
  });
  const dataAttributes = data.attributes.map((a) => a.kind);
  assert.deepEqual(dataAttributes.slice(-2), ['candidate', 'end-of-candidates']);
});

test('the session-level direction applies to sections without their own', () => {
  const result = parseSdp(
    'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=inactive\r\nm=audio 9 RTP/AVP 0\r\nm=audio 9 RTP/AVP 0\r\na=sendonly\r\n',
  );
  assert.ok(result.ok);
  assert.equal(mediaDirection(result.sdp, result.sdp.media[0]!), 'inactive');
  assert.equal(mediaDirection(result.sdp, result.sdp.media[1]!), 'sendonly');
});
