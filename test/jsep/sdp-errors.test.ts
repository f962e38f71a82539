import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSdp } from '../../src/jsep/index.js';
import { loadFixture } from './fixtures.js';

const FIXTURE = loadFixture('chrome-av-simulcast-offer');
const LINES = FIXTURE.split('\r\n').slice(0, -1);

/** 1-based number of the first fixture line starting with `prefix`. */
function lineOf(prefix: string): number {
  const index = LINES.findIndex((l) => l.startsWith(prefix));
  assert.ok(index >= 0, `fixture has no line starting ${prefix}`);
  return index + 1;
}

/** The fixture with line `n` (1-based) replaced by `replacement` (or removed when undefined). */
function withLine(n: number, replacement: string | undefined): string {
  const lines = [...LINES];
  if (replacement === undefined) lines.splice(n - 1, 1);
  else lines[n - 1] = replacement;
  return `${lines.join('\r\n')}\r\n`;
}

function assertRejected(text: string, line: number, reason: RegExp, shown?: string): void {
  const result = parseSdp(text);
  if (result.ok) assert.fail('parsed, but should have been rejected');
  assert.equal(result.line, line, result.error);
  assert.match(result.error, new RegExp(`^SDP line ${line} `));
  assert.match(result.error, reason);
  if (shown !== undefined) assert.ok(result.error.includes(JSON.stringify(shown)), result.error);
}

test('missing v= line: the first line names it', () => {
  assertRejected(withLine(1, undefined), 1, /missing v= line/, LINES[1]);
  assertRejected('', 1, /missing v= line/);
  assertRejected('\r\n\r\n', 1, /missing v= line/);
  assertRejected(withLine(1, 'v=1'), 1, /version/, 'v=1');
});

test('bad m= lines', () => {
  const n = lineOf('m=video');
  for (const bad of [
    'm=video',
    'm=video 9',
    'm=video 9 UDP/TLS/RTP/SAVPF 96 x',
    'm=video 9 UDP/TLS/RTP/SAVPF 96 128',
    'm=video 9 UDP//RTP 96',
    'm=vi(deo 9 RTP/AVP 96',
    'm=application 9 UDP/DTLS/SCTP web(rtc',
  ]) {
    assertRejected(withLine(n, bad), n, /^SDP line \d+ .*: m= /, bad);
  }
});

test('bad ports: m=, a=rtcp, a=sctp-port', () => {
  const m = lineOf('m=video');
  for (const bad of [
    'm=video 65536 UDP/TLS/RTP/SAVPF 96',
    'm=video -1 UDP/TLS/RTP/SAVPF 96',
    'm=video x UDP/TLS/RTP/SAVPF 96',
    'm=video 9/0 UDP/TLS/RTP/SAVPF 96',
    'm=video 9/ UDP/TLS/RTP/SAVPF 96',
  ]) {
    assertRejected(withLine(m, bad), m, /port/, bad);
  }
  const rtcp = lineOf('a=rtcp:');
  assertRejected(withLine(rtcp, 'a=rtcp:99999 IN IP4 0.0.0.0'), rtcp, /a=rtcp port/);
  const data = loadFixture('chrome-datachannel-offer').split('\r\n');
  const sctp = data.findIndex((l) => l.startsWith('a=sctp-port:')) + 1;
  data[sctp - 1] = 'a=sctp-port:port';
  assertRejected(data.join('\r\n'), sctp, /a=sctp-port/, 'a=sctp-port:port');
});

test('bad rtpmap lines', () => {
  const n = lineOf('a=rtpmap:96 ');
  for (const bad of [
    'a=rtpmap:96',
    'a=rtpmap:96 VP8',
    'a=rtpmap:96 VP8/',
    'a=rtpmap:96 VP8/ninety',
    'a=rtpmap:1000 VP8/90000',
    'a=rtpmap: VP8/90000',
    'a=rtpmap:96 VP8/90000/2/2',
  ]) {
    assertRejected(withLine(n, bad), n, /a=rtpmap/, bad);
  }
});

test('garbage lines, anywhere', () => {
  for (const n of [2, lineOf('a=group'), lineOf('m=audio') + 1, LINES.length]) {
    for (const bad of [
      'garbage',
      'hello world',
      '=x',
      'ab=c',
      '1=2',
      ' a=mid:0',
      'a:mid=0',
      '\u00e9=x',
      'a',
    ]) {
      assertRejected(withLine(n, bad), n, /not a "<type>=<value>" line/);
    }
  }
});

test('a blank line, a stray CR or a NUL inside the description is rejected', () => {
  const n = lineOf('a=mid:1');
  assertRejected(withLine(n, ''), n, /not a "<type>=<value>" line/);
  assertRejected(withLine(n, 'a=mid:1\rx'), n, /CR or NUL/);
  assertRejected(withLine(n, 'a=mid:1\0'), n, /CR or NUL/);
});

