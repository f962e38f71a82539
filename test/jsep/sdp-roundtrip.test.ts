import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  findAttribute,
  parseSdp,
  type SessionDescription,
  serializeSdp,
} from '../../src/jsep/index.js';
import { FIXTURE_NAMES, loadFixture } from './fixtures.js';

function parseOk(text: string): SessionDescription {
  const result = parseSdp(text);
  if (!result.ok) assert.fail(result.error);
  return result.sdp;
}

for (const name of FIXTURE_NAMES) {
  test(`${name}: serializeSdp(parseSdp(x)) === x, byte for byte`, () => {
    const text = loadFixture(name);
    assert.equal(serializeSdp(parseOk(text)), text);
  });

  test(`${name}: LF input parses to the same model and serializes with CRLF`, () => {
    const crlf = loadFixture(name);
    const lf = crlf.replaceAll('\r\n', '\n');
    const sdp = parseOk(lf);
    assert.deepEqual(sdp, parseOk(crlf));
    assert.equal(serializeSdp(sdp), crlf);
  });

  test(`${name}: a copy of the model (no original text) serializes to an equal model`, () => {
    const sdp = parseOk(loadFixture(name));
    const copy = structuredClone(sdp);
    assert.deepEqual(parseOk(serializeSdp(copy)), sdp);
  });
}

test('input without a final line ending, or with trailing blank lines, is accepted', () => {
  const text = loadFixture('chrome-datachannel-offer');
  assert.equal(serializeSdp(parseOk(text.slice(0, -2))), text);
  assert.equal(serializeSdp(parseOk(`${text}\r\n\r\n`)), text);
});

test('non-canonical spacing and numbers round trip exactly while unchanged', () => {
  const text = [
    'v=0',
    'o=-  0123  2 IN IP4 127.0.0.1',
    's=-',
    't=0  0',
    'a=msid-semantic:  WMS  a b',
    'm=audio 09 UDP/TLS/RTP/SAVPF  111 0',
    'c=IN  IP4 0.0.0.0',
    'b=AS:064',
    'a=rtpmap:111  opus/048000/2',
    'a=fmtp:111 minptime=10; useinbandfec=1;',
    'a=rtcp-fb:111   nack  pli',
    'a=extmap:01 urn:x',
    'a=ssrc-group:FID  1 2',
    '',
  ].join('\r\n');
  const sdp = parseOk(text);
  assert.equal(serializeSdp(sdp), text);
  assert.equal(sdp.media[0]!.port, 9);
  const fmtp = findAttribute(sdp.media[0]!.attributes, 'fmtp')!;
  assert.deepEqual(fmtp.parameters, [
    { name: 'minptime', value: '10' },
    { name: 'useinbandfec', value: '1' },
  ]);
});

test('an edited field is written in canonical form, leaving the other lines as read', () => {
  const text = loadFixture('chrome-av-simulcast-offer');
  const sdp = parseOk(text);
  const audio = sdp.media[0]!;
  const fmtp = findAttribute(audio.attributes, 'fmtp')!;
  fmtp.parameters.push({ name: 'stereo', value: '1' });
  audio.port = 50000;
  sdp.origin.sessionVersion = String(BigInt(sdp.origin.sessionVersion) + 1n);
  const msidSemantic = findAttribute(sdp.attributes, 'msid-semantic')!;
  const out = serializeSdp(sdp);
  assert.ok(out.includes('\r\na=fmtp:111 minptime=10;useinbandfec=1;stereo=1\r\n'));
  assert.ok(out.includes('\r\nm=audio 50000 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126\r\n'));
  assert.ok(out.includes('\r\no=- 8143506374339215373 3 IN IP4 127.0.0.1\r\n'));
  // Unchanged, so Chrome's own spacing is kept.
  assert.ok(out.includes(`\r\na=msid-semantic: WMS ${msidSemantic.identifiers[0]}\r\n`));
  msidSemantic.identifiers = [];
  assert.ok(serializeSdp(sdp).includes('\r\na=msid-semantic:WMS\r\n'));
  // Edits undone: the text is exactly the original again.
  fmtp.parameters.pop();
  audio.port = 9;
  sdp.origin.sessionVersion = '2';
  msidSemantic.identifiers = ['6b9e6c1e-3f0d-4bde-9d3b-8a6a0f3c2e11'];
  assert.equal(serializeSdp(sdp), text);
});

