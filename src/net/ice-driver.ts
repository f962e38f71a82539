import { networkInterfaces } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { IceAgentOptions, IceCandidate, IceEvent, IceTransportState } from '../ice/agent.js';
import { IceAgent } from '../ice/agent.js';
import { randomPwd, randomUfrag } from '../ice/credentials.js';
import type { Address } from '../stun/index.js';
import {
  type LocalAddress,
  type LocalAddressOptions,
  type NetworkInterfaceMap,
  readIpv6AddressFlags,
  selectLocalAddresses,
} from './interfaces.js';
import { type MdnsOptions, MdnsService } from './mdns.js';
import { parseStunServer, resolveStunServer } from './stun-server.js';
import { bindUdpSocket, type PortRange } from './udp.js';
import { UdpEndpoint, type UdpEndpointStats } from './udp-endpoint.js';

export interface IceDriverOptions extends Omit<IceAgentOptions, 'now' | 'stunServers'> {
  /**
   * STUN servers as "stun:host[:port]" URIs or "host[:port]"; host names are resolved before
   * gathering. A server that cannot be parsed or resolved becomes a 'candidate-error' event
   * (error code 701, as browsers report unreachable servers).
   */
  stunServers?: string[];
  /** Which local addresses to gather on (default: one per usable interface and family). */
  addresses?: LocalAddressOptions;
  /** Bind every socket within this port range (default: ports chosen by the OS). */
  portRange?: PortRange;
  /** Options for the process-wide mDNS service, used only for ".local" names. */
  mdns?: MdnsOptions;
  /** How long to wait for an mDNS answer before the remote candidate is dropped (default 5 s). */
  mdnsTimeoutMs?: number;
  /** Keep the process alive while the driver is open (default true). */
  ref?: boolean;
  /** Replaces os.networkInterfaces(), for tests. */
  networkInterfaces?: () => NetworkInterfaceMap;
  /** Every agent event, in order, including 'data'. Also settable as `driver.onEvent`. */
  onEvent?: (event: IceEvent) => void;
  /** Non-fatal I/O problems (a socket that failed and was dropped, mDNS errors, ...). */
  onError?: (error: Error) => void;
}

/** Counters summed over the driver's sockets. */
export type IceDriverStats = UdpEndpointStats;

/** A call made before start() created the agent, replayed in order afterwards. */
type DeferredCall = (agent: IceAgent, now: number) => void;

/**
 * Drives one sans-IO `IceAgent` over real UDP sockets: one socket per chosen local address, one
 * timer re-armed at `agent.nextTimeout()`, DNS for STUN servers and mDNS for ".local" names.
 *
 * After every input (a datagram, the timer, a call from the user) it drains the agent's
 * transmits to the sockets and its events to `onEvent`, then re-arms the timer. Listeners may
 * call back into the driver; the drain loop picks up whatever they queued.
 *
 * Lifecycle: `new IceDriver(opts)` (credentials are known at once), `await start()` (resolves
 * STUN servers, binds sockets, starts gathering), then the remote side's calls in any order
 * (calls made before start() finished are queued), `close()` when done.
 */
export class IceDriver {
  onEvent: ((event: IceEvent) => void) | undefined;
  onError: ((error: Error) => void) | undefined;

  private agentInstance: IceAgent | undefined;
  private readonly initialUfrag: string;
  private readonly initialPwd: string;
  private readonly opts: IceDriverOptions;
  private readonly endpoints: UdpEndpoint[] = [];
  private readonly deferred: DeferredCall[] = [];
  private readonly mdnsNames = new Set<string>();
  private mdns: MdnsService | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.NaN;
  private flushing = false;
  private flushAgain = false;
  private started = false;
  private closed = false;
  private readonly endpointStatsOfClosed: UdpEndpointStats = {
    datagramsSent: 0,
    bytesSent: 0,
    datagramsReceived: 0,
    bytesReceived: 0,
    sendErrors: 0,
  };

