import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  formatAttributeLine,
  parseAttributeLine,
  type SdpAttribute,
} from '../../src/jsep/index.js';

/** Canonical lines with the typed form each parses to; a copy must format back to the line. */
const CANONICAL: [string, SdpAttribute][] = [
  ['a=group:BUNDLE 0 1 data', { kind: 'group', semantics: 'BUNDLE', mids: ['0', '1', 'data'] }],
  ['a=group:BUNDLE', { kind: 'group', semantics: 'BUNDLE', mids: [] }],
  ['a=group:LS a1 v1', { kind: 'group', semantics: 'LS', mids: ['a1', 'v1'] }],
  ['a=mid:audio', { kind: 'mid', mid: 'audio' }],
  ['a=ice-ufrag:F7gI', { kind: 'ice-ufrag', ufrag: 'F7gI' }],
  ['a=ice-pwd:x9cml/YzichV2+XlhiMu8g', { kind: 'ice-pwd', password: 'x9cml/YzichV2+XlhiMu8g' }],
  ['a=ice-options:trickle ice2', { kind: 'ice-options', options: ['trickle', 'ice2'] }],
  ['a=ice-lite', { kind: 'ice-lite' }],
  [
    'a=fingerprint:sha-1 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB',
    {
      kind: 'fingerprint',
      algorithm: 'sha-1',
      value: '4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB',
    },
  ],
  ['a=setup:actpass', { kind: 'setup', role: 'actpass' }],
  ['a=setup:active', { kind: 'setup', role: 'active' }],
  ['a=setup:passive', { kind: 'setup', role: 'passive' }],
  ['a=setup:holdconn', { kind: 'setup', role: 'holdconn' }],
  ['a=sctp-port:5000', { kind: 'sctp-port', port: 5000 }],
  ['a=max-message-size:0', { kind: 'max-message-size', size: 0 }],
  ['a=msid:stream', { kind: 'msid', streamId: 'stream' }],
  ['a=msid:stream track', { kind: 'msid', streamId: 'stream', trackId: 'track' }],
  ['a=msid-semantic:WMS *', { kind: 'msid-semantic', semantic: 'WMS', identifiers: ['*'] }],
  [
    'a=rtpmap:96 VP8/90000',
    { kind: 'rtpmap', payloadType: 96, encodingName: 'VP8', clockRate: 90000 },
  ],
  [
    'a=rtpmap:111 opus/48000/2',
    { kind: 'rtpmap', payloadType: 111, encodingName: 'opus', clockRate: 48000, channels: 2 },
  ],
  [
    'a=fmtp:97 apt=96',
    { kind: 'fmtp', payloadType: 97, parameters: [{ name: 'apt', value: '96' }] },
  ],
  ['a=fmtp:97', { kind: 'fmtp', payloadType: 97, parameters: [] }],
  [
    'a=fmtp:100 x-google-start-bitrate=800;0-15;a=b=c',
    {
      kind: 'fmtp',
      payloadType: 100,
      parameters: [
        { name: 'x-google-start-bitrate', value: '800' },
        { name: '0-15' },
        { name: 'a', value: 'b=c' },
      ],
    },
  ],
  ['a=rtcp-fb:* nack', { kind: 'rtcp-fb', payloadType: '*', type: 'nack' }],
  [
    'a=rtcp-fb:96 ccm tmmbr smaxpr=120',
    { kind: 'rtcp-fb', payloadType: 96, type: 'ccm', parameter: 'tmmbr smaxpr=120' },
  ],
  [
    'a=extmap:14 urn:ietf:params:rtp-hdrext:toffset',
    { kind: 'extmap', id: 14, uri: 'urn:ietf:params:rtp-hdrext:toffset' },
  ],
  [
    'a=extmap:4096/sendonly urn:x:y ext-attr',
    { kind: 'extmap', id: 4096, direction: 'sendonly', uri: 'urn:x:y', attributes: 'ext-attr' },
  ],
  ['a=extmap-allow-mixed', { kind: 'extmap-allow-mixed' }],
  [
    'a=ssrc:4294967295 cname:a:b c',
    { kind: 'ssrc', ssrc: 4294967295, attribute: 'cname', value: 'a:b c' },
  ],
  ['a=ssrc:0 label', { kind: 'ssrc', ssrc: 0, attribute: 'label' }],
  ['a=ssrc-group:SIM 1 2 3', { kind: 'ssrc-group', semantics: 'SIM', ssrcs: [1, 2, 3] }],
  ['a=rid:1 send', { kind: 'rid', id: '1', direction: 'send', params: [] }],
  [
    'a=rid:hi_res recv pt=96,97;max-fps=30;depend=lo',
    {
      kind: 'rid',
      id: 'hi_res',
      direction: 'recv',
      params: [
        { name: 'pt', value: '96,97' },
        { name: 'max-fps', value: '30' },
        { name: 'depend', value: 'lo' },
      ],
    },
  ],
  [
    'a=simulcast:send 1,~4;2;3 recv c',
    {
      kind: 'simulcast',
      send: [
        [
          { rid: '1', paused: false },
          { rid: '4', paused: true },
        ],
        [{ rid: '2', paused: false }],
        [{ rid: '3', paused: false }],
      ],
      recv: [[{ rid: 'c', paused: false }]],
    },
  ],
  ['a=rtcp:53020', { kind: 'rtcp', port: 53020 }],
  [
    'a=rtcp:53020 IN IP6 2001:db8::1',
    {
      kind: 'rtcp',
      port: 53020,
      connection: { netType: 'IN', addrType: 'IP6', address: '2001:db8::1' },
    },
  ],
  ['a=rtcp-mux', { kind: 'rtcp-mux' }],
  ['a=rtcp-mux-only', { kind: 'rtcp-mux-only' }],
  ['a=rtcp-rsize', { kind: 'rtcp-rsize' }],
  ['a=bundle-only', { kind: 'bundle-only' }],
  [
    'a=candidate:1 1 UDP 2130706431 10.0.1.1 8998 typ host',
    { kind: 'candidate', candidate: 'candidate:1 1 UDP 2130706431 10.0.1.1 8998 typ host' },
  ],
  ['a=end-of-candidates', { kind: 'end-of-candidates' }],
  ['a=sendrecv', { kind: 'direction', direction: 'sendrecv' }],
  ['a=sendonly', { kind: 'direction', direction: 'sendonly' }],
  ['a=recvonly', { kind: 'direction', direction: 'recvonly' }],
  ['a=inactive', { kind: 'direction', direction: 'inactive' }],
  ['a=ptime:20', { kind: 'unknown', name: 'ptime', value: '20' }],
  ['a=x-flag', { kind: 'unknown', name: 'x-flag' }],
  ['a=x-empty:', { kind: 'unknown', name: 'x-empty', value: '' }],
];