test('truncated descriptions: each cut names the first line that cannot be complete', () => {
  // Cut inside a line: the partial line itself is the error.
  const origin = 'o=- 8143506374339215373 2 IN IP4 127.0.0.1';
  assertRejected(`v=0\r\n${origin.slice(0, 20)}`, 2, /o= needs/);
  assertRejected(
    FIXTURE.slice(0, FIXTURE.indexOf('a=rtpmap:111') + 'a=rtpmap:111 op'.length),
    lineOf('a=rtpmap:111'),
    /a=rtpmap/,
  );
  assertRejected(
    FIXTURE.slice(0, FIXTURE.indexOf('a=fingerprint') + 'a=fingerprint:sha-256 34:6'.length),
    lineOf('a=fingerprint'),
    /a=fingerprint/,
  );
  // Cut at a line end before the session part is whole: one past the last line.
  assertRejected('v=0\r\n', 2, /missing o= line/);
  assertRejected(`v=0\r\n${origin}\r\n`, 3, /missing s= line/);
  assertRejected(`v=0\r\n${origin}\r\ns=-\r\n`, 4, /missing t= line/);
  assertRejected(`v=0\r\n${origin}\r\ns=-\r\n`, 4, /end of input/);
  // A media section reached before the session part is whole.
  assertRejected(
    `v=0\r\n${origin}\r\ns=-\r\nm=audio 9 RTP/AVP 0\r\n`,
    4,
    /missing t= line/,
    'm=audio 9 RTP/AVP 0',
  );
});

test('every prefix of a fixture either parses or names a line inside or just past it', () => {
  for (let cut = 0; cut < FIXTURE.length; cut += 7) {
    const text = FIXTURE.slice(0, cut);
    const result = parseSdp(text);
    if (result.ok) continue;
    const lineCount = text.split('\n').length;
    assert.ok(result.line >= 1 && result.line <= lineCount + 1, `${result.line} at cut ${cut}`);
  }
});

test('duplicated single lines and session-only lines in a media section', () => {
  assertRejected(withLine(2, 'v=0'), 2, /duplicate v= line/);
  assertRejected(withLine(4, LINES[1]), 4, /duplicate o= line/);
  assertRejected(withLine(4, 's=again'), 4, /duplicate s= line/);
  const n = lineOf('m=audio') + 1;
  for (const type of ['o', 's', 't', 'r', 'z', 'u', 'e', 'p']) {
    assertRejected(withLine(n, `${type}=x`), n, /not allowed in a media section/);
  }
  assertRejected(withLine(3, 'r=7d 1h 0 25h'), 3, /r= line before any t= line/);
});

test('malformed values of other lines and attributes name their line', () => {
  const cases: [string, string, RegExp][] = [
    ['o=', 'o=- 1 2 IN IP4', /o= needs/],
    ['c=IN IP4 0.0.0.0', 'c=IN IP4', /c= needs/],
    ['t=', 't=0', /t= needs/],
    ['t=', 't=now later', /t= times/],
    ['a=setup', 'a=setup:server', /a=setup must be/],
    ['a=extmap:1 ', 'a=extmap:15x urn:x', /a=extmap id/],
    ['a=fmtp:97', 'a=fmtp:x apt=96', /a=fmtp payload type/],
    ['a=rtcp-fb:96 goog', 'a=rtcp-fb:96', /a=rtcp-fb/],
    ['a=ssrc:', 'a=ssrc:big cname:x', /a=ssrc id/],
    ['a=ssrc-group', 'a=ssrc-group:FID', /a=ssrc-group/],
    ['a=rid:q', 'a=rid:q sideways', /a=rid direction/],
    ['a=simulcast', 'a=simulcast:send q;;f', /a=simulcast stream list/],
    ['a=msid:', 'a=msid:a b c', /a=msid/],
    ['a=rtcp-mux', 'a=rtcp-mux:yes', /takes no value/],
    ['a=sendonly', 'a=sendonly:1', /takes no value/],
    ['a=mid:', 'a=mid', /needs a value/],
    ['a=mid:', 'a=:0', /attribute name/],
  ];
  for (const [prefix, bad, reason] of cases) {
    const n = lineOf(prefix);
    assertRejected(withLine(n, bad), n, reason, bad);
  }
  assertRejected(withLine(lineOf('m=audio') + 2, 'b=AS'), lineOf('m=audio') + 2, /b= needs/);
  assertRejected(
    withLine(lineOf('m=audio') + 2, 'b=AS:fast'),
    lineOf('m=audio') + 2,
    /b= bandwidth/,
  );
});

test('long lines are cut short in the message', () => {
  const n = lineOf('a=rtpmap:96 ');
  const result = parseSdp(withLine(n, `a=rtpmap:96 ${'x'.repeat(500)}`));
  assert.ok(!result.ok);
  assert.equal(result.line, n);
  assert.ok(result.error.length < 200);
});

test('a value that is not a string is an error, not an exception', () => {
  for (const value of [undefined, null, 42, {}, []]) {
    const result = parseSdp(value as unknown as string);
    assert.equal(result.ok, false);
  }
});
