import { readFileSync } from 'node:fs';
import { type NetworkInterfaceInfo, networkInterfaces } from 'node:os';
import { performance } from 'node:perf_hooks';

/** The shape returned by `os.networkInterfaces()`, taken as input so selection is testable. */
export type NetworkInterfaceMap = NodeJS.Dict<NetworkInterfaceInfo[]>;

/** A local address chosen for gathering: one UDP socket is bound on each. */
export interface LocalAddress {
  /** Interface name, e.g. "eth0". */
  interface: string;
  address: string;
  family: 'IPv4' | 'IPv6';
  /** IPv6 scope (interface index) for link-local addresses; needed to bind and send. */
  scopeId?: number;
}

export interface LocalAddressOptions {
  /** Use only interfaces with these names. */
  interfaces?: string[];
  /** Never use interfaces with these names. */
  excludeInterfaces?: string[];
  /**
   * Use only these addresses. An address listed here is used even when it is loopback or
   * link-local, and several addresses of one interface may be listed.
   */
  addresses?: string[];
  /** Gather on IPv4 addresses (default true). */
  ipv4?: boolean;
  /** Gather on IPv6 addresses (default true). */
  ipv6?: boolean;
  /** Allow loopback addresses without listing them in `addresses` (default false). */
  loopback?: boolean;
  /** Allow link-local addresses (fe80::/10, 169.254/16) without listing them (default false). */
  linkLocal?: boolean;
  /**
   * Flags of IPv6 addresses (IFA_F_* bits), keyed by normalised address, used to skip temporary
   * and deprecated ones. `os.networkInterfaces()` does not expose them; on Linux
   * `readIpv6AddressFlags()` reads them from /proc.
   */
  ipv6Flags?: Map<string, number>;
}

/** IFA_F_TEMPORARY: an RFC 8981 privacy address, which should not be a long-lived candidate. */
export const IFA_F_TEMPORARY = 0x01;
/** IFA_F_DEPRECATED: preferred lifetime expired; new connections should not use it. */
export const IFA_F_DEPRECATED = 0x20;
/** IFA_F_TENTATIVE: duplicate address detection still running; binding it fails. */
export const IFA_F_TENTATIVE = 0x40;
const UNUSABLE_IPV6_FLAGS = IFA_F_TEMPORARY | IFA_F_DEPRECATED | IFA_F_TENTATIVE;

/** How preferable an address is as the one address of its interface and family; lower wins. */
const Rank = { Global: 0, UniqueLocal: 1, LinkLocal: 2, Loopback: 3, Unusable: 4 } as const;
type Rank = (typeof Rank)[keyof typeof Rank];

/**
 * Chooses the addresses to gather host candidates on: at most one per interface and family,
 * preferring global over unique-local addresses. Loopback and link-local addresses are left out
 * unless configured, or unless the host has no other address at all (then link-local ones are
 * used, and failing those loopback), so that a machine with only those still connects to itself.
 * Never throws; returns an empty list when nothing qualifies.
 */
export function selectLocalAddresses(
  ifaces: NetworkInterfaceMap,
  opts: LocalAddressOptions = {},
): LocalAddress[] {
  const wantV4 = opts.ipv4 !== false;
  const wantV6 = opts.ipv6 !== false;
  const explicit = opts.addresses ? new Set(opts.addresses.map(normaliseAddress)) : undefined;
  const onlyIfaces = opts.interfaces ? new Set(opts.interfaces) : undefined;
  const skipIfaces = new Set(opts.excludeInterfaces ?? []);

  if (explicit) {
    const out: LocalAddress[] = [];
    const seen = new Set<string>();
    for (const [name, infos] of Object.entries(ifaces)) {
      if (!infos || (onlyIfaces && !onlyIfaces.has(name)) || skipIfaces.has(name)) continue;
      for (const info of infos) {
        const family = familyOf(info);
        if (!family || (family === 'IPv4' ? !wantV4 : !wantV6)) continue;
        const address = normaliseAddress(info.address);
        if (!explicit.has(address) || seen.has(address)) continue;
        seen.add(address);
        out.push(toLocalAddress(name, info, family, address));
      }
    }
    return out;
  }

  // Best address per interface and family, with its rank.
  const best = new Map<string, { rank: Rank; local: LocalAddress }>();
  for (const [name, infos] of Object.entries(ifaces)) {
    if (!infos || (onlyIfaces && !onlyIfaces.has(name)) || skipIfaces.has(name)) continue;
    for (const info of infos) {
      const family = familyOf(info);
      if (!family || (family === 'IPv4' ? !wantV4 : !wantV6)) continue;
      const address = normaliseAddress(info.address);
      const rank = rankAddress(info, family, address, opts.ipv6Flags);
      if (rank === Rank.Unusable) continue;
      const key = `${name}/${family}`;
      const current = best.get(key);
      if (!current || rank < current.rank) {
        best.set(key, { rank, local: toLocalAddress(name, info, family, address) });
      }
    }
  }

  const ranked = [...best.values()];
  const pick = (allowed: (r: Rank) => boolean) =>
    ranked.filter((e) => allowed(e.rank)).map((e) => e.local);

  const usable = pick(
    (r) =>
      r <= Rank.UniqueLocal ||
      (r === Rank.LinkLocal && opts.linkLocal === true) ||
      (r === Rank.Loopback && opts.loopback === true),
  );
  if (usable.length > 0) return usable;
  const linkLocal = pick((r) => r === Rank.LinkLocal);
  if (linkLocal.length > 0) return linkLocal;
  return pick((r) => r === Rank.Loopback);
}