for (const [line, expected] of CANONICAL) {
  test(`${line} parses to its typed form and a built copy formats back`, () => {
    const parsed = parseAttributeLine(line);
    if (!parsed.ok) assert.fail(parsed.error);
    assert.deepEqual(parsed.attribute, expected);
    assert.equal(formatAttributeLine(structuredClone(expected)), line);
  });
}

test('the recv-first simulcast form and other non-canonical forms keep their text while unchanged', () => {
  for (const line of [
    'a=simulcast:recv 1;2 send 3',
    'a=group:BUNDLE  0   1',
    'a=rtpmap:096 VP8/90000',
    'a=fmtp:111 minptime=10; useinbandfec=1',
    'a=extmap:3 urn:x  spaced  attrs',
  ]) {
    const parsed = parseAttributeLine(line);
    if (!parsed.ok) assert.fail(parsed.error);
    assert.equal(formatAttributeLine(parsed.attribute), line);
  }
});

test('a candidate value given without the prefix is still written as a=candidate:', () => {
  assert.equal(
    formatAttributeLine({ kind: 'candidate', candidate: '1 1 udp 1 192.0.2.1 9 typ host' }),
    'a=candidate:1 1 udp 1 192.0.2.1 9 typ host',
  );
});

const MALFORMED: string[] = [
  'a=',
  'a=:value',
  'a=bad name:1',
  'a=ice-lite:yes',
  'a=rtcp-mux:1',
  'a=sendrecv:x',
  'a=group',
  'a=group:',
  'a=mid:',
  'a=mid:a b',
  'a=ice-ufrag:',
  'a=ice-pwd',
  'a=ice-options:',
  'a=fingerprint:sha-256',
  'a=fingerprint:sha-256 XY:00',
  'a=fingerprint:sha-256 AB:CD:',
  'a=setup:client',
  'a=sctp-port:65536',
  'a=sctp-port:x',
  'a=max-message-size:-1',
  'a=msid:',
  'a=msid:a b c',
  'a=msid-semantic:',
  'a=rtpmap:111',
  'a=rtpmap:111 opus',
  'a=rtpmap:128 opus/48000',
  'a=rtpmap:x opus/48000',
  'a=rtpmap:111 opus/0',
  'a=rtpmap:111 opus/48000/0',
  'a=rtpmap:111 opus/48000/2/1',
  'a=rtpmap:111 /48000',
  'a=rtpmap:111 opus/48000 extra',
  'a=fmtp:',
  'a=fmtp:abc x=1',
  'a=rtcp-fb:96',
  'a=rtcp-fb:200 nack',
  'a=extmap:0 urn:x',
  'a=extmap:256 urn:x',
  'a=extmap:1/sideways urn:x',
  'a=extmap:1',
  'a=ssrc:1',
  'a=ssrc:4294967296 cname:x',
  'a=ssrc:1 :x',
  'a=ssrc-group:FID',
  'a=ssrc-group:FID 1 x',
  'a=rid:1',
  'a=rid:1 both',
  'a=rid:a.b send',
  'a=simulcast:',
  'a=simulcast:send',
  'a=simulcast:sideways 1',
  'a=simulcast:send 1 send 2',
  'a=simulcast:send 1;;2',
  'a=simulcast:send ~',
  'a=rtcp:',
  'a=rtcp:9 IN IP4',
  'a=rtcp:70000',
  'a=candidate:',
  'a=candidate',
  'mid:0',
  'a=mid:0\r\nx',
];

for (const line of MALFORMED) {
  test(`${JSON.stringify(line)} is rejected with a reason`, () => {
    const parsed = parseAttributeLine(line);
    assert.equal(parsed.ok, false);
    if (!parsed.ok) assert.ok(parsed.error.length > 0);
  });
}
