/** The candidates an agent makes: host, server-reflexive and the two peer-reflexive kinds. */
import { isIP } from 'node:net';
import { type Address, addressKey, formatIPv6, parseIPv6 } from '../stun/index.js';
import type { IceCandidate } from './candidate.js';
import { candidatePriority, computeFoundation } from './priority.js';

/** A socket the driver bound, with the local preference its candidates get. */
export interface Base {
  address: Address;
  localPreference: number;
  /** The mDNS name standing in for the address in signalled candidates. */
  hostname: string | undefined;
}

export function hostCandidate(b: Base, component: number, ufrag: string): IceCandidate {
  return {
    foundation: computeFoundation('host', b.address.address, '', 'udp'),
    component,
    transport: 'udp',
    priority: candidatePriority('host', b.localPreference, component),
    address: b.hostname ?? b.address.address,
    port: b.address.port,
    type: 'host',
    ufrag,
    extensions: [],
  };
}

/**
 * With mDNS host names the related address would give away what the name hides, so it is
 * zeroed as browsers do.
 */
export function srflxCandidate(
  b: Base,
  mapped: Address,
  server: Address,
  component: number,
  ufrag: string,
): IceCandidate {
  const hidden = b.hostname !== undefined;
  const zero = b.address.family === 'IPv6' ? '::' : '0.0.0.0';
  return {
    foundation: computeFoundation('srflx', b.address.address, addressKey(server), 'udp'),
    component,
    transport: 'udp',
    priority: candidatePriority('srflx', b.localPreference, component),
    address: mapped.address,
    port: mapped.port,
    type: 'srflx',
    relatedAddress: hidden ? zero : b.address.address,
    relatedPort: hidden ? 0 : b.address.port,
    ufrag,
    extensions: [],
  };
}

/** Learned from a check response's XOR-MAPPED-ADDRESS; it gets the PRIORITY the check sent. */
export function localPrflxCandidate(
  base: Address,
  mapped: Address,
  priority: number,
  component: number,
): IceCandidate {
  return {
    foundation: computeFoundation('prflx', base.address, '', 'udp'),
    component,
    transport: 'udp',
    priority,
    address: mapped.address,
    port: mapped.port,
    type: 'prflx',
    extensions: [],
  };
}

/** Learned from the source of an incoming check; it gets that check's PRIORITY. */
export function remotePrflxCandidate(
  source: Address,
  priority: number,
  component: number,
): IceCandidate {
  return {
    foundation: computeFoundation('prflx', source.address, 'remote', 'udp'),
    component,
    transport: 'udp',
    priority,
    address: source.address,
    port: source.port,
    type: 'prflx',
    extensions: [],
  };
}

export function copyCandidate(c: IceCandidate): IceCandidate {
  return { ...c, extensions: c.extensions.map(([n, v]) => [n, v] as [string, string]) };
}

/** The W3C icecandidateerror url of a STUN server. */
export function stunUrl(server: Address): string {
  const host = server.family === 'IPv6' ? `[${server.address}]` : server.address;
  return `stun:${host}:${server.port}`;
}

const scratch16 = new Uint8Array(16);

/**
 * An Address for an IP literal, IPv6 in canonical (RFC 5952) text so that it compares equal
 * to what the socket reports however the peer spelled it in its candidate.
 */
export function toAddress(address: string, port: number): Address | undefined {
  const v = isIP(address);
  if (v === 0) return undefined;
  if (v === 4) return { address, port, family: 'IPv4' };
  if (!parseIPv6(address, scratch16)) return undefined;
  return { address: formatIPv6(scratch16), port, family: 'IPv6' };
}
