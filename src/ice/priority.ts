/**
 * Candidate priorities and foundations (RFC 8445 5.1.2 and 5.1.1.3) and pair priority
 * (RFC 8445 6.1.2.3).
 */
import { createHash } from 'node:crypto';
import type { IceCandidateType } from './candidate.js';

/** Type preferences recommended by RFC 8445 5.1.2.2. */
export const TYPE_PREFERENCE: Readonly<Record<IceCandidateType, number>> = {
  host: 126,
  prflx: 110,
  srflx: 100,
  relay: 0,
};

export function candidatePriority(
  type: IceCandidateType,
  localPreference: number,
  component: number,
): number {
  return TYPE_PREFERENCE[type] * 0x1000000 + (localPreference & 0xffff) * 0x100 + (256 - component);
}

/**
 * Local preference of the n-th bound base (in the order the driver added them). IPv6 ranks
 * above IPv4 (RFC 8421 leaves the mix to policy; browsers prefer IPv6), and within a family the
 * earlier interface ranks higher, so every base of one agent has a distinct preference.
 */
export function localPreference(family: 'IPv4' | 'IPv6', index: number): number {
  const top = family === 'IPv6' ? 0xffff : 0x7fff;
  return top - Math.min(index, 0x7ffe);
}

/**
 * Pair priority: 2^32*MIN(G,D) + 2*MAX(G,D) + (G>D?1:0). It needs 64 bits, more than a double
 * holds exactly, hence bigint.
 */
export function pairPriority(controllingPriority: number, controlledPriority: number): bigint {
  const g = BigInt(controllingPriority);
  const d = BigInt(controlledPriority);
  const min = g < d ? g : d;
  const max = g < d ? d : g;
  return (min << 32n) + 2n * max + (g > d ? 1n : 0n);
}

/**
 * Foundation: equal for candidates with the same type, base IP, server and transport, and
 * distinct otherwise. A digest keeps it short and made only of ice-chars.
 */
export function computeFoundation(
  type: IceCandidateType,
  baseAddress: string,
  server: string,
  transport: 'udp' | 'tcp',
): string {
  const h = createHash('sha256').update(`${type}|${baseAddress}|${server}|${transport}`).digest();
  return String(h.readUInt32BE(0));
}
