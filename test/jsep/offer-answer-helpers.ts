/** Shared inputs for the offer/answer tests: a local transport and SDP text edits. */
import assert from 'node:assert/strict';
import {
  type LocalTransportParams,
  type OfferOptions,
  parseSdp,
  type SessionDescription,
  serializeSdp,
} from '../../src/jsep/index.js';

export const FINGERPRINT_256 =
  '0A:1B:2C:3D:4E:5F:60:71:82:93:A4:B5:C6:D7:E8:F9:0A:1B:2C:3D:4E:5F:60:71:82:93:A4:B5:C6:D7:E8:F9';

export function localTransport(over: Partial<LocalTransportParams> = {}): LocalTransportParams {
  return {
    iceUfrag: 'tsrtcUfr',
    icePwd: 'tsrtcPasswordOf24Chars+/',
    iceOptions: ['trickle'],
    fingerprints: [{ algorithm: 'sha-256', value: FINGERPRINT_256 }],
    candidates: [
      'candidate:1 1 udp 2130706431 10.77.0.1 50000 typ host',
      'candidate:2 1 udp 2130706175 fd77::1 50001 typ host',
    ],
    endOfCandidates: true,
    ...over,
  };
}

export const DATA = { mid: '0', sctpPort: 5000, maxMessageSize: 262144 } as const;

/** A data-only offer's options: session 1 version 1, localTransport(), actpass, DATA. */
export function offerOptions(over: Partial<OfferOptions> = {}): OfferOptions {
  return {
    sessionId: '1',
    sessionVersion: 1,
    transport: localTransport(),
    setup: 'actpass',
    data: DATA,
    ...over,
  };
}

export function parseOk(text: string): SessionDescription {
  const result = parseSdp(text);
  if (!result.ok) assert.fail(result.error);
  return result.sdp;
}

/** The model after a trip through text, as the peer will see it. */
export function reparsed(sdp: SessionDescription): SessionDescription {
  return parseOk(serializeSdp(sdp));
}

/** `text` with every line equal to `line` replaced by `replacement` (removed when undefined). */
export function replaceLine(text: string, line: string, replacement?: string): string {
  const lines = text.split('\r\n');
  assert.ok(lines.includes(line), `no line ${line}`);
  const out = lines.flatMap((l) =>
    l === line ? (replacement === undefined ? [] : [replacement]) : [l],
  );
  return out.join('\r\n');
}

/** `text` without any line starting with `prefix`. */
export function dropLines(text: string, prefix: string): string {
  const lines = text.split('\r\n');
  assert.ok(
    lines.some((l) => l.startsWith(prefix)),
    `no line starting ${prefix}`,
  );
  return lines.filter((l) => !l.startsWith(prefix)).join('\r\n');
}

/** `text` with the first line starting with `prefix` replaced (or removed when undefined). */
export function replaceFirst(text: string, prefix: string, replacement?: string): string {
  const lines = text.split('\r\n');
  const index = lines.findIndex((l) => l.startsWith(prefix));
  assert.ok(index >= 0, `no line starting ${prefix}`);
  if (replacement === undefined) lines.splice(index, 1);
  else lines[index] = replacement;
  return lines.join('\r\n');
}

/** Chrome's A/V offer with a data section (mid 3) added to the m-lines and the BUNDLE group. */
export function chromeAvDataOffer(avText: string): string {
  const data = [
    'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
    'c=IN IP4 0.0.0.0',
    'a=ice-ufrag:fw1L',
    'a=ice-pwd:z8wLGk4QZ2Yc9yTfD0pQy7sU',
    'a=ice-options:trickle',
    'a=fingerprint:sha-256 34:60:BE:31:20:1E:69:FE:DA:A0:EE:E8:B9:99:7F:5C:7C:29:99:FD:AF:E5:93:25:3C:D6:54:AF:4D:FA:D7:14',
    'a=setup:actpass',
    'a=mid:3',
    'a=sctp-port:5000',
    'a=max-message-size:262144',
    '',
  ].join('\r\n');
  return replaceLine(avText, 'a=group:BUNDLE 0 1 2', 'a=group:BUNDLE 0 1 2 3') + data;
}
