/**
 * Parses a= lines into their typed form. Known attributes are checked against
 * their grammar (a malformed rtpmap is an error, not an unknown attribute); any other name is
 * kept as an UnknownAttribute.
 */
import { canonicalAttributeLine } from './sdp-attribute-format.js';
import type {
  Connection,
  Direction,
  ExtmapAttribute,
  FlagAttributeName,
  SdpAttribute,
  SdpParameter,
  SimulcastAttribute,
  SimulcastRid,
} from './sdp-model.js';
import { rememberOriginalText } from './sdp-original-text.js';
import { isToken, parseInteger, splitFields, splitFirstField, trimBlanks } from './sdp-text.js';

/** A typed attribute, or the reason its value does not parse. */
export type AttributeParseResult =
  | { ok: true; attribute: SdpAttribute }
  | { ok: false; error: string };

type ValueParser = (value: string) => SdpAttribute | string;

const LINE_BREAK_OR_NUL = /[\r\n\0]/;
const MAX_UINT32 = 0xffffffff;
const RID_ID = /^[A-Za-z0-9_-]+$/;
const FINGERPRINT_HEX = /^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2})*$/;

const FLAGS: ReadonlySet<string> = new Set<FlagAttributeName>([
  'ice-lite',
  'rtcp-mux',
  'rtcp-mux-only',
  'rtcp-rsize',
  'end-of-candidates',
  'extmap-allow-mixed',
  'bundle-only',
]);

const DIRECTIONS: ReadonlySet<string> = new Set<Direction>([
  'sendrecv',
  'sendonly',
  'recvonly',
  'inactive',
]);

/**
 * Parses a= line content split at its first ":" (value undefined when there is no ":").
 * Never throws.
 */
export function parseAttribute(name: string, value: string | undefined): AttributeParseResult {
  const parsed = parseKnownOrUnknown(name, value);
  return typeof parsed === 'string'
    ? { ok: false, error: parsed }
    : { ok: true, attribute: parsed };
}

/**
 * Parses one attribute line ("a=mid:0", "a=end-of-candidates"), on its own or from a whole
 * description. A trailing CR/LF is tolerated. Never throws.
 */
export function parseAttributeLine(line: string): AttributeParseResult {
  if (typeof line !== 'string') return { ok: false, error: 'attribute is not a string' };
  let text = line;
  if (text.endsWith('\n')) text = text.slice(0, -1);
  if (text.endsWith('\r')) text = text.slice(0, -1);
  if (!text.startsWith('a=')) {
    return { ok: false, error: 'attribute line does not start with "a="' };
  }
  if (LINE_BREAK_OR_NUL.test(text)) {
    return { ok: false, error: 'attribute line contains a CR, LF or NUL character' };
  }
  const colon = text.indexOf(':');
  const name = colon < 0 ? text.slice(2) : text.slice(2, colon);
  if (!isToken(name)) return { ok: false, error: 'attribute name is missing or not a token' };
  const result = parseAttribute(name, colon < 0 ? undefined : text.slice(colon + 1));
  if (result.ok) {
    rememberOriginalText(result.attribute, canonicalAttributeLine(result.attribute), text);
  }
  return result;
}

function parseKnownOrUnknown(name: string, value: string | undefined): SdpAttribute | string {
  if (FLAGS.has(name) || DIRECTIONS.has(name)) {
    if (value !== undefined) return `a=${name} takes no value`;
    return DIRECTIONS.has(name)
      ? { kind: 'direction', direction: name as Direction }
      : ({ kind: name } as SdpAttribute);
  }
  const parser = VALUE_PARSERS.get(name);
  if (parser === undefined)
    return value === undefined ? { kind: 'unknown', name } : { kind: 'unknown', name, value };
  if (value === undefined) return `a=${name} needs a value`;
  return parser(value);
}

function parsePayloadType(text: string): number | undefined {
  return parseInteger(text, 0, 127);
}

