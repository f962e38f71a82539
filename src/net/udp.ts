import { randomInt } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';

/** Inclusive range of local UDP ports to bind in. */
export interface PortRange {
  min: number;
  max: number;
}

export interface BindUdpOptions {
  /** Bind within this range, trying its ports in random order; otherwise the OS picks a port. */
  portRange?: PortRange;
  /** Interface name or index for IPv6 link-local addresses ("fe80::1%eth0"). */
  scope?: string | number;
  /** Socket buffer sizes in bytes (the OS may cap them). */
  recvBufferSize?: number;
  sendBufferSize?: number;
  /** Random integer in [0, n); defaults to node:crypto's randomInt. For deterministic tests. */
  random?: (n: number) => number;
}

/**
 * The address lookup of every socket bound here. node:dgram runs each send's address through
 * it; the default, dns.lookup, answers even an IP literal on the next tick, after a regex
 * check, so every datagram would cost a deferred callback. ICE only ever sends to IP literals:
 * they are answered at once, and the datagram leaves inside send(). Anything else still goes
 * to dns.lookup.
 */
export function literalLookup(
  address: string,
  family: number | LookupOneOptions,
  callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  if (isIpLiteral(address)) {
    callback(null, address, typeof family === 'number' ? family : address.includes(':') ? 6 : 4);
    return;
  }
  const opts = typeof family === 'number' ? { family } : family;
  dnsLookup(address, opts, callback);
}

/** An IPv6 literal (any colon: host names have none) or a dotted IPv4 address. */
function isIpLiteral(address: string): boolean {
  if (address.includes(':')) return true;
  const n = address.length;
  if (n < 7 || n > 15) return false;
  for (let i = 0; i < n; i++) {
    const c = address.charCodeAt(i);
    if (c !== 0x2e && (c < 0x30 || c > 0x39)) return false;
  }
  return true;
}

/**
 * Attached to every socket bindUdpSocket returns, so that an error arriving before the caller
 * adds its own listener cannot crash the process; owners remove it (UdpEndpoint does).
 */
export function ignoreErrorUntilOwned(_err: Error): void {}

/** Thrown when every port of the range is taken (or forbidden) on that address. */
export class PortRangeExhaustedError extends Error {
  override readonly name = 'PortRangeExhaustedError';
  constructor(
    readonly address: string,
    readonly range: PortRange,
  ) {
    super(
      `no free UDP port on ${address} in range ${range.min}-${range.max} ` +
        `(all ${range.max - range.min + 1} tried)`,
    );
  }
}

/** Throws a RangeError unless the range is a non-empty range of valid ports. */
export function validatePortRange(range: PortRange): void {
  const ok =
    Number.isInteger(range.min) &&
    Number.isInteger(range.max) &&
    range.min >= 1 &&
    range.max <= 65535 &&
    range.min <= range.max;
  if (!ok) throw new RangeError(`invalid port range ${range.min}-${range.max}`);
}

/**
 * Binds a UDP socket on `address` (an IPv4 or IPv6 literal; IPv6 sockets are ipv6Only so an
 * IPv4 peer can never reach them through a mapped address). With a port range, ports are tried
 * in random order, so that two processes sharing a range do not race for the same ports and a
 * port cannot be predicted; "in use" and "forbidden" move on to the next port, any other error
 * (address not on this host, ...) is thrown at once.
 */
export async function bindUdpSocket(address: string, opts: BindUdpOptions = {}): Promise<Socket> {
  const family = address.includes(':') ? 'udp6' : 'udp4';
  const host =
    family === 'udp6' && opts.scope !== undefined && !address.includes('%')
      ? `${address}%${opts.scope}`
      : address;
  const range = opts.portRange;
  if (!range) return bindOnce(family, host, 0, opts);
  validatePortRange(range);

  const random = opts.random ?? randomInt;
  const size = range.max - range.min + 1;
  // Partial Fisher-Yates: draw ports without repetition, swapping only as far as we get.
  const order = new Uint16Array(size);
  for (let i = 0; i < size; i++) order[i] = range.min + i;
  for (let i = 0; i < size; i++) {
    const j = i + random(size - i);
    const port = order[j]!;
    order[j] = order[i]!;
    order[i] = port;
    try {
      return await bindOnce(family, host, port, opts);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EADDRINUSE' && code !== 'EACCES') throw err;
    }
  }
  throw new PortRangeExhaustedError(address, range);
}

function bindOnce(
  type: 'udp4' | 'udp6',
  host: string,
  port: number,
  opts: BindUdpOptions,
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket({
      type,
      ipv6Only: type === 'udp6',
      recvBufferSize: opts.recvBufferSize,
      sendBufferSize: opts.sendBufferSize,
      lookup: literalLookup,
    });
    const onError = (err: Error) => {
      try {
        socket.close();
      } catch {
        // Already closed by the failed bind.
      }
      reject(err);
    };
    socket.once('error', onError);
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.off('error', onError);
      socket.on('error', ignoreErrorUntilOwned);
      resolve(socket);
    });
  });
}
