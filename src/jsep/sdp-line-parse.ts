/**
 * Parses the values of the structured SDP lines (o=, c=, b=, t=, m=). Each returns the typed
 * value or the reason it does not parse.
 */
import type { Bandwidth, Connection, MediaDescription, Origin, Timing } from './sdp-model.js';
import { isToken, parseInteger, splitFields } from './sdp-text.js';

export function parseOrigin(value: string): Origin | string {
  const f = splitFields(value);
  if (f.length !== 6) {
    return 'o= needs "<username> <sess-id> <sess-version> <nettype> <addrtype> <address>"';
  }
  return {
    username: f[0]!,
    sessionId: f[1]!,
    sessionVersion: f[2]!,
    netType: f[3]!,
    addrType: f[4]!,
    address: f[5]!,
  };
}

export function parseConnection(value: string): Connection | string {
  const f = splitFields(value);
  if (f.length !== 3) return 'c= needs "<nettype> <addrtype> <address>"';
  return { netType: f[0]!, addrType: f[1]!, address: f[2]! };
}

export function parseBandwidth(value: string): Bandwidth | string {
  const colon = value.indexOf(':');
  if (colon < 0) return 'b= needs "<bwtype>:<bandwidth>"';
  const type = value.slice(0, colon);
  if (!isToken(type)) return 'b= type is not a token';
  const amount = parseInteger(value.slice(colon + 1), 0, Number.MAX_SAFE_INTEGER);
  if (amount === undefined) return 'b= bandwidth is not an integer';
  return { type, value: amount };
}

export function parseTiming(value: string): Timing | string {
  const f = splitFields(value);
  if (f.length !== 2) return 't= needs "<start> <stop>"';
  const start = parseInteger(f[0]!, 0, Number.MAX_SAFE_INTEGER);
  const stop = parseInteger(f[1]!, 0, Number.MAX_SAFE_INTEGER);
  if (start === undefined || stop === undefined) return 't= times are not integers';
  return { start, stop, repeats: [] };
}

function isProto(text: string): boolean {
  return text.split('/').every(isToken);
}

/** The m= line; the section's other fields start empty. */
export function parseMediaLine(value: string): MediaDescription | string {
  const f = splitFields(value);
  if (f.length < 3) return 'm= needs "<media> <port> <proto> <fmt> ..."';
  const [kind, portText, proto, ...formats] = f as [string, string, string, ...string[]];
  if (!isToken(kind)) return 'm= media type is not a token';
  const slash = portText.indexOf('/');
  const port = parseInteger(slash < 0 ? portText : portText.slice(0, slash), 0, 65535);
  if (port === undefined) return 'm= port is not 0-65535';
  let numPorts: number | undefined;
  if (slash >= 0) {
    numPorts = parseInteger(portText.slice(slash + 1), 1, 65535);
    if (numPorts === undefined) return 'm= port count is not 1-65535';
  }
  if (!isProto(proto)) return 'm= proto is malformed';
  if (proto.includes('RTP/')) {
    for (const format of formats) {
      if (parseInteger(format, 0, 127) === undefined) {
        return `m= format ${JSON.stringify(format)} is not an RTP payload type`;
      }
    }
  } else if (!formats.every(isToken)) {
    return 'm= format is not a token';
  }
  const media: MediaDescription = {
    kind,
    port,
    proto,
    formats,
    connections: [],
    bandwidths: [],
    attributes: [],
  };
  if (numPorts !== undefined) media.numPorts = numPorts;
  return media;
}