/** Splits "a;b=c;d" into ordered parameters, skipping empty entries. */
function parseParameterList(text: string): SdpParameter[] {
  const parameters: SdpParameter[] = [];
  for (const entry of text.split(';')) {
    const trimmed = trimBlanks(entry);
    if (trimmed === '') continue;
    const eq = trimmed.indexOf('=');
    if (eq < 0) parameters.push({ name: trimmed });
    else {
      parameters.push({
        name: trimBlanks(trimmed.slice(0, eq)),
        value: trimBlanks(trimmed.slice(eq + 1)),
      });
    }
  }
  return parameters;
}

function parseGroup(value: string): SdpAttribute | string {
  const [semantics, ...mids] = splitFields(value);
  if (semantics === undefined || !isToken(semantics)) return 'a=group needs a semantics token';
  return { kind: 'group', semantics, mids };
}

function parseSingleField(value: string): string | undefined {
  const fields = splitFields(value);
  return fields.length === 1 ? fields[0] : undefined;
}

function parseMid(value: string): SdpAttribute | string {
  const mid = parseSingleField(value);
  return mid === undefined ? 'a=mid needs one identifier' : { kind: 'mid', mid };
}

function parseIceUfrag(value: string): SdpAttribute | string {
  const ufrag = parseSingleField(value);
  return ufrag === undefined ? 'a=ice-ufrag needs one value' : { kind: 'ice-ufrag', ufrag };
}

function parseIcePwd(value: string): SdpAttribute | string {
  const password = parseSingleField(value);
  return password === undefined ? 'a=ice-pwd needs one value' : { kind: 'ice-pwd', password };
}

function parseIceOptions(value: string): SdpAttribute | string {
  const options = splitFields(value);
  return options.length === 0 ? 'a=ice-options needs an option' : { kind: 'ice-options', options };
}

function parseFingerprint(value: string): SdpAttribute | string {
  const fields = splitFields(value);
  if (fields.length !== 2 || !isToken(fields[0]!)) {
    return 'a=fingerprint needs a hash function and a value';
  }
  if (!FINGERPRINT_HEX.test(fields[1]!)) return 'a=fingerprint value is not hex pairs';
  return { kind: 'fingerprint', algorithm: fields[0]!, value: fields[1]! };
}

function parseSetup(value: string): SdpAttribute | string {
  const role = trimBlanks(value);
  if (role !== 'actpass' && role !== 'active' && role !== 'passive' && role !== 'holdconn') {
    return 'a=setup must be actpass, active, passive or holdconn';
  }
  return { kind: 'setup', role };
}

function parseSctpPort(value: string): SdpAttribute | string {
  const port = parseInteger(trimBlanks(value), 0, 65535);
  return port === undefined ? 'a=sctp-port is not a port' : { kind: 'sctp-port', port };
}

function parseMaxMessageSize(value: string): SdpAttribute | string {
  const size = parseInteger(trimBlanks(value), 0, Number.MAX_SAFE_INTEGER);
  return size === undefined
    ? 'a=max-message-size is not a size'
    : { kind: 'max-message-size', size };
}

function parseMsid(value: string): SdpAttribute | string {
  const fields = splitFields(value);
  if (fields.length === 1) return { kind: 'msid', streamId: fields[0]! };
  if (fields.length === 2) return { kind: 'msid', streamId: fields[0]!, trackId: fields[1]! };
  return 'a=msid needs a stream id and at most one track id';
}

function parseMsidSemantic(value: string): SdpAttribute | string {
  const [semantic, ...identifiers] = splitFields(value);
  if (semantic === undefined) return 'a=msid-semantic needs a semantic';
  return { kind: 'msid-semantic', semantic, identifiers };
}

