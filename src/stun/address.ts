/** The transport address type the whole stack uses (the shape of Node's dgram rinfo). */
export interface Address {
  address: string;
  port: number;
  family: 'IPv4' | 'IPv6';
}

/** "1.2.3.4:5" / "[::1]:5": a stable key for maps. */
export function addressKey(a: Address): string {
  return a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

/** Parses dotted-quad IPv4 into `out[offset..offset+4]`; false when it is not one. */
export function parseIPv4(text: string, out: Uint8Array, offset = 0): boolean {
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x2e;
    if (c >= 0x30 && c <= 0x39) {
      if (digits > 0 && value === 0) return false; // leading zero: ambiguous (octal in some parsers)
      value = value * 10 + (c - 0x30);
      if (value > 255 || ++digits > 3) return false;
    } else if (c === 0x2e) {
      if (digits === 0 || part > 3) return false;
      out[offset + part++] = value;
      value = 0;
      digits = 0;
    } else {
      return false;
    }
  }
  return part === 4;
}

/**
 * Parses IPv6 text (with "::", an embedded IPv4 tail, and an optional "%zone" which is
 * dropped) into `out[offset..offset+16]`; false when it is not an IPv6 address.
 */
export function parseIPv6(text: string, out: Uint8Array, offset = 0): boolean {
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const groups: number[] = [];
  let gap = -1;
  let i = 0;
  if (text.startsWith('::')) {
    gap = 0;
    i = 2;
  } else if (text.startsWith(':')) {
    return false;
  }
  while (i < text.length) {
    let end = text.indexOf(':', i);
    if (end < 0) end = text.length;
    const piece = text.slice(i, end);
    if (piece.includes('.')) {
      if (end !== text.length || groups.length > 6) return false;
      const v4 = new Uint8Array(4);
      if (!parseIPv4(piece, v4)) return false;
      groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      i = end;
      break;
    }
    if (piece.length === 0 || piece.length > 4 || !/^[0-9a-fA-F]+$/.test(piece)) return false;
    groups.push(Number.parseInt(piece, 16));
    if (end === text.length) {
      i = end;
      break;
    }
    if (text.charCodeAt(end + 1) === 0x3a) {
      if (gap >= 0) return false;
      gap = groups.length;
      i = end + 2;
    } else {
      i = end + 1;
      if (i === text.length) return false; // trailing single colon
    }
  }
  if (gap >= 0 ? groups.length > 7 : groups.length !== 8) return false;
  const fill = 8 - groups.length;
  for (let g = 0, k = 0; g < 8; g++) {
    const v = gap >= 0 && g >= gap && g < gap + fill ? 0 : groups[k++]!;
    out[offset + 2 * g] = v >> 8;
    out[offset + 2 * g + 1] = v & 0xff;
  }
  return true;
}

function isV4Mapped(b: Uint8Array, offset: number): boolean {
  for (let i = 0; i < 10; i++) if (b[offset + i] !== 0) return false;
  return b[offset + 10] === 0xff && b[offset + 11] === 0xff;
}

export function formatIPv4(b: Uint8Array, offset = 0): string {
  return `${b[offset]}.${b[offset + 1]}.${b[offset + 2]}.${b[offset + 3]}`;
}

/**
 * RFC 5952 canonical text: lower case, the longest run (2+) of zero groups as "::", and
 * IPv4-mapped addresses in dotted form (as Node reports them for dual-stack sockets).
 */
export function formatIPv6(b: Uint8Array, offset = 0): string {
  if (isV4Mapped(b, offset)) return `::ffff:${formatIPv4(b, offset + 12)}`;
  const g = new Array<number>(8);
  for (let i = 0; i < 8; i++) g[i] = (b[offset + 2 * i]! << 8) | b[offset + 2 * i + 1]!;
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return g.map((x) => x.toString(16)).join(':');
  const head = g.slice(0, bestStart).map((x) => x.toString(16));
  const tail = g.slice(bestStart + bestLen).map((x) => x.toString(16));
  return `${head.join(':')}::${tail.join(':')}`;
}

/** The 4 or 16 address bytes of `a`, or undefined when its text does not match its family. */
export function addressBytes(a: Address): Uint8Array | undefined {
  const out = new Uint8Array(a.family === 'IPv6' ? 16 : 4);
  const ok = a.family === 'IPv6' ? parseIPv6(a.address, out) : parseIPv4(a.address, out);
  return ok ? out : undefined;
}