test('lines come out in RFC 8866 order whatever order they were read in', () => {
  const text = [
    'v=0',
    'a=ice-lite',
    't=0 0',
    'c=IN IP4 192.0.2.1',
    's=-',
    'o=- 1 1 IN IP4 192.0.2.1',
    'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
    'a=mid:0',
    'b=AS:30',
    'c=IN IP4 0.0.0.0',
    'i=data',
    '',
  ].join('\r\n');
  assert.equal(
    serializeSdp(parseOk(text)),
    [
      'v=0',
      'o=- 1 1 IN IP4 192.0.2.1',
      's=-',
      'c=IN IP4 192.0.2.1',
      't=0 0',
      'a=ice-lite',
      'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
      'i=data',
      'c=IN IP4 0.0.0.0',
      'b=AS:30',
      'a=mid:0',
      '',
    ].join('\r\n'),
  );
});

test('every RFC 8866 line type round trips, unknown line types and attributes in place', () => {
  const text = [
    'v=0',
    'o=jdoe 3724394400 3724394405 IN IP4 198.51.100.1',
    's=Call to John Smith',
    'i=SDP Offer #1',
    'u=http://www.jdoe.example.com/home.html',
    'e=Jane Doe <jane@jdoe.example.com>',
    'e=jane@example.org',
    'p=+1 617 555-6011',
    'c=IN IP4 198.51.100.1',
    'b=CT:128',
    't=3724394400 3724398000',
    'r=604800 3600 0 90000',
    't=0 0',
    'z=2882844526 -1h 2898848070 0',
    'k=clear:secret',
    'a=recvonly',
    'x=an unknown line type',
    'a=x-custom:with: colons and  spaces ',
    'a=flag-only',
    'm=audio 49170/2 RTP/AVP 0',
    'i=the audio',
    'c=IN IP4 233.252.0.1/127/2',
    'c=IN IP6 ff15::101/3',
    'b=AS:64',
    'k=prompt',
    'a=rtpmap:0 PCMU/8000',
    'y=another unknown line',
    'a=ptime:20',
    'm=video 51372 RTP/AVP 99',
    'a=rtpmap:99 h263-1998/90000',
    '',
  ].join('\r\n');
  const sdp = parseOk(text);
  assert.equal(serializeSdp(sdp), text);
  assert.equal(sdp.information, 'SDP Offer #1');
  assert.deepEqual(sdp.emails, ['Jane Doe <jane@jdoe.example.com>', 'jane@example.org']);
  assert.deepEqual(sdp.timings, [
    { start: 3724394400, stop: 3724398000, repeats: ['604800 3600 0 90000'] },
    { start: 0, stop: 0, repeats: [] },
  ]);
  assert.deepEqual(sdp.attributes.slice(1), [
    { kind: 'unknown-line', type: 'x', value: 'an unknown line type' },
    { kind: 'unknown', name: 'x-custom', value: 'with: colons and  spaces ' },
    { kind: 'unknown', name: 'flag-only' },
  ]);
  const audio = sdp.media[0]!;
  assert.equal(audio.numPorts, 2);
  assert.equal(audio.connections.length, 2);
  assert.equal(audio.connections[0]!.address, '233.252.0.1/127/2');
  assert.equal(audio.encryptionKey, 'prompt');
  assert.deepEqual(audio.attributes[1], {
    kind: 'unknown-line',
    type: 'y',
    value: 'another unknown line',
  });
});