function parseRtpmap(value: string): SdpAttribute | string {
  const fields = splitFields(value);
  if (fields.length !== 2) return 'a=rtpmap needs "<payload type> <encoding>/<clock rate>"';
  const payloadType = parsePayloadType(fields[0]!);
  if (payloadType === undefined) return 'a=rtpmap payload type is not 0-127';
  const parts = fields[1]!.split('/');
  if (parts.length < 2 || parts.length > 3 || parts[0] === '') {
    return 'a=rtpmap encoding is not "<name>/<clock rate>[/<channels>]"';
  }
  const clockRate = parseInteger(parts[1]!, 1, MAX_UINT32);
  if (clockRate === undefined) return 'a=rtpmap clock rate is not a positive integer';
  if (parts.length === 2) {
    return { kind: 'rtpmap', payloadType, encodingName: parts[0]!, clockRate };
  }
  const channels = parseInteger(parts[2]!, 1, 255);
  if (channels === undefined) return 'a=rtpmap channel count is not 1-255';
  return { kind: 'rtpmap', payloadType, encodingName: parts[0]!, clockRate, channels };
}

function parseFmtp(value: string): SdpAttribute | string {
  const [first, rest] = splitFirstField(value);
  const payloadType = parsePayloadType(first);
  if (payloadType === undefined) return 'a=fmtp payload type is not 0-127';
  return { kind: 'fmtp', payloadType, parameters: parseParameterList(rest) };
}

function parseRtcpFb(value: string): SdpAttribute | string {
  const [first, afterPt] = splitFirstField(value);
  const payloadType = first === '*' ? '*' : parsePayloadType(first);
  if (payloadType === undefined) return 'a=rtcp-fb payload type is not 0-127 or "*"';
  const [type, parameter] = splitFirstField(afterPt);
  if (type === '') return 'a=rtcp-fb needs a feedback type';
  return parameter === ''
    ? { kind: 'rtcp-fb', payloadType, type }
    : { kind: 'rtcp-fb', payloadType, type, parameter };
}

function parseExtmapId(text: string): number | undefined {
  const id = parseInteger(text, 1, 4351);
  // 1-14 one-byte and 1-255 two-byte header ids; 4096-4351 only while negotiating (RFC 8285).
  return id !== undefined && (id <= 255 || id >= 4096) ? id : undefined;
}

function parseExtmap(value: string): SdpAttribute | string {
  const [idAndDirection, afterId] = splitFirstField(value);
  const slash = idAndDirection.indexOf('/');
  const idText = slash < 0 ? idAndDirection : idAndDirection.slice(0, slash);
  const id = parseExtmapId(idText);
  if (id === undefined) return 'a=extmap id is not 1-255 or 4096-4351';
  let direction: Direction | undefined;
  if (slash >= 0) {
    const text = idAndDirection.slice(slash + 1);
    if (!DIRECTIONS.has(text))
      return 'a=extmap direction is not sendrecv/sendonly/recvonly/inactive';
    direction = text as Direction;
  }
  const [uri, attributes] = splitFirstField(afterId);
  if (uri === '') return 'a=extmap needs a URI';
  const attribute: ExtmapAttribute = { kind: 'extmap', id, uri };
  if (direction !== undefined) attribute.direction = direction;
  if (attributes !== '') attribute.attributes = attributes;
  return attribute;
}

function parseSsrc(value: string): SdpAttribute | string {
  const [first, rest] = splitFirstField(value);
  const ssrc = parseInteger(first, 0, MAX_UINT32);
  if (ssrc === undefined) return 'a=ssrc id is not a 32-bit number';
  if (rest === '') return 'a=ssrc needs an attribute';
  const colon = rest.indexOf(':');
  if (colon < 0) return { kind: 'ssrc', ssrc, attribute: rest };
  const attribute = rest.slice(0, colon);
  if (attribute === '') return 'a=ssrc needs an attribute name';
  return { kind: 'ssrc', ssrc, attribute, value: rest.slice(colon + 1) };
}

function parseSsrcGroup(value: string): SdpAttribute | string {
  const [semantics, ...ids] = splitFields(value);
  if (semantics === undefined || !isToken(semantics) || ids.length === 0) {
    return 'a=ssrc-group needs semantics and at least one ssrc';
  }
  const ssrcs: number[] = [];
  for (const id of ids) {
    const ssrc = parseInteger(id, 0, MAX_UINT32);
    if (ssrc === undefined) return 'a=ssrc-group ssrc is not a 32-bit number';
    ssrcs.push(ssrc);
  }
  return { kind: 'ssrc-group', semantics, ssrcs };
}

