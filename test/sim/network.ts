import { Prng } from './prng.js';

/**
 * A simulated datagram network with a virtual clock, for driving sans-IO protocol cores
 * deterministically: loss, delay with jitter (which reorders), duplication and an MTU, all
 * drawn from a seeded PRNG. Endpoints are identified by an opaque string key (for example
 * "10.0.0.1:5000"); what a key means is up to the test.
 */
export interface LinkConditions {
  /** Probability that a datagram is dropped. */
  loss?: number;
  /** Probability that a datagram is delivered twice. */
  duplicate?: number;
  /** One-way delay in ms. */
  delay?: number;
  /** Extra random delay in [0, jitter] ms per datagram; large jitter reorders. */
  jitter?: number;
  /** Datagrams larger than this are dropped, as on a path with that MTU. */
  mtu?: number;
}

export interface SimDatagram {
  from: string;
  to: string;
  data: Uint8Array;
}

interface InFlight extends SimDatagram {
  at: number;
  seq: number;
}

export interface SimNetworkStats {
  sent: number;
  delivered: number;
  dropped: number;
  duplicated: number;
  tooBig: number;
}

export class SimNetwork {
  readonly prng: Prng;
  now: number;
  private queue: InFlight[] = [];
  private seq = 0;
  private blocked = new Set<string>();
  private perLink = new Map<string, LinkConditions>();
  readonly stats: SimNetworkStats = { sent: 0, delivered: 0, dropped: 0, duplicated: 0, tooBig: 0 };

  constructor(
    seed: number,
    public conditions: LinkConditions = {},
    startTime = 0,
  ) {
    this.prng = new Prng(seed);
    this.now = startTime;
  }

  /** Conditions for datagrams from `from` to `to` only (overrides the network-wide ones). */
  setLink(from: string, to: string, c: LinkConditions): void {
    this.perLink.set(`${from}>${to}`, c);
  }

  /** Drop everything sent from `from` to `to` (both directions with `partition`). */
  block(from: string, to: string): void {
    this.blocked.add(`${from}>${to}`);
  }

  unblock(from: string, to: string): void {
    this.blocked.delete(`${from}>${to}`);
  }

  partition(a: string, b: string): void {
    this.block(a, b);
    this.block(b, a);
  }

  heal(a: string, b: string): void {
    this.unblock(a, b);
    this.unblock(b, a);
  }

  send(from: string, to: string, data: Uint8Array): void {
    this.stats.sent++;
    const c = this.perLink.get(`${from}>${to}`) ?? this.conditions;
    if (this.blocked.has(`${from}>${to}`) || this.prng.chance(c.loss ?? 0)) {
      this.stats.dropped++;
      return;
    }
    if (c.mtu !== undefined && data.length > c.mtu) {
      this.stats.tooBig++;
      return;
    }
    // Copy: the sender may reuse its buffer once send returns, as with a real socket.
    const copy = data.slice();
    const copies = this.prng.chance(c.duplicate ?? 0) ? 2 : 1;
    if (copies === 2) this.stats.duplicated++;
    for (let i = 0; i < copies; i++) {
      const at = this.now + (c.delay ?? 0) + this.prng.next() * (c.jitter ?? 0);
      this.queue.push({ from, to, data: copy, at, seq: this.seq++ });
    }
  }

  /** Time of the next delivery, if any datagram is in flight. */
  nextDelivery(): number | undefined {
    let min: number | undefined;
    for (const d of this.queue) if (min === undefined || d.at < min) min = d.at;
    return min;
  }

  /** Removes and returns every datagram due at or before `now`, in arrival order. */
  takeDue(now: number): SimDatagram[] {
    const due: InFlight[] = [];
    const rest: InFlight[] = [];
    for (const d of this.queue) (d.at <= now ? due : rest).push(d);
    this.queue = rest;
    due.sort((a, b) => a.at - b.at || a.seq - b.seq);
    this.stats.delivered += due.length;
    return due;
  }

  get inFlight(): number {
    return this.queue.length;
  }
}

/**
 * One endpoint attached to a SimNetwork: an adapter around a sans-IO core. `flush` moves the
 * core's pending transmits into the network; `receive` and `timeout` feed it input.
 */
export interface SimEndpoint {
  /** The network keys this endpoint receives on. */
  readonly keys: readonly string[];
  receive(d: SimDatagram, now: number): void;
  timeout(now: number): void;
  nextTimeout(): number | undefined;
  flush(net: SimNetwork): void;
}

/**
 * Runs the network and its endpoints on the virtual clock until `done()` holds or
 * `maxTime` (virtual ms) passes. Returns true when `done()` became true.
 */
export function runSimulation(
  net: SimNetwork,
  endpoints: SimEndpoint[],
  done: () => boolean,
  maxTime: number,
): boolean {
  const byKey = new Map<string, SimEndpoint>();
  for (const e of endpoints) for (const k of e.keys) byKey.set(k, e);
  const deadline = net.now + maxTime;
  for (const e of endpoints) e.flush(net);
  let guard = 0;
  while (!done()) {
    if (++guard > 10_000_000) throw new Error('simulation did not settle');
    let next = net.nextDelivery();
    for (const e of endpoints) {
      const t = e.nextTimeout();
      if (t !== undefined && (next === undefined || t < next)) next = t;
    }
    if (next === undefined || next > deadline) {
      net.now = deadline;
      return done();
    }
    if (next > net.now) net.now = next;
    for (const d of net.takeDue(net.now)) {
      const e = byKey.get(d.to);
      if (e) e.receive(d, net.now);
    }
    for (const e of endpoints) {
      const t = e.nextTimeout();
      if (t !== undefined && t <= net.now) e.timeout(net.now);
    }
    for (const e of endpoints) e.flush(net);
  }
  return true;
}