function rankAddress(
  info: NetworkInterfaceInfo,
  family: 'IPv4' | 'IPv6',
  address: string,
  ipv6Flags: Map<string, number> | undefined,
): Rank {
  if (family === 'IPv4') {
    if (info.internal || address.startsWith('127.')) return Rank.Loopback;
    if (address.startsWith('169.254.')) return Rank.LinkLocal;
    if (address === '0.0.0.0') return Rank.Unusable;
    return Rank.Global;
  }
  if (info.internal || address === '::1') return Rank.Loopback;
  if (address === '::' || address.startsWith('::ffff:')) return Rank.Unusable;
  const flags = ipv6Flags?.get(address);
  if (flags !== undefined && (flags & UNUSABLE_IPV6_FLAGS) !== 0) return Rank.Unusable;
  const first = Number.parseInt(address.slice(0, address.indexOf(':')) || '0', 16);
  if ((first & 0xffc0) === 0xfe80) return Rank.LinkLocal;
  // fec0::/10 (site-local) is deprecated by RFC 3879; ff00::/8 is multicast.
  if ((first & 0xffc0) === 0xfec0 || (first & 0xff00) === 0xff00) return Rank.Unusable;
  if ((first & 0xfe00) === 0xfc00) return Rank.UniqueLocal;
  return Rank.Global;
}

function familyOf(info: NetworkInterfaceInfo): 'IPv4' | 'IPv6' | undefined {
  // Node 18.0-18.3 reported the family as a number.
  const f = info.family as string | number;
  if (f === 'IPv4' || f === 4) return 'IPv4';
  if (f === 'IPv6' || f === 6) return 'IPv6';
  return undefined;
}

function toLocalAddress(
  name: string,
  info: NetworkInterfaceInfo,
  family: 'IPv4' | 'IPv6',
  address: string,
): LocalAddress {
  const local: LocalAddress = { interface: name, address, family };
  if (family === 'IPv6' && info.scopeid) local.scopeId = info.scopeid;
  return local;
}

/** Lower-cases and drops any "%scope" suffix; the result is the form used as a map key. */
export function normaliseAddress(address: string): string {
  const pct = address.indexOf('%');
  return (pct < 0 ? address : address.slice(0, pct)).toLowerCase();
}

/** Whether an IPv6 address (without scope) is link-local, fe80::/10. */
export function isIpv6LinkLocal(address: string): boolean {
  const first = Number.parseInt(address.slice(0, address.indexOf(':')) || '0', 16);
  return (first & 0xffc0) === 0xfe80;
}

/**
 * Reads the flags of the host's IPv6 addresses from /proc/net/if_inet6 (Linux). Returns an
 * empty map where that file does not exist, so callers need no platform check.
 */
export function readIpv6AddressFlags(path = '/proc/net/if_inet6'): Map<string, number> {
  const flags = new Map<string, number>();
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return flags;
  }
  return parseIfInet6(text, flags);
}

/** Parses the /proc/net/if_inet6 format: "hex32 ifindex prefixlen scope flags name" per line. */
export function parseIfInet6(text: string, into = new Map<string, number>()): Map<string, number> {
  for (const line of text.split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 6 || cols[0]!.length !== 32) continue;
    const hex = cols[0]!;
    const groups: string[] = [];
    for (let i = 0; i < 32; i += 4)
      groups.push(Number.parseInt(hex.slice(i, i + 4), 16).toString(16));
    const flagValue = Number.parseInt(cols[4]!, 16);
    if (Number.isNaN(flagValue)) continue;
    into.set(compressIpv6(groups), flagValue);
  }
  return into;
}

/** RFC 5952 text form from eight hex groups: the longest run (>= 2) of zero groups becomes "::". */
function compressIpv6(groups: string[]): string {
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) return groups.join(':');
  const head = groups.slice(0, bestStart).join(':');
  const tail = groups.slice(bestStart + bestLen).join(':');
  return `${head}::${tail}`;
}

/** How long one reading of the host's interfaces serves new connections. */
const HOST_INTERFACES_TTL_MS = 1000;

let hostSnapshot:
  | { interfaces: NetworkInterfaceMap; ipv6Flags: Map<string, number>; at: number }
  | undefined;

/**
 * The host's interfaces and IPv6 address flags, read at most once a second: a burst of new
 * connections (a server accepting many at once) would otherwise list every interface and read
 * /proc once per connection, which costs more than the rest of gathering. A change of address
 * reaches connections made a second later; ICE restarts pick it up then too.
 */
export function hostInterfaces(now = performance.now()): {
  interfaces: NetworkInterfaceMap;
  ipv6Flags: Map<string, number>;
} {
  if (
    hostSnapshot === undefined ||
    now - hostSnapshot.at >= HOST_INTERFACES_TTL_MS ||
    now < hostSnapshot.at
  ) {
    hostSnapshot = { interfaces: networkInterfaces(), ipv6Flags: readIpv6AddressFlags(), at: now };
  }
  return hostSnapshot;
}