function parseRid(value: string): SdpAttribute | string {
  const fields = splitFields(value);
  if (fields.length < 2 || fields.length > 3) return 'a=rid needs "<id> send|recv [<params>]"';
  const [id, direction, params] = fields as [string, string, string | undefined];
  if (!RID_ID.test(id)) return 'a=rid id is not alphanumeric';
  if (direction !== 'send' && direction !== 'recv') return 'a=rid direction is not send or recv';
  return { kind: 'rid', id, direction, params: params ? parseParameterList(params) : [] };
}

function parseSimulcastStreams(text: string): SimulcastRid[][] | undefined {
  const streams: SimulcastRid[][] = [];
  for (const stream of text.split(';')) {
    const alternatives: SimulcastRid[] = [];
    for (const alternative of stream.split(',')) {
      const paused = alternative.startsWith('~');
      const rid = paused ? alternative.slice(1) : alternative;
      if (!RID_ID.test(rid)) return undefined;
      alternatives.push({ rid, paused });
    }
    streams.push(alternatives);
  }
  return streams;
}

function parseSimulcast(value: string): SdpAttribute | string {
  const fields = splitFields(value);
  if (fields.length !== 2 && fields.length !== 4) {
    return 'a=simulcast needs "send <streams>" and/or "recv <streams>"';
  }
  const attribute: SimulcastAttribute = { kind: 'simulcast', send: [], recv: [] };
  for (let i = 0; i < fields.length; i += 2) {
    const direction = fields[i]!;
    if (direction !== 'send' && direction !== 'recv') {
      return 'a=simulcast direction is not send or recv';
    }
    if (attribute[direction].length > 0) return `a=simulcast has "${direction}" twice`;
    const streams = parseSimulcastStreams(fields[i + 1]!);
    if (streams === undefined) return 'a=simulcast stream list is malformed';
    attribute[direction] = streams;
  }
  return attribute;
}

function parseRtcp(value: string): SdpAttribute | string {
  const fields = splitFields(value);
  if (fields.length !== 1 && fields.length !== 4) {
    return 'a=rtcp needs "<port> [<nettype> <addrtype> <address>]"';
  }
  const port = parseInteger(fields[0]!, 0, 65535);
  if (port === undefined) return 'a=rtcp port is not 0-65535';
  if (fields.length === 1) return { kind: 'rtcp', port };
  const connection: Connection = { netType: fields[1]!, addrType: fields[2]!, address: fields[3]! };
  return { kind: 'rtcp', port, connection };
}

function parseCandidate(value: string): SdpAttribute | string {
  if (trimBlanks(value) === '') return 'a=candidate is empty';
  return { kind: 'candidate', candidate: `candidate:${value}` };
}

const VALUE_PARSERS: ReadonlyMap<string, ValueParser> = new Map<string, ValueParser>([
  ['group', parseGroup],
  ['mid', parseMid],
  ['ice-ufrag', parseIceUfrag],
  ['ice-pwd', parseIcePwd],
  ['ice-options', parseIceOptions],
  ['fingerprint', parseFingerprint],
  ['setup', parseSetup],
  ['sctp-port', parseSctpPort],
  ['max-message-size', parseMaxMessageSize],
  ['msid', parseMsid],
  ['msid-semantic', parseMsidSemantic],
  ['rtpmap', parseRtpmap],
  ['fmtp', parseFmtp],
  ['rtcp-fb', parseRtcpFb],
  ['extmap', parseExtmap],
  ['ssrc', parseSsrc],
  ['ssrc-group', parseSsrcGroup],
  ['rid', parseRid],
  ['simulcast', parseSimulcast],
  ['rtcp', parseRtcp],
  ['candidate', parseCandidate],
]);