  constructor(opts: IceDriverOptions) {
    this.opts = opts;
    this.onEvent = opts.onEvent;
    this.onError = opts.onError;
    this.initialUfrag = opts.localUfrag ?? randomUfrag();
    this.initialPwd = opts.localPwd ?? randomPwd();
  }

  /** The current local ufrag: known from construction, new after restart(). */
  get localUfrag(): string {
    return this.agentInstance?.localUfrag ?? this.initialUfrag;
  }

  get localPwd(): string {
    return this.agentInstance?.localPwd ?? this.initialPwd;
  }

  /**
   * The agent, once start() has created it. For reading (candidates, selected pair); calls that
   * change it go through the driver, which sends what they produce.
   */
  get agent(): IceAgent | undefined {
    return this.agentInstance;
  }

  get state(): IceTransportState {
    if (this.closed) return 'closed';
    return this.agentInstance?.state ?? 'new';
  }

  /** The addresses of the bound sockets (the host candidates' bases). */
  get localAddresses(): Address[] {
    return this.endpoints.map((e) => e.local);
  }

  get stats(): IceDriverStats {
    const sum = { ...this.endpointStatsOfClosed };
    for (const e of this.endpoints) addStats(sum, e.stats);
    return sum;
  }

  /**
   * Resolves STUN servers, creates the agent, binds one socket per local address and hands them
   * to the agent. Rejects only if no socket could be bound at all (the reasons are in the
   * error); a single address failing is reported through onError.
   */
  async start(): Promise<void> {
    if (this.started) throw new Error('IceDriver.start() called twice');
    this.started = true;
    const locals = this.chooseLocalAddresses();
    const [{ stunServers, candidateErrors }, bound] = await Promise.all([
      this.resolveStunServers(),
      Promise.allSettled(
        locals.map((l) =>
          bindUdpSocket(l.address, { portRange: this.opts.portRange, scope: scopeOf(l) }),
        ),
      ),
    ]);
    if (this.closed) {
      for (const b of bound) if (b.status === 'fulfilled') b.value.close();
      return;
    }

    const {
      stunServers: _s,
      addresses: _a,
      portRange: _p,
      mdns: _m,
      mdnsTimeoutMs: _t,
      ref: _r,
      networkInterfaces: _n,
      onEvent: _e,
      onError: _o,
      ...agentOpts
    } = this.opts;
    const agent = new IceAgent({
      ...agentOpts,
      localUfrag: this.initialUfrag,
      localPwd: this.initialPwd,
      stunServers,
      now: performance.now(),
    });
    this.agentInstance = agent;

    const failures: string[] = [];
    bound.forEach((b, i) => {
      if (b.status === 'rejected') {
        const reason = b.reason instanceof Error ? b.reason.message : String(b.reason);
        failures.push(`${locals[i]!.address}: ${reason}`);
        this.reportError(new Error(`cannot bind UDP on ${locals[i]!.address}: ${reason}`));
        return;
      }
      const endpoint = new UdpEndpoint(
        b.value,
        this.onDatagram,
        this.onSocketError,
        scopeOf(locals[i]!),
      );
      if (this.opts.ref === false) endpoint.setRef(false);
      this.endpoints.push(endpoint);
    });

    const now = performance.now();
    for (const e of this.endpoints) agent.addLocalAddress(e.local, now);
    agent.endOfLocalAddresses(now);
    for (const call of this.deferred.splice(0)) call(agent, now);
    this.flush();
    for (const ev of candidateErrors) this.dispatch(ev);

    if (this.endpoints.length === 0) {
      const why = locals.length === 0 ? 'no usable local address' : failures.join('; ');
      throw new Error(`ICE gathering has no socket: ${why}`);
    }
  }

  setRemoteCredentials(ufrag: string, pwd: string): void {
    this.call((a, now) => a.setRemoteCredentials(ufrag, pwd, now));
  }

