/**
 * The ICE candidate and its SDP grammar (RFC 8839 section 5.1), plus the extension attributes
 * browsers add (tcptype from RFC 6544, and generation, ufrag, network-id, network-cost).
 */
import { isIP } from 'node:net';

export type IceCandidateType = 'host' | 'srflx' | 'prflx' | 'relay';
export type IceTcpType = 'active' | 'passive' | 'so';

export interface IceCandidate {
  foundation: string;
  component: number;
  transport: 'udp' | 'tcp';
  priority: number;
  address: string;
  port: number;
  type: IceCandidateType;
  relatedAddress?: string;
  relatedPort?: number;
  tcpType?: IceTcpType;
  generation?: number;
  ufrag?: string;
  networkId?: number;
  networkCost?: number;
  /** Unknown extension name/value pairs, kept in order so they survive a round trip. */
  extensions: [string, string][];
}

export type ParseCandidateResult =
  | { ok: true; candidate: IceCandidate }
  | { ok: false; error: string };

const ICE_CHARS = /^[A-Za-z0-9+/]+$/;
const DIGITS = /^[0-9]+$/;
// RFC 8839 extension names and values are byte-strings: anything but NUL, CR, LF and space.
const BYTE_STRING = /^[^\0\r\n ]+$/;
const HOSTNAME =
  /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/;
const MAX_UINT32 = 0xffffffff;

function parseUint(s: string, max: number): number | undefined {
  if (!DIGITS.test(s) || s.length > 10) return undefined;
  const n = Number(s);
  return n <= max ? n : undefined;
}

/** True for an IPv4 or IPv6 literal, or a host name (mDNS ".local" names included). */
export function isConnectionAddress(s: string): boolean {
  if (isIP(s) !== 0) return true;
  return s.length <= 253 && HOSTNAME.test(s) && !DIGITS.test(s.replaceAll('.', ''));
}

/** True when the address is an mDNS name that the driver must resolve. */
export function isMdnsName(address: string): boolean {
  return address.length > 6 && address.toLowerCase().endsWith('.local');
}

const fail = (error: string): ParseCandidateResult => ({ ok: false, error });

/**
 * Parses "candidate:..." or "a=candidate:..." (a trailing CR/LF is tolerated). Never throws:
 * malformed input yields an error naming the field at fault.
 */
export function parseCandidate(s: string): ParseCandidateResult {
  if (typeof s !== 'string') return fail('candidate is not a string');
  let line = s;
  if (line.endsWith('\n')) line = line.slice(0, -1);
  if (line.endsWith('\r')) line = line.slice(0, -1);
  if (line.startsWith('a=')) line = line.slice(2);
  if (!line.startsWith('candidate:')) return fail('missing "candidate:" prefix');
  const f = line.slice('candidate:'.length).split(' ');
  if (f.length < 8) return fail('too few fields');

  const foundation = f[0]!;
  if (foundation.length < 1 || foundation.length > 32 || !ICE_CHARS.test(foundation)) {
    return fail('invalid foundation');
  }
  const component = parseUint(f[1]!, 256);
  if (component === undefined || component < 1) return fail('invalid component id');
  const transport = f[2]!.toLowerCase();
  if (transport !== 'udp' && transport !== 'tcp') return fail('unsupported transport');
  const priority = parseUint(f[3]!, MAX_UINT32);
  if (priority === undefined || priority < 1) return fail('invalid priority');
  const address = f[4]!;
  if (!isConnectionAddress(address)) return fail('invalid connection address');
  const port = parseUint(f[5]!, 65535);
  if (port === undefined) return fail('invalid port');
  if (f[6] !== 'typ') return fail('missing "typ"');
  const type = f[7]!;
  if (type !== 'host' && type !== 'srflx' && type !== 'prflx' && type !== 'relay') {
    return fail('unknown candidate type');
  }

  const c: IceCandidate = {
    foundation,
    component,
    transport,
    priority,
    address,
    port,
    type,
    extensions: [],
  };
  if ((f.length - 8) % 2 !== 0) return fail('extension attribute without a value');
  for (let i = 8; i < f.length; i += 2) {
    const name = f[i]!;
    const value = f[i + 1]!;
    if (!BYTE_STRING.test(name) || !BYTE_STRING.test(value)) return fail('empty extension field');
    switch (name) {
      case 'raddr':
        if (!isConnectionAddress(value)) return fail('invalid raddr');
        c.relatedAddress = value;
        break;
      case 'rport': {
        const n = parseUint(value, 65535);
        if (n === undefined) return fail('invalid rport');
        c.relatedPort = n;
        break;
      }
      case 'tcptype':
        if (value !== 'active' && value !== 'passive' && value !== 'so') {
          return fail('invalid tcptype');
        }
        c.tcpType = value;
        break;
      case 'generation': {
        const n = parseUint(value, MAX_UINT32);
        if (n === undefined) return fail('invalid generation');
        c.generation = n;
        break;
      }
      case 'ufrag':
        c.ufrag = value;
        break;
      case 'network-id': {
        const n = parseUint(value, MAX_UINT32);
        if (n === undefined) return fail('invalid network-id');
        c.networkId = n;
        break;
      }
      case 'network-cost': {
        const n = parseUint(value, MAX_UINT32);
        if (n === undefined) return fail('invalid network-cost');
        c.networkCost = n;
        break;
      }
      default:
        c.extensions.push([name, value]);
    }
  }
  return { ok: true, candidate: c };
}

/** Serializes in the field order browsers use; returns "candidate:..." without "a=". */
export function serializeCandidate(c: IceCandidate): string {
  let s = `candidate:${c.foundation} ${c.component} ${c.transport} ${c.priority} ${c.address} ${c.port} typ ${c.type}`;
  if (c.relatedAddress !== undefined) s += ` raddr ${c.relatedAddress}`;
  if (c.relatedPort !== undefined) s += ` rport ${c.relatedPort}`;
  if (c.tcpType !== undefined) s += ` tcptype ${c.tcpType}`;
  if (c.generation !== undefined) s += ` generation ${c.generation}`;
  if (c.ufrag !== undefined) s += ` ufrag ${c.ufrag}`;
  if (c.networkId !== undefined) s += ` network-id ${c.networkId}`;
  if (c.networkCost !== undefined) s += ` network-cost ${c.networkCost}`;
  for (const [name, value] of c.extensions) s += ` ${name} ${value}`;
  return s;
}
