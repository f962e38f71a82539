/**
 * parseSdp: SDP text (CRLF or LF line endings) to the model. Never throws: the first line that
 * cannot be parsed is reported with its 1-based number, which is what the W3C layer needs to
 * reject setRemoteDescription with an sdp-syntax-error naming the line.
 *
 * Known lines may come in any order within their section; serializeSdp writes them back in
 * RFC 8866 order. A line of an unknown type is kept among the section's attributes.
 */
import { parseAttributeLine } from './sdp-attribute-parse.js';
import {
  canonicalBandwidthLine,
  canonicalConnectionLine,
  canonicalMediaLine,
  canonicalOriginLine,
  canonicalTimingLine,
} from './sdp-line-format.js';
import {
  parseBandwidth,
  parseConnection,
  parseMediaLine,
  parseOrigin,
  parseTiming,
} from './sdp-line-parse.js';
import type { MediaDescription, Origin, SdpAttribute, SessionDescription } from './sdp-model.js';
import { rememberOriginalText } from './sdp-original-text.js';
import { quoteLine } from './sdp-text.js';

export type ParseSdpResult =
  | { ok: true; sdp: SessionDescription }
  | {
      ok: false;
      /** Names the line: its number, its text and what is wrong with it. */
      error: string;
      /** 1-based number of the offending line (one past the last line for missing lines). */
      line: number;
    };

/** Thrown only inside this module, to unwind to parseSdp with the offending line. */
class LineError {
  constructor(
    readonly line: number,
    readonly message: string,
  ) {}
}

const LINE_TYPE = /^[A-Za-z]$/;
const FORBIDDEN_CHARS = /[\r\0]/;
const SESSION_ONLY = new Set(['v', 'o', 's', 'u', 'e', 'p', 't', 'r', 'z']);

export function parseSdp(text: string): ParseSdpResult {
  if (typeof text !== 'string') return { ok: false, error: 'SDP is not a string', line: 0 };
  const lines = splitLines(text);
  try {
    return { ok: true, sdp: new SdpReader(lines).read() };
  } catch (e) {
    if (e instanceof LineError) return { ok: false, error: e.message, line: e.line };
    // Reaching here is a bug in this parser, but bad input still must not throw out of it.
    return { ok: false, error: `SDP parser failure: ${String(e)}`, line: 0 };
  }
}

/** Splits on LF, drops the CR of CRLF and any blank lines at the very end. */
function splitLines(text: string): string[] {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.endsWith('\r')) lines[i] = line.slice(0, -1);
  }
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Reads the lines in order, filling in the session then each media section. */
class SdpReader {
  private readonly session: SessionDescription;
  private origin: Origin | undefined;
  private sessionName: string | undefined;
  private media: MediaDescription | undefined;
  /** 1-based number and text of the line being read. */
  private lineNumber = 0;
  private lineText = '';

  constructor(private readonly lines: readonly string[]) {
    this.session = {
      version: 0,
      // Filled in by the o= line; read() does not return without one (checkSessionComplete).
      origin: undefined as unknown as Origin,
      sessionName: '',
      emails: [],
      phones: [],
      bandwidths: [],
      timings: [],
      attributes: [],
      media: [],
    };
  }

  read(): SessionDescription {
    if (this.lines.length === 0) this.fail(1, '', 'missing v= line: the SDP is empty');
    for (let i = 0; i < this.lines.length; i++) {
      this.lineNumber = i + 1;
      this.lineText = this.lines[i]!;
      this.readLine(this.lineText);
    }
    this.checkSessionComplete(this.lines.length + 1, '');
    return this.session;
  }

  /** Rejects the line being read. */
  private reject(reason: string): never {
    return this.fail(this.lineNumber, this.lineText, reason);
  }

  private fail(line: number, text: string, reason: string): never {
    const where = line > this.lines.length ? 'end of input' : quoteLine(text);
    throw new LineError(line, `SDP line ${line} (${where}): ${reason}`);
  }

  private readLine(line: string): void {
    if (line.length < 2 || line[1] !== '=' || !LINE_TYPE.test(line[0]!)) {
      this.reject('not a "<type>=<value>" line');
    }
    if (FORBIDDEN_CHARS.test(line)) this.reject('line contains a CR or NUL character');
    const type = line[0]!;
    const value = line.slice(2);
    if (this.lineNumber === 1) {
      if (type !== 'v') this.reject('missing v= line: an SDP must start with "v=0"');
      if (value !== '0') this.reject('unsupported SDP version (only "v=0" exists)');
      return;
    }
    if (type === 'v') this.reject('duplicate v= line');
    if (type === 'm') {
      this.checkSessionComplete(this.lineNumber, line);
      const media = parseMediaLine(value);
      if (typeof media === 'string') this.reject(media);
      rememberOriginalText(media, canonicalMediaLine(media), line);
      this.session.media.push(media);
      this.media = media;
      return;
    }
    if (this.media === undefined) this.readSessionLine(type, value, line);
    else this.readMediaLine(this.media, type, value, line);
  }