  addRemoteCandidate(candidate: IceCandidate): void {
    this.call((a, now) => a.addRemoteCandidate(candidate, now));
  }

  endOfRemoteCandidates(): void {
    this.call((a, now) => a.endOfRemoteCandidates(now));
  }

  /** ICE restart: new local credentials (given, or generated by the agent). */
  restart(ufrag?: string, pwd?: string): void {
    this.call((a, now) => a.restart(now, ufrag, pwd));
  }

  /** Queues a datagram on the selected pair and sends it; false when there is none yet. */
  send(data: Uint8Array): boolean {
    const agent = this.agentInstance;
    if (!agent || this.closed) return false;
    const ok = agent.send(data);
    if (ok) this.flush();
    return ok;
  }

  /** Closes the agent, the sockets, the timer and this driver's use of mDNS. Idempotent. */
  close(): void {
    if (this.closed) return;
    const agent = this.agentInstance;
    if (agent) {
      agent.close(performance.now());
      this.flush();
    }
    this.closed = true;
    this.clearTimer();
    for (const e of this.endpoints) {
      addStats(this.endpointStatsOfClosed, e.stats);
      e.close();
    }
    this.endpoints.length = 0;
    this.deferred.length = 0;
    if (this.mdns) {
      for (const name of this.mdnsNames) this.mdns.unregister(name);
      this.mdns.release();
      this.mdns = undefined;
    }
    this.mdnsNames.clear();
  }

  private call(fn: DeferredCall): void {
    if (this.closed) return;
    const agent = this.agentInstance;
    if (!agent) {
      this.deferred.push(fn);
      return;
    }
    fn(agent, performance.now());
    this.flush();
  }

  private readonly onDatagram = (endpoint: UdpEndpoint, data: Uint8Array, remote: Address) => {
    const agent = this.agentInstance;
    if (!agent || this.closed) return;
    agent.handleDatagram(data, remote, endpoint.local, performance.now());
    this.flush();
  };

  private readonly onSocketError = (endpoint: UdpEndpoint, err: Error) => {
    const i = this.endpoints.indexOf(endpoint);
    if (i >= 0) this.endpoints.splice(i, 1);
    addStats(this.endpointStatsOfClosed, endpoint.stats);
    endpoint.close();
    const local = endpoint.local;
    this.reportError(
      new Error(`UDP socket ${local.address}:${local.port} failed and was closed: ${err.message}`, {
        cause: err,
      }),
    );
  };

  private readonly onTimer = () => {
    this.timer = undefined;
    this.timerAt = Number.NaN;
    const agent = this.agentInstance;
    if (!agent || this.closed) return;
    agent.handleTimeout(performance.now());
    this.flush();
  };

  /** Drains transmits and events until both are empty, then re-arms the timer. */
  private flush(): void {
    const agent = this.agentInstance;
    if (!agent) return;
    if (this.flushing) {
      this.flushAgain = true;
      return;
    }
    this.flushing = true;
    try {
      do {
        this.flushAgain = false;
        for (let t = agent.pollTransmit(); t !== undefined; t = agent.pollTransmit()) {
          this.endpointFor(t.local)?.send(t.data, t.remote);
        }
        for (let ev = agent.pollEvent(); ev !== undefined; ev = agent.pollEvent()) {
          this.handleEvent(ev);
          // An event listener may have queued transmits (send() inside 'data', ...).
          this.flushAgain = true;
        }
      } while (this.flushAgain);
    } finally {
      this.flushing = false;
    }
    this.armTimer(agent);
  }

  private endpointFor(local: Address): UdpEndpoint | undefined {
    for (const e of this.endpoints) {
      if (e.local.port === local.port && e.local.address === local.address) return e;
    }
    return undefined;
  }

