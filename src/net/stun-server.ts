import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Address } from '../stun/index.js';

/** A STUN server as written by the user, before DNS. */
export interface StunServerSpec {
  /** The text it was parsed from, reported back in candidate errors. */
  url: string;
  host: string;
  port: number;
}

/** RFC 8489 §18.9: the default port of STUN over UDP. */
export const DEFAULT_STUN_PORT = 3478;

/**
 * Parses a STUN server given as an RFC 7064 URI ("stun:host[:port]", "stun:[v6]:port") or as a
 * bare "host[:port]" / "[v6]:port". "stuns:" (TLS) and TURN URIs are not plain UDP STUN servers
 * and are refused. Returns an error string, never throws.
 */
export function parseStunServer(text: string): StunServerSpec | { error: string } {
  let rest = text.trim();
  if (isIP(rest) !== 0) return { url: text, host: rest, port: DEFAULT_STUN_PORT };
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(rest);
  if (scheme && !/^\[|^[^:]*:\d+$/.test(rest)) {
    const name = scheme[1]!.toLowerCase();
    if (name !== 'stun') return { error: `unsupported scheme "${name}:" in ${text}` };
    rest = rest.slice(scheme[0].length);
    if (rest.startsWith('//')) rest = rest.slice(2);
  }
  const query = rest.search(/[?/]/);
  if (query >= 0) rest = rest.slice(0, query);

  let host: string;
  let portText: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return { error: `unclosed "[" in ${text}` };
    host = rest.slice(1, close);
    const after = rest.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) return { error: `junk after "]" in ${text}` };
    portText = after === '' ? undefined : after.slice(1);
    if (isIP(host) !== 6) return { error: `not an IPv6 address: ${host}` };
  } else {
    const colon = rest.indexOf(':');
    if (colon >= 0 && rest.indexOf(':', colon + 1) >= 0) {
      // Several colons without brackets: a bare IPv6 address, no port.
      if (isIP(rest) !== 6) return { error: `bad host in ${text}` };
      host = rest;
    } else {
      host = colon < 0 ? rest : rest.slice(0, colon);
      portText = colon < 0 ? undefined : rest.slice(colon + 1);
    }
  }
  if (host === '' || !/^[A-Za-z0-9.:_-]+$/.test(host)) return { error: `bad host in ${text}` };
  let port = DEFAULT_STUN_PORT;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText)) return { error: `bad port in ${text}` };
    port = Number(portText);
    if (port < 1 || port > 65535) return { error: `bad port in ${text}` };
  }
  return { url: text, host, port };
}

/**
 * Resolves a server to at most one address per family (the first the resolver returns), so a
 * dual-stack server yields one IPv4 and one IPv6 target. Rejects when the name does not resolve.
 */
export async function resolveStunServer(spec: StunServerSpec): Promise<Address[]> {
  const literal = isIP(spec.host);
  if (literal !== 0) {
    return [{ address: spec.host, port: spec.port, family: literal === 6 ? 'IPv6' : 'IPv4' }];
  }
  const results = await lookup(spec.host, { all: true, verbatim: true });
  const out: Address[] = [];
  for (const family of ['IPv4', 'IPv6'] as const) {
    const hit = results.find((r) => r.family === (family === 'IPv4' ? 4 : 6));
    if (hit) out.push({ address: hit.address, port: spec.port, family });
  }
  if (out.length === 0) throw new Error(`${spec.host} has no address`);
  return out;
}