  private readSessionLine(type: string, value: string, line: string): void {
    const s = this.session;
    switch (type) {
      case 'o': {
        if (this.origin !== undefined) this.reject('duplicate o= line');
        const origin = parseOrigin(value);
        if (typeof origin === 'string') this.reject(origin);
        rememberOriginalText(origin, canonicalOriginLine(origin), line);
        this.origin = origin;
        s.origin = origin;
        return;
      }
      case 's':
        if (this.sessionName !== undefined) this.reject('duplicate s= line');
        this.sessionName = value;
        s.sessionName = value;
        return;
      case 'i':
        if (s.information !== undefined) this.reject('duplicate i= line');
        s.information = value;
        return;
      case 'u':
        if (s.uri !== undefined) this.reject('duplicate u= line');
        s.uri = value;
        return;
      case 'e':
        s.emails.push(value);
        return;
      case 'p':
        s.phones.push(value);
        return;
      case 'c': {
        if (s.connection !== undefined) this.reject('duplicate session-level c= line');
        const connection = parseConnection(value);
        if (typeof connection === 'string') this.reject(connection);
        rememberOriginalText(connection, canonicalConnectionLine(connection), line);
        s.connection = connection;
        return;
      }
      case 'b': {
        const bandwidth = parseBandwidth(value);
        if (typeof bandwidth === 'string') this.reject(bandwidth);
        rememberOriginalText(bandwidth, canonicalBandwidthLine(bandwidth), line);
        s.bandwidths.push(bandwidth);
        return;
      }
      case 't': {
        const timing = parseTiming(value);
        if (typeof timing === 'string') this.reject(timing);
        rememberOriginalText(timing, canonicalTimingLine(timing), line);
        s.timings.push(timing);
        return;
      }
      case 'r': {
        const timing = s.timings[s.timings.length - 1];
        if (timing === undefined) this.reject('r= line before any t= line');
        timing.repeats.push(value);
        return;
      }
      case 'z':
        if (s.timeZones !== undefined) this.reject('duplicate z= line');
        s.timeZones = value;
        return;
      case 'k':
        if (s.encryptionKey !== undefined) this.reject('duplicate session-level k= line');
        s.encryptionKey = value;
        return;
      default:
        s.attributes.push(this.readAttributeOrUnknownLine(type, value, line));
    }
  }

  private readMediaLine(m: MediaDescription, type: string, value: string, line: string): void {
    if (SESSION_ONLY.has(type)) this.reject(`${type}= line is not allowed in a media section`);
    switch (type) {
      case 'i':
        if (m.information !== undefined) this.reject('duplicate i= line in media section');
        m.information = value;
        return;
      case 'c': {
        const connection = parseConnection(value);
        if (typeof connection === 'string') this.reject(connection);
        rememberOriginalText(connection, canonicalConnectionLine(connection), line);
        m.connections.push(connection);
        return;
      }
      case 'b': {
        const bandwidth = parseBandwidth(value);
        if (typeof bandwidth === 'string') this.reject(bandwidth);
        rememberOriginalText(bandwidth, canonicalBandwidthLine(bandwidth), line);
        m.bandwidths.push(bandwidth);
        return;
      }
      case 'k':
        if (m.encryptionKey !== undefined) this.reject('duplicate k= line in media section');
        m.encryptionKey = value;
        return;
      default:
        m.attributes.push(this.readAttributeOrUnknownLine(type, value, line));
    }
  }

  private readAttributeOrUnknownLine(type: string, value: string, line: string): SdpAttribute {
    if (type !== 'a') return { kind: 'unknown-line', type, value };
    const parsed = parseAttributeLine(line);
    if (!parsed.ok) this.reject(parsed.error);
    return parsed.attribute;
  }

  /** Called at the first m= line and at the end: the session part must be whole. */
  private checkSessionComplete(line: number, text: string): void {
    if (this.media !== undefined) return;
    if (this.origin === undefined) this.fail(line, text, 'missing o= line before this point');
    if (this.sessionName === undefined) this.fail(line, text, 'missing s= line before this point');
    if (this.session.timings.length === 0) {
      this.fail(line, text, 'missing t= line before this point');
    }
  }
}
