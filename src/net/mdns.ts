import type { RemoteInfo } from 'node:dgram';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import makeMdns from 'multicast-dns';

/**
 * mDNS (RFC 6762) for ICE candidates hidden behind "<uuid>.local" names (RFC 8828 / the
 * mdns-ice-candidates draft): a resolver for A/AAAA questions and a responder for the names the
 * local agents registered. One socket per process is shared by all agents through
 * `MdnsService.acquire()`; it is closed when the last user releases it.
 *
 * The socket is IPv4 (224.0.0.251:5353); answers carry AAAA records too, so IPv6 candidates can
 * be hidden as well. Without a chosen interface, what it multicasts goes out on every IPv4
 * interface from a socket of its own, bound to that interface's address and port 5353: the
 * OS default would follow the routing table, and a host without a default route (or with the
 * peer on another link than the default one) would never be heard.
 */
export interface MdnsOptions {
  /**
   * IPv4 address of the interface to send and receive multicast on. By default every IPv4
   * interface joins the group and multicast goes out on each non-loopback one.
   */
  interface?: string;
  /** UDP port (default 5353). */
  port?: number;
  /**
   * Deliver our own multicast back to this host (default true), so that agents in one process,
   * or in two processes on one machine, can resolve each other's names.
   */
  loopback?: boolean;
}

export interface MdnsResolveOptions {
  /** Give up (resolve to undefined) after this long (default 5000 ms). */
  timeoutMs?: number;
  /** Repeat the query this often while unanswered (default 1000 ms). */
  retransmitMs?: number;
}

type MdnsSocket = makeMdns.MulticastDNS;
type MdnsAnswer = makeMdns.ResponseOutgoingPacket['answers'][number];

interface PendingResolve {
  resolve(address: string | undefined): void;
  retransmit: NodeJS.Timeout;
  deadline: NodeJS.Timeout;
}

/** RFC 6762 §10: 120 s for records carrying a host name's address. */
const HOST_RECORD_TTL = 120;
/** RFC 6762 §6.7: legacy unicast responses carry a TTL of at most 10 s. */
const LEGACY_UNICAST_TTL = 10;

const shared = new Map<string, { service: MdnsService; users: number }>();

export class MdnsService {
  /** Called on socket errors; the service keeps running where it can. */
  onError: ((err: Error) => void) | undefined;
  /** The users' own error handlers: a shared service reports to those still using it. */
  private readonly userErrorHandlers = new Set<(err: Error) => void>();

  private readonly mdns: MdnsSocket;
  private readonly port: number;
  private readonly opts: MdnsOptions;
  /** Per-interface senders (by IPv4 address) when no interface was chosen. */
  private readonly senders = new Map<string, MdnsSocket>();
  /** Interface addresses whose sender failed (say, port 5353 taken exclusively). */
  private readonly unusable = new Set<string>();
  private readonly names = new Map<string, string[]>();
  private readonly pending = new Map<string, Set<PendingResolve>>();
  private closed = false;
  private failed: Error | undefined;
  private sharedKey: string | undefined;
  /** Resolves once the socket is bound (or failed to bind). */
  readonly ready: Promise<void>;

  /** A service of its own, not shared; most callers want `MdnsService.acquire()`. */
  constructor(opts: MdnsOptions = {}) {
    this.port = opts.port ?? 5353;
    this.opts = opts;
    this.mdns = makeMdns({
      port: this.port,
      interface: opts.interface,
      // Bound to the wildcard: a socket bound to a unicast address receives no multicast.
      bind: '0.0.0.0',
      loopback: opts.loopback !== false,
      reuseAddr: true,
    });
    this.ready = new Promise((resolve) => {
      this.mdns.once('ready', () => resolve());
      this.mdns.once('error', () => resolve());
    });
    this.mdns.on('error', (err: Error) => this.fail(err));
    this.mdns.on('warning', (err: Error) => this.reportError(err));
    this.mdns.on('query', (q, rinfo) => this.answer(q, rinfo));
    this.mdns.on('response', (r) => this.takeResponse(r));
  }

  /**
   * The process-wide service for these options, created on first use; pair with release(),
   * giving it the same `onError`, which hears the service's errors until then.
   */
  static acquire(opts: MdnsOptions = {}, onError?: (err: Error) => void): MdnsService {
    const key = `${opts.interface ?? '*'}|${opts.port ?? 5353}|${opts.loopback !== false}`;
    let entry = shared.get(key);
    if (!entry || entry.service.closed) {
      const service = new MdnsService(opts);
      service.sharedKey = key;
      entry = { service, users: 0 };
      shared.set(key, entry);
    }
    entry.users++;
    if (onError !== undefined) entry.service.userErrorHandlers.add(onError);
    return entry.service;
  }

  /** Gives up one use from acquire(); the last release closes the socket. */
  release(onError?: (err: Error) => void): void {
    if (onError !== undefined) this.userErrorHandlers.delete(onError);
    const key = this.sharedKey;
    const entry = key === undefined ? undefined : shared.get(key);
    if (!entry || entry.service !== this) {
      void this.close();
      return;
    }
    if (--entry.users > 0) return;
    shared.delete(key!);
    void this.close();
  }

  /** Answer queries for `hostname` (".local" name) with `address` until unregistered. */
  register(hostname: string, address: string): void {
    if (isIP(address) === 0) return;
    const key = normaliseName(hostname);
    const list = this.names.get(key);
    if (!list) this.names.set(key, [address]);
    else if (!list.includes(address)) list.push(address);
  }

  unregister(hostname: string): void {
    this.names.delete(normaliseName(hostname));
  }

