import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseSdp, type SessionDescription, serializeSdp } from '../../src/jsep/index.js';
import { FIXTURE_NAMES, loadFixture } from './fixtures.js';

const FIXTURES = FIXTURE_NAMES.map(loadFixture);
const SEED = 0x5d9;

/** What every parse must look like: a model, or an error naming a line that exists or is next. */
function checkResult(text: string): SessionDescription | undefined {
  const result = parseSdp(text);
  if (!result.ok) {
    assert.equal(typeof result.error, 'string');
    assert.ok(result.error.length > 0);
    const lines = text.split('\n').length;
    assert.ok(Number.isInteger(result.line) && result.line >= 1 && result.line <= lines + 1);
    return undefined;
  }
  return result.sdp;
}

/** A parsed model must serialize to text that parses back to it, with or without original text. */
function checkReserialization(sdp: SessionDescription): void {
  const text = serializeSdp(sdp);
  const again = parseSdp(text);
  if (!again.ok) assert.fail(`serialized model does not parse: ${again.error}`);
  assert.deepEqual(again.sdp, sdp);
  assert.equal(serializeSdp(again.sdp), text);
  const canonical = parseSdp(serializeSdp(structuredClone(sdp)));
  if (!canonical.ok) assert.fail(`canonical form does not parse: ${canonical.error}`);
  assert.deepEqual(canonical.sdp, sdp);
}

test('random text never throws and gives a well-formed result', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
      checkResult(text);
    }),
    { seed: SEED, numRuns: 1000 },
  );
});

/** Lines shaped like SDP: real types and attribute names, values from a small SDP alphabet. */
const sdpishValue = fc.string({
  unit: fc.constantFrom(...'0123456789 abcIN/:;=~,*-.'.split('')),
  maxLength: 24,
});
const sdpishLine = fc.oneof(
  fc
    .tuple(fc.constantFrom(...'vosiuepcbtrzkamx'.split('')), sdpishValue)
    .map(([t, v]) => `${t}=${v}`),
  fc
    .tuple(
      fc.constantFrom(
        'group',
        'mid',
        'ice-ufrag',
        'ice-pwd',
        'ice-options',
        'fingerprint',
        'setup',
        'sctp-port',
        'max-message-size',
        'msid',
        'msid-semantic',
        'rtpmap',
        'fmtp',
        'rtcp-fb',
        'extmap',
        'ssrc',
        'ssrc-group',
        'rid',
        'simulcast',
        'rtcp',
        'candidate',
        'rtcp-mux',
        'sendrecv',
        'ice-lite',
        'x-unknown',
      ),
      fc.option(sdpishValue, { nil: undefined }),
    )
    .map(([name, value]) => (value === undefined ? `a=${name}` : `a=${name}:${value}`)),
);
const header = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';

test('random SDP-shaped lines never throw; whatever parses re-serializes to the same model', () => {
  const outcomes = [0, 0];
  fc.assert(
    fc.property(
      fc.array(sdpishLine, { maxLength: 30 }),
      fc.nat({ max: 3 }).map((n) => n > 0),
      (lines, withHeader) => {
        const text = (withHeader ? header : '') + lines.map((l) => `${l}\r\n`).join('');
        const sdp = checkResult(text);
        if (sdp !== undefined) checkReserialization(sdp);
        outcomes[sdp === undefined ? 1 : 0]++;
      },
    ),
    { seed: SEED, numRuns: 1500 },
  );
  assert.ok(outcomes[0]! > 100 && outcomes[1]! > 100, `parsed/rejected: ${outcomes.join('/')}`);
});

type Mutation =
  | { op: 'delete-char' | 'insert-char' | 'replace-char'; at: number; char: string }
  | { op: 'delete-line' | 'duplicate-line' | 'truncate'; at: number }
  | { op: 'swap-lines'; at: number; other: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    op: fc.constantFrom('delete-char' as const, 'insert-char' as const, 'replace-char' as const),
    at: fc.nat(),
    char: fc.constantFrom(...' :/=;~,\r\n\0x0-9a'.split('')),
  }),
  fc.record({
    op: fc.constantFrom('delete-line' as const, 'duplicate-line' as const, 'truncate' as const),
    at: fc.nat(),
  }),
  fc.record({ op: fc.constant('swap-lines' as const), at: fc.nat(), other: fc.nat() }),
);

function applyMutation(text: string, m: Mutation): string {
  if (m.op === 'delete-char' || m.op === 'insert-char' || m.op === 'replace-char') {
    const at = m.at % (text.length + 1);
    const keepFrom = m.op === 'insert-char' ? at : at + 1;
    return text.slice(0, at) + (m.op === 'delete-char' ? '' : m.char) + text.slice(keepFrom);
  }
  if (m.op === 'truncate') return text.slice(0, m.at % (text.length + 1));
  const lines = text.split('\r\n');
  const at = m.at % lines.length;
  if (m.op === 'delete-line') lines.splice(at, 1);
  else if (m.op === 'duplicate-line') lines.splice(at, 0, lines[at]!);
  else if (m.op === 'swap-lines') {
    const other = m.other % lines.length;
    [lines[at], lines[other]] = [lines[other]!, lines[at]!];
  }
  return lines.join('\r\n');
}

test('random mutations of the fixtures either parse or return an error value', () => {
  const outcomes = [0, 0];
  fc.assert(
    fc.property(
      fc.nat({ max: FIXTURES.length - 1 }),
      fc.array(mutation, { minLength: 1, maxLength: 4 }),
      (index, mutations) => {
        const text = mutations.reduce(applyMutation, FIXTURES[index]!);
        const sdp = checkResult(text);
        if (sdp !== undefined) checkReserialization(sdp);
        outcomes[sdp === undefined ? 1 : 0]++;
      },
    ),
    { seed: SEED, numRuns: 1000 },
  );
  // Both paths must have been exercised for the property to mean anything.
  assert.ok(outcomes[0]! > 100 && outcomes[1]! > 100, `parsed/rejected: ${outcomes.join('/')}`);
});
