/**
 * Runs IceAgents on the simulated network: an endpoint adapter (sim keys "ip:port" to Address
 * objects, with an optional NAT mapping), a signalling channel with its own delays, and a
 * tiny STUN server for server-reflexive gathering.
 */
import {
  IceAgent,
  type IceAgentOptions,
  type IceCandidate,
  type IceEvent,
  parseCandidate,
} from '../../src/ice/index.js';
import {
  type Address,
  decodeStun,
  StunAttr,
  StunMessageBuilder,
  StunMethod,
} from '../../src/stun/index.js';
import type { SimDatagram, SimEndpoint, SimNetwork } from '../sim/network.js';
import type { Prng } from '../sim/prng.js';

export function key(a: Address): string {
  return a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

export function parseKey(k: string): Address {
  if (k.startsWith('[')) {
    const end = k.indexOf(']');
    return { address: k.slice(1, end), port: Number(k.slice(end + 2)), family: 'IPv6' };
  }
  const i = k.lastIndexOf(':');
  return { address: k.slice(0, i), port: Number(k.slice(i + 1)), family: 'IPv4' };
}

export class AgentEndpoint implements SimEndpoint {
  readonly events: IceEvent[] = [];
  readonly data: Uint8Array[] = [];
  /** Every state change with the virtual time it was seen. */
  readonly stateLog: { state: string; at: number }[] = [];
  readonly keys: string[];
  /** When the agent first had a nominated pair in use (not reset by an ICE restart). */
  nominatedAt: number | undefined;
  /** Datagrams the agent handed out for the network, counted by kind. */
  sentStun = 0;
  onEvent: ((e: IceEvent, now: number) => void) | undefined;
  private readonly natOut = new Map<string, string>();
  private readonly natIn = new Map<string, string>();

  constructor(
    readonly name: string,
    readonly agent: IceAgent,
    readonly bases: Address[],
    nat: Record<string, string> = {},
  ) {
    for (const [inside, outside] of Object.entries(nat)) {
      this.natOut.set(inside, outside);
      this.natIn.set(outside, inside);
    }
    this.keys = [...bases.map(key), ...this.natIn.keys()];
  }

  receive(d: SimDatagram, now: number): void {
    const local = this.natIn.get(d.to) ?? d.to;
    this.agent.handleDatagram(d.data, parseKey(d.from), parseKey(local), now);
    this.drainEvents(now);
  }

  timeout(now: number): void {
    this.agent.handleTimeout(now);
    this.drainEvents(now);
  }

  nextTimeout(): number | undefined {
    return this.agent.nextTimeout();
  }

  flush(net: SimNetwork): void {
    this.drainEvents(net.now);
    for (let t = this.agent.pollTransmit(); t; t = this.agent.pollTransmit()) {
      if (t.data[0]! < 4) this.sentStun++;
      const from = key(t.local);
      net.send(this.natOut.get(from) ?? from, key(t.remote), t.data);
    }
  }

  drainEvents(now: number): void {
    for (let e = this.agent.pollEvent(); e; e = this.agent.pollEvent()) {
      if (e.type === 'data') this.data.push(e.data);
      else this.events.push(e);
      if (e.type === 'state') this.stateLog.push({ state: e.state, at: now });
      this.onEvent?.(e, now);
    }
    if (this.nominatedAt === undefined && this.agent.nominated) this.nominatedAt = now;
  }

  states(): string[] {
    return this.events.flatMap((e) => (e.type === 'state' ? [e.state] : []));
  }

  get state(): string {
    return this.agent.state;
  }
}

/** Signalling messages delivered at virtual times (the offer/answer and trickle channel). */
export class Signaller implements SimEndpoint {
  readonly keys: string[] = [];
  private queue: { at: number; seq: number; fn: (now: number) => void }[] = [];
  private seq = 0;

  schedule(at: number, fn: (now: number) => void): void {
    this.queue.push({ at, seq: this.seq++, fn });
  }

  receive(): void {}

  timeout(now: number): void {
    const due = this.queue.filter((q) => q.at <= now).sort((a, b) => a.at - b.at || a.seq - b.seq);
    this.queue = this.queue.filter((q) => q.at > now);
    for (const q of due) q.fn(now);
  }

  nextTimeout(): number | undefined {
    let t: number | undefined;
    for (const q of this.queue) if (t === undefined || q.at < t) t = q.at;
    return t;
  }

  flush(): void {}
}

/** Answers Binding requests with XOR-MAPPED-ADDRESS = the source it saw. */
export class FakeStunServer implements SimEndpoint {
  readonly keys: string[];
  requests = 0;
  private pending: SimDatagram[] = [];

  constructor(readonly address: Address) {
    this.keys = [key(address)];
  }

  receive(d: SimDatagram): void {
    this.pending.push(d);
  }

  timeout(): void {}

  nextTimeout(): undefined {
    return undefined;
  }

  flush(net: SimNetwork): void {
    for (const d of this.pending.splice(0)) {
      const r = decodeStun(d.data);
      if (!r.ok || r.message.class !== 'request' || r.message.method !== StunMethod.Binding) {
        continue;
      }
      this.requests++;
      const res = new StunMessageBuilder(StunMethod.Binding, 'success', r.message.transactionId)
        .addXorAddress(StunAttr.XorMappedAddress, parseKey(d.from))
        .addFingerprint()
        .build();
      net.send(this.keys[0]!, d.from, res);
    }
  }
}

export interface PeerSetup {
  name: string;
  bases: Address[];
  options: Partial<IceAgentOptions> & Pick<IceAgentOptions, 'role'>;
  nat?: Record<string, string>;
}

export interface SignallingOptions {
  /** Signalling delay per message in ms; random in [min, max] from the network's PRNG. */
  delay?: [number, number];
  /** Deliver trickled candidates (and end-of-candidates). Default true. */
  trickle?: boolean;
  /** Send credentials at this time (default 0). */
  credentialsAt?: number;
  /** Signal end-of-candidates once gathering completes. Default true. */
  endOfCandidates?: boolean;
}

/**
 * Two agents wired through `sig`: credentials exchanged, each local candidate trickled to the
 * other after a random delay, end-of-candidates once gathering completes.
 */
export function wirePeers(
  net: SimNetwork,
  sig: Signaller,
  a: AgentEndpoint,
  b: AgentEndpoint,
  opts: SignallingOptions = {},
): void {
  const prng: Prng = net.prng;
  const [lo, hi] = opts.delay ?? [5, 30];
  const delay = () => lo + prng.next() * (hi - lo);
  const link = (from: AgentEndpoint, to: AgentEndpoint) => {
    let lastAt = 0;
    from.onEvent = (e, now) => {
      if (opts.trickle === false) return;
      if (e.type === 'local-candidate') {
        const c = e.candidate;
        const at = now + delay();
        lastAt = Math.max(lastAt, at);
        sig.schedule(at, (t) => to.agent.addRemoteCandidate(c, t));
      } else if (
        e.type === 'gathering-state' &&
        e.state === 'complete' &&
        opts.endOfCandidates !== false
      ) {
        // After every candidate, as a signalling channel that keeps order would deliver it.
        const at = Math.max(lastAt, now) + delay();
        sig.schedule(at, (t) => to.agent.endOfRemoteCandidates(t));
      }
    };
  };
  link(a, b);
  link(b, a);
  const credsAt = opts.credentialsAt ?? 0;
  sig.schedule(credsAt, (t) =>
    a.agent.setRemoteCredentials(b.agent.localUfrag, b.agent.localPwd, t),
  );
  sig.schedule(credsAt, (t) =>
    b.agent.setRemoteCredentials(a.agent.localUfrag, a.agent.localPwd, t),
  );
}

export function makePeer(net: SimNetwork, p: PeerSetup): AgentEndpoint {
  const agent = new IceAgent({
    now: net.now,
    random: () => net.prng.next(),
    ...p.options,
  });
  return new AgentEndpoint(p.name, agent, p.bases, p.nat);
}

/** Binds the endpoint's bases (host candidates) and ends local addresses, now. */
export function startGathering(e: AgentEndpoint, now: number): void {
  for (const b of e.bases) e.agent.addLocalAddress(b, now);
  e.agent.endOfLocalAddresses(now);
  e.drainEvents(now);
}

export const v4 = (address: string, port: number): Address => ({ address, port, family: 'IPv4' });
export const v6 = (address: string, port: number): Address => ({ address, port, family: 'IPv6' });

/**
 * The usual two peers, wired through `sig`: a on 10.0.0.1:5000 and [fd00::1]:5001, b on
 * 10.0.0.2:6000 and [fd00::2]:6001.
 */
export function dualStackPair(
  net: SimNetwork,
  sig: Signaller,
  aOptions: PeerSetup['options'],
  bOptions: PeerSetup['options'],
  signalling: SignallingOptions = {},
): { a: AgentEndpoint; b: AgentEndpoint } {
  const a = makePeer(net, {
    name: 'a',
    bases: [v4('10.0.0.1', 5000), v6('fd00::1', 5001)],
    options: aOptions,
  });
  const b = makePeer(net, {
    name: 'b',
    bases: [v4('10.0.0.2', 6000), v6('fd00::2', 6001)],
    options: bOptions,
  });
  wirePeers(net, sig, a, b, signalling);
  return { a, b };
}

/** a (controlling) on [fd00::1]:5001 and b (controlled) on [fd00::2]:6001, not yet wired. */
export function ipv6Pair(net: SimNetwork): { a: AgentEndpoint; b: AgentEndpoint } {
  const a = makePeer(net, {
    name: 'a',
    bases: [v6('fd00::1', 5001)],
    options: { role: 'controlling' },
  });
  const b = makePeer(net, {
    name: 'b',
    bases: [v6('fd00::2', 6001)],
    options: { role: 'controlled' },
  });
  return { a, b };
}

export function isConnected(e: AgentEndpoint): boolean {
  return e.agent.state === 'connected' || e.agent.state === 'completed';
}

/** Connected on the pair nomination chose, not only on a valid pair before it. */
export function isNominated(e: AgentEndpoint): boolean {
  return isConnected(e) && e.agent.nominated;
}

/** Cuts (or with heal = true restores) every path between the two endpoints' addresses. */
export function partition(net: SimNetwork, a: AgentEndpoint, b: AgentEndpoint, heal = false) {
  for (const x of a.keys) {
    for (const y of b.keys) {
      if (heal) net.heal(x, y);
      else net.partition(x, y);
    }
  }
}

export function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

/**
 * Gives `to` a remote candidate ranked above all others that never answers: a controlling
 * agent holds its nomination back for it (up to its nominationTimeout), so data goes on a
 * valid pair before any nomination.
 */
export function addPhantomCandidate(
  to: { addRemoteCandidate(c: IceCandidate, now: number): void },
  address = 'fd00::99',
): void {
  const parsed = parseCandidate(`candidate:9 1 udp 2147483647 ${address} 9 typ host`);
  if (!parsed.ok) throw new Error(parsed.error);
  to.addRemoteCandidate(parsed.candidate, 0);
}