  /**
   * Resolves a ".local" name to an address (the first A or AAAA answer), or undefined after the
   * timeout or if the socket failed. Queries for the same name share one lookup's answers.
   */
  resolve(hostname: string, opts: MdnsResolveOptions = {}): Promise<string | undefined> {
    if (this.closed || this.failed) return Promise.resolve(undefined);
    const name = normaliseName(hostname);
    const timeoutMs = opts.timeoutMs ?? 5000;
    const retransmitMs = Math.max(opts.retransmitMs ?? 1000, 50);
    return new Promise((resolve) => {
      const sendQuery = () => this.query(name);
      const entry: PendingResolve = {
        resolve,
        retransmit: setInterval(sendQuery, retransmitMs),
        deadline: setTimeout(() => this.settle(name, entry, undefined), timeoutMs),
      };
      let set = this.pending.get(name);
      if (!set) {
        set = new Set();
        this.pending.set(name, set);
      }
      set.add(entry);
      sendQuery();
    });
  }

  /** Closes the socket now, whoever else uses it; pending lookups resolve to undefined. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.settleAll();
    this.names.clear();
    const senders = [...this.senders.values()];
    this.senders.clear();
    for (const sender of senders) sender.destroy();
    return new Promise((resolve) => this.mdns.destroy(() => resolve()));
  }

  private query(name: string): void {
    if (this.closed) return;
    const done = (err: Error | null) => {
      if (err) this.reportError(err);
    };
    for (const socket of this.multicastSockets()) {
      socket.query(
        {
          questions: [
            { name, type: 'A' },
            { name, type: 'AAAA' },
          ],
        },
        done,
      );
    }
  }

  /** The sockets to multicast from: one per non-loopback IPv4 interface, or the main one. */
  private multicastSockets(): MdnsSocket[] {
    if (this.opts.interface !== undefined) return [this.mdns];
    const addresses: string[] = [];
    for (const list of Object.values(networkInterfaces())) {
      const v4 = list?.find((a) => a.family === 'IPv4' && !a.internal);
      if (v4) addresses.push(v4.address);
    }
    for (const [address, sender] of this.senders) {
      if (addresses.includes(address)) continue;
      this.senders.delete(address);
      sender.destroy();
    }
    const usable = addresses.filter((a) => !this.unusable.has(a));
    const sockets = usable.map((address) => this.sender(address));
    // Where no sender of its own works, the main socket sends as the routing table says.
    if (usable.length < addresses.length || addresses.length === 0) sockets.push(this.mdns);
    return sockets;
  }

  private sender(address: string): MdnsSocket {
    let sender = this.senders.get(address);
    if (sender) return sender;
    sender = makeMdns({
      port: this.port,
      interface: address,
      bind: address,
      loopback: this.opts.loopback !== false,
      reuseAddr: true,
    });
    const created = sender;
    created.on('error', (err: Error) => {
      if (this.senders.get(address) === created) this.senders.delete(address);
      this.unusable.add(address);
      created.destroy();
      this.reportError(err);
    });
    created.on('warning', (err: Error) => this.reportError(err));
    // Unicast answers to this address:port come to this socket, not to the main one.
    created.on('response', (r) => this.takeResponse(r));
    this.senders.set(address, created);
    return created;
  }

  private answer(query: makeMdns.QueryPacket, rinfo: RemoteInfo): void {
    if (this.names.size === 0 || this.closed) return;
    // A query from a port other than 5353 is a legacy one-shot resolver (RFC 6762 §6.7): it
    // gets a unicast reply echoing its id and question, with a short TTL.
    const legacy = rinfo.port !== this.port;
    const answers: MdnsAnswer[] = [];
    for (const q of query.questions ?? []) {
      const addresses = this.names.get(normaliseName(q.name));
      if (!addresses) continue;
      for (const address of addresses) {
        const type = isIP(address) === 6 ? 'AAAA' : 'A';
        if (q.type !== type && (q.type as string) !== 'ANY') continue;
        answers.push({
          name: q.name,
          type,
          class: 'IN',
          ttl: legacy ? LEGACY_UNICAST_TTL : HOST_RECORD_TTL,
          flush: !legacy,
          data: address,
        });
      }
    }
    if (answers.length === 0) return;
    const done = (err: Error | null) => {
      if (err) this.reportError(err);
    };
    if (legacy) {
      this.mdns.respond(
        { id: query.id, questions: query.questions, answers },
        { port: rinfo.port, address: rinfo.address },
        done,
      );
    } else {
      for (const socket of this.multicastSockets()) socket.respond({ answers }, done);
    }
  }

  private takeResponse(response: makeMdns.ResponsePacket): void {
    if (this.pending.size === 0) return;
    const records = [...(response.answers ?? []), ...(response.additionals ?? [])];
    for (const r of records) {
      if (r.type !== 'A' && r.type !== 'AAAA') continue;
      const name = normaliseName(r.name);
      const set = this.pending.get(name);
      if (!set || typeof r.data !== 'string' || isIP(r.data) === 0) continue;
      for (const entry of [...set]) this.settle(name, entry, r.data);
    }
  }

  private settle(name: string, entry: PendingResolve, address: string | undefined): void {
    clearInterval(entry.retransmit);
    clearTimeout(entry.deadline);
    const set = this.pending.get(name);
    if (set) {
      set.delete(entry);
      if (set.size === 0) this.pending.delete(name);
    }
    entry.resolve(address);
  }

  private settleAll(): void {
    for (const [name, set] of [...this.pending]) {
      for (const entry of [...set]) this.settle(name, entry, undefined);
    }
  }

  private reportError(err: Error): void {
    this.onError?.(err);
    for (const handler of this.userErrorHandlers) handler(err);
  }

  private fail(err: Error): void {
    this.failed = err;
    this.settleAll();
    this.reportError(err);
  }
}

function normaliseName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}