  private handleEvent(ev: IceEvent): void {
    if (ev.type === 'mdns-register') this.registerMdns(ev.hostname, ev.address);
    else if (ev.type === 'mdns-query') this.resolveMdns(ev.hostname);
    this.dispatch(ev);
  }

  private dispatch(ev: IceEvent): void {
    if (!this.onEvent) return;
    try {
      this.onEvent(ev);
    } catch (err) {
      // A throwing listener must not leave the agent half-drained.
      queueMicrotask(() => {
        throw err;
      });
    }
  }

  private armTimer(agent: IceAgent): void {
    if (this.closed) return;
    const at = agent.nextTimeout();
    if (at === undefined) {
      this.clearTimer();
      return;
    }
    if (this.timer !== undefined && at === this.timerAt) return;
    this.clearTimer();
    this.timerAt = at;
    // Node timers have 1 ms resolution and may fire a fraction early against
    // performance.now(); the agent then just asks again.
    this.timer = setTimeout(this.onTimer, Math.max(0, Math.ceil(at - performance.now())));
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.NaN;
  }

  private mdnsService(): MdnsService {
    if (!this.mdns) {
      this.mdns = MdnsService.acquire(this.opts.mdns);
      this.mdns.onError ??= (err) => this.reportError(err);
    }
    return this.mdns;
  }

  private registerMdns(hostname: string, address: string): void {
    this.mdnsNames.add(hostname);
    this.mdnsService().register(hostname, address);
  }

  private resolveMdns(hostname: string): void {
    const timeoutMs = this.opts.mdnsTimeoutMs ?? 5000;
    void this.mdnsService()
      .resolve(hostname, { timeoutMs })
      .then((address) => {
        const agent = this.agentInstance;
        if (!agent || this.closed) return;
        agent.resolveMdns(hostname, address, performance.now());
        this.flush();
      });
  }

  private chooseLocalAddresses(): LocalAddress[] {
    const ifaces = (this.opts.networkInterfaces ?? networkInterfaces)();
    const addressOpts = this.opts.addresses ?? {};
    return selectLocalAddresses(ifaces, {
      ...addressOpts,
      ipv6Flags: addressOpts.ipv6Flags ?? readIpv6AddressFlags(),
    });
  }

  private async resolveStunServers(): Promise<{
    stunServers: Address[];
    candidateErrors: IceEvent[];
  }> {
    const stunServers: Address[] = [];
    const candidateErrors: IceEvent[] = [];
    const fail = (url: string, errorText: string) =>
      candidateErrors.push({
        type: 'candidate-error',
        address: '',
        port: 0,
        url,
        errorCode: 701,
        errorText,
      });
    const specs = (this.opts.stunServers ?? []).map((url) => ({ url, spec: parseStunServer(url) }));
    const results = await Promise.allSettled(
      specs.map(({ spec }) =>
        'error' in spec ? Promise.reject(new Error(spec.error)) : resolveStunServer(spec),
      ),
    );
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') {
        for (const a of r.value) {
          if (!stunServers.some((s) => s.address === a.address && s.port === a.port)) {
            stunServers.push(a);
          }
        }
      } else {
        const reason = r.reason instanceof Error ? r.reason.message : String(r.reason);
        fail(specs[i]!.url, reason);
      }
    });
    return { stunServers, candidateErrors };
  }

  private reportError(err: Error): void {
    if (!this.onError) return;
    try {
      this.onError(err);
    } catch (e) {
      queueMicrotask(() => {
        throw e;
      });
    }
  }
}

function scopeOf(l: LocalAddress): string | undefined {
  return l.family === 'IPv6' && l.scopeId ? l.interface : undefined;
}

function addStats(into: UdpEndpointStats, from: UdpEndpointStats): void {
  into.datagramsSent += from.datagramsSent;
  into.bytesSent += from.bytesSent;
  into.datagramsReceived += from.datagramsReceived;
  into.bytesReceived += from.bytesReceived;
  into.sendErrors += from.sendErrors;
}
