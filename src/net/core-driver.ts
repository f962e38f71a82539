import type { Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import type { IceCandidateErrorEvent, IceEvent, IceTransmit } from '../ice/index.js';
import type { Address } from '../stun/index.js';
import { queuePlainMicrotask } from '../util/microtask.js';
import { withFields } from '../util/with-fields.js';
import {
  hostInterfaces,
  type LocalAddress,
  type LocalAddressOptions,
  type NetworkInterfaceMap,
  readIpv6AddressFlags,
  selectLocalAddresses,
} from './interfaces.js';
import { asIoTurn } from './io-turn.js';
import { type MdnsOptions, MdnsService } from './mdns.js';
import { parseStunServer, resolveStunServer } from './stun-server.js';
import { TimerSlot, timerWheel } from './timer-wheel.js';
import { bindUdpSocket, type PortRange } from './udp.js';
import { UdpEndpoint, type UdpEndpointStats } from './udp-endpoint.js';
import { type MuxClient, UdpMux } from './udp-mux.js';

/**
 * What the driver needs of a sans-IO core: the ICE agent itself, or a composite that owns an
 * agent plus the protocols above it. Datagrams carry the socket (base) they arrived on and the
 * transmits name the socket to send from, so one core can use many sockets.
 */
export interface DrivableCore<E extends { type: string }> {
  addLocalAddress(base: Address, now: number): void;
  endOfLocalAddresses(now: number): void;
  resolveMdns(hostname: string, address: string | undefined, now: number): void;
  handleDatagram(data: Uint8Array, remote: Address, local: Address, now: number): void;
  handleTimeout(now: number): void;
  nextTimeout(): number | undefined;
  pollTransmit(): IceTransmit | undefined;
  pollEvent(): E | undefined;
  close(now: number): void;
  /** The current local ufrag: on a shared port, STUN requests naming it come to this core. */
  readonly localUfrag?: string;
}

/** A STUN server that could not be parsed or resolved (error 701, as browsers report it). */
export type StunServerErrorEvent = IceCandidateErrorEvent;

export interface CoreDriverOptions<C> {
  /** Builds the core once sockets are bound and STUN servers resolved. */
  createCore: (init: { stunServers: Address[]; now: number }) => C;
  /**
   * STUN servers as "stun:host[:port]" URIs or "host[:port]"; host names are resolved before
   * gathering. A server that cannot be parsed or resolved becomes a 'candidate-error' event.
   */
  stunServers?: string[];
  /** Which local addresses to gather on (default: one per usable interface and family). */
  addresses?: LocalAddressOptions;
  /** Bind every socket within this port range (default: ports chosen by the OS). */
  portRange?: PortRange;
  /**
   * Use the process's shared sockets on this port (one per local address) instead of sockets
   * of its own; 0 shares one port per address chosen by the OS. See UdpMux.
   */
  sharedPort?: number;
  /** Options for the process-wide mDNS service, used only for ".local" names. */
  mdns?: MdnsOptions;
  /**
   * How long to wait for an mDNS answer before the remote candidate is dropped (default 15 s).
   * Chromium's responder sends at most one packet a second per interface, announcements and
   * goodbyes of all its connections included, so a busy browser can take several seconds to
   * answer.
   */
  mdnsTimeoutMs?: number;
  /** Keep the process alive while the driver is open (default true). */
  ref?: boolean;
  /** Replaces os.networkInterfaces(), for tests. */
  networkInterfaces?: () => NetworkInterfaceMap;
  /**
   * Set by the library's own engines, whose onEvent only queues work: received data and timers
   * are then handed over as I/O turns (see io-turn.ts). Never for an application's listener.
   */
  internalListener?: boolean;
}

/**
 * Socket buffer size asked of the OS (which caps it, e.g. at net.core.rmem_max on Linux). The
 * default (~208 KiB on Linux) overflows when the thread is busy for a moment under a bulk
 * transfer, and every drop costs the sender a retransmission and a congestion window cut.
 */
const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

/** Counters summed over the driver's sockets. */
export type CoreDriverStats = UdpEndpointStats;

/** A call made before start() created the core, replayed in order afterwards. */
export type CoreCall<C> = (core: C, now: number) => void;

/**
 * Drives one sans-IO core over real UDP sockets: one socket per chosen local address, one
 * timer re-armed at `core.nextTimeout()`, DNS for STUN servers and mDNS for ".local" names.
 *
 * After every input (a datagram, the timer, a call()) it drains the core's transmits to the
 * sockets and its events to `onEvent`, then re-arms the timer. Listeners may call back into
 * the driver; the drain loop picks up whatever they queued. Work a core queues outside those
 * inputs (a message sent by the application) is flushed once per event-loop turn through
 * requestFlush().
 */
export class CoreDriver<C extends DrivableCore<E>, E extends { type: string }> {
  onEvent: ((event: E | StunServerErrorEvent) => void) | undefined;
  onError: ((error: Error) => void) | undefined;

  private coreInstance: C | undefined;
  private readonly opts: CoreDriverOptions<C>;
  private readonly endpointList: UdpEndpoint[] = [];
  /** The shared port's sockets, when this driver uses one. */
  private mux: UdpMux | undefined;
  private readonly muxClient: MuxClient = {
    receive: (endpoint, data, remote) => this.onDatagram(endpoint, data, remote),
    socketFailed: (endpoint, err) => this.onSocketError(endpoint, err),
  };
  private readonly deferred: CoreCall<C>[] = [];
  /** Names this driver registered, made on the first (most connections register none). */
  private mdnsNames: Set<string> | undefined;
  private mdns: MdnsService | undefined;
  /** This driver's deadline on the process-wide timer wheel. */
  private readonly timer = new TimerSlot(() => this.onTimer());
  private flushing = false;
  private flushAgain = false;
  private flushQueued = false;
  private turnFlushQueued = false;
  private started = false;
  private closed = false;
  private readonly endpointStatsOfClosed: UdpEndpointStats = {
    datagramsSent: 0,
    bytesSent: 0,
    datagramsReceived: 0,
    bytesReceived: 0,
    sendErrors: 0,
  };

  constructor(opts: CoreDriverOptions<C>) {
    this.opts = opts;
  }

  /** The core, from when start() creates it until close(). */
  get core(): C | undefined {
    return this.coreInstance;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** The bound sockets. */
  get endpoints(): readonly UdpEndpoint[] {
    return this.endpointList;
  }

  /** The addresses of the bound sockets (the host candidates' bases). */
  get localAddresses(): Address[] {
    return this.endpointList.map((e) => e.local);
  }

  /** Datagram counters of this driver's own sockets (a shared port's are not counted). */
  get stats(): CoreDriverStats {
    const sum = { ...this.endpointStatsOfClosed };
    if (this.mux !== undefined) return sum;
    for (const e of this.endpointList) addStats(sum, e.stats);
    return sum;
  }

  /** The clock every input to the core is stamped with. */
  now(): number {
    return performance.now();
  }

  /**
   * Resolves STUN servers, creates the core, binds one socket per local address and hands them
   * to the core. Rejects only if no socket could be bound at all (the reasons are in the
   * error); a single address failing is reported through onError.
   */
  async start(): Promise<void> {
    if (this.started) throw new Error('driver start() called twice');
    this.started = true;
    const locals = this.chooseLocalAddresses();
    const shared = this.opts.sharedPort;
    if (shared !== undefined) this.mux = UdpMux.acquire(shared, this.muxClient);
    const mux = this.mux;
    // A shared socket serves every connection of the process: its buffers are set at once. A
    // socket of this connection's own gets them once it carries data (see UdpEndpoint).
    const bufferSizes = {
      recvBufferSize: SOCKET_BUFFER_BYTES,
      sendBufferSize: SOCKET_BUFFER_BYTES,
    };
    const [{ stunServers, candidateErrors }, bound] = await Promise.all([
      this.resolveStunServers(),
      Promise.allSettled(
        locals.map((l) =>
          mux !== undefined
            ? mux.endpoint(l.address, { scope: scopeOf(l), ...bufferSizes })
            : bindUdpSocket(l.address, { portRange: this.opts.portRange, scope: scopeOf(l) }),
        ),
      ),
    ]);
    if (this.closed) {
      if (mux === undefined) {
        for (const b of bound) if (b.status === 'fulfilled') (b.value as Socket).close();
      }
      return;
    }

    const core = this.opts.createCore({ stunServers, now: performance.now() });
    this.coreInstance = core;

    const failures: string[] = [];
    bound.forEach((b, i) => {
      if (b.status === 'rejected') {
        const reason = b.reason instanceof Error ? b.reason.message : String(b.reason);
        failures.push(`${locals[i]!.address}: ${reason}`);
        this.reportError(new Error(`cannot bind UDP on ${locals[i]!.address}: ${reason}`));
        return;
      }
      if (b.value instanceof UdpEndpoint) {
        this.endpointList.push(b.value);
        return;
      }
      const endpoint = new UdpEndpoint(
        b.value,
        this.onDatagram,
        this.onSocketError,
        scopeOf(locals[i]!),
        SOCKET_BUFFER_BYTES,
      );
      if (this.opts.ref === false) endpoint.setRef(false);
      this.endpointList.push(endpoint);
    });

    this.syncUfrag(core);
    const now = performance.now();
    for (const e of this.endpointList) core.addLocalAddress(e.local, now);
    core.endOfLocalAddresses(now);
    for (const call of this.deferred.splice(0)) call(core, now);
    this.flush();
    for (const ev of candidateErrors) this.dispatch(ev);

    if (this.endpointList.length === 0) {
      const why = locals.length === 0 ? 'no usable local address' : failures.join('; ');
      throw new Error(`ICE gathering has no socket: ${why}`);
    }
  }

  /**
   * Runs `fn` on the core with the current time, then sends what it produced. Before start()
   * has created the core the call is queued and replayed, in order, once it exists.
   */
  call(fn: CoreCall<C>): void {
    if (this.closed) return;
    const core = this.coreInstance;
    if (!core) {
      this.deferred.push(fn);
      return;
    }
    fn(core, performance.now());
    // An ICE restart (a call) changes the ufrag that the shared port routes by.
    if (this.mux !== undefined) this.syncUfrag(core);
    this.flush();
  }

  /** Flushes now: for work queued on the core outside an input (e.g. a send). */
  flushNow(): void {
    if (!this.closed) this.flush();
  }

  /** Flushes once, later in this event-loop turn, however often it is requested. */
  requestFlush(): void {
    if (this.flushQueued || this.closed) return;
    this.flushQueued = true;
    queuePlainMicrotask(this.onQueuedFlush);
  }

  /**
   * Closes the core (sending what its close produces), the sockets, the timer and this
   * driver's use of mDNS. Events the core emits while closing go to onEvent. Idempotent.
   * The core is let go: whatever still holds the driver (an application holding its closed
   * connection) does not keep the protocol state, its buffers and keys alive.
   */
  close(): void {
    if (this.closed) return;
    const core = this.coreInstance;
    if (core) {
      core.close(performance.now());
      this.flush();
    }
    this.coreInstance = undefined;
    this.closed = true;
    this.clearTimer();
    if (this.mux !== undefined) {
      this.mux.release(this.muxClient);
    } else {
      for (const e of this.endpointList) {
        addStats(this.endpointStatsOfClosed, e.stats);
        e.close();
      }
    }
    this.endpointList.length = 0;
    this.deferred.length = 0;
    if (this.mdns) {
      for (const name of this.mdnsNames ?? []) this.mdns.unregister(name);
      this.mdns.release(this.onMdnsError);
      this.mdns = undefined;
    }
    this.mdnsNames = undefined;
  }

  private readonly onMdnsError = (err: Error): void => {
    this.reportError(err);
  };

  private readonly onQueuedFlush = () => {
    this.flushQueued = false;
    if (!this.closed) this.flush();
  };

  /**
   * Datagrams are fed to the core as they are read, and the core's output is taken once all
   * the datagrams of this event-loop turn's poll phase have been read (setImmediate runs right
   * after it): one SACK and one burst of sends answer a whole batch, instead of each datagram.
   */
  private readonly onDatagram = (endpoint: UdpEndpoint, data: Uint8Array, remote: Address) => {
    const core = this.coreInstance;
    if (!core || this.closed) return;
    core.handleDatagram(data, remote, endpoint.local, performance.now());
    if (!this.turnFlushQueued) {
      this.turnFlushQueued = true;
      setImmediate(this.onTurnFlush);
    }
  };

  private readonly onTurnFlush = () => {
    this.turnFlushQueued = false;
    if (!this.closed) this.flushIo();
  };

  /** A flush from the I/O layer's own callback (received datagrams, a timer). */
  private flushIo(): void {
    if (this.opts.internalListener === true) asIoTurn(flushDriver, this);
    else this.flush();
  }

  private readonly onSocketError = (endpoint: UdpEndpoint, err: Error) => {
    const i = this.endpointList.indexOf(endpoint);
    if (i < 0) return;
    this.endpointList.splice(i, 1);
    // A shared socket is the mux's to close.
    if (this.mux === undefined) {
      addStats(this.endpointStatsOfClosed, endpoint.stats);
      endpoint.close();
    }
    const local = endpoint.local;
    this.reportError(
      new Error(`UDP socket ${local.address}:${local.port} failed and was closed: ${err.message}`, {
        cause: err,
      }),
    );
  };

  private onTimer(): void {
    const core = this.coreInstance;
    if (!core || this.closed) return;
    core.handleTimeout(performance.now());
    this.flushIo();
  }

  /** Drains transmits and events until both are empty, then re-arms the timer. */
  private flush(): void {
    const core = this.coreInstance;
    if (!core) return;
    if (this.flushing) {
      this.flushAgain = true;
      return;
    }
    this.flushing = true;
    try {
      do {
        this.flushAgain = false;
        for (let t = core.pollTransmit(); t !== undefined; t = core.pollTransmit()) {
          const endpoint = this.endpointFor(t.local);
          if (endpoint === undefined) continue;
          // What comes from where we send to is ours (see UdpMux).
          if (this.mux !== undefined) this.mux.claim(endpoint, t.remote, this.muxClient);
          endpoint.send(t.data, t.remote);
        }
        for (let ev = core.pollEvent(); ev !== undefined; ev = core.pollEvent()) {
          this.handleEvent(ev);
          // An event listener may have queued transmits (a send inside 'message', ...).
          this.flushAgain = true;
        }
      } while (this.flushAgain);
    } finally {
      this.flushing = false;
    }
    this.armTimer(core);
  }

  private syncUfrag(core: C): void {
    const ufrag = core.localUfrag;
    if (this.mux !== undefined && ufrag !== undefined) this.mux.setUfrag(this.muxClient, ufrag);
  }

  private endpointFor(local: Address): UdpEndpoint | undefined {
    for (const e of this.endpointList) {
      if (e.local.port === local.port && e.local.address === local.address) return e;
    }
    return undefined;
  }

  private handleEvent(ev: E): void {
    if (ev.type === 'mdns-register') {
      const r = ev as unknown as MdnsRegisterEvent;
      this.registerMdns(r.hostname, r.address);
    } else if (ev.type === 'mdns-query') {
      this.resolveMdns((ev as unknown as MdnsQueryEvent).hostname);
    }
    this.dispatch(ev);
  }

  private dispatch(ev: E | StunServerErrorEvent): void {
    if (!this.onEvent) return;
    try {
      this.onEvent(ev);
    } catch (err) {
      // A throwing listener must not leave the core half-drained.
      queueMicrotask(() => {
        throw err;
      });
    }
  }

  private armTimer(core: C): void {
    if (this.closed) return;
    const at = core.nextTimeout();
    if (at === undefined) {
      this.clearTimer();
      return;
    }
    // The deadline moves in place on the shared wheel (no Node timer per move), so it follows
    // the core exactly: a deadline left early would wake the core for nothing, which with
    // thousands of idle connections (a consent check's retransmission timer, cancelled by the
    // answer) costs more than moving it.
    timerWheel.schedule(this.timer, at);
  }

  private clearTimer(): void {
    timerWheel.cancel(this.timer);
  }

  private mdnsService(): MdnsService {
    this.mdns ??= MdnsService.acquire(this.opts.mdns, this.onMdnsError);
    return this.mdns;
  }

  private registerMdns(hostname: string, address: string): void {
    this.mdnsNames ??= new Set();
    this.mdnsNames.add(hostname);
    this.mdnsService().register(hostname, address);
  }

  private resolveMdns(hostname: string): void {
    const timeoutMs = this.opts.mdnsTimeoutMs ?? 15_000;
    void this.mdnsService()
      .resolve(hostname, { timeoutMs })
      .then((address) => {
        const core = this.coreInstance;
        if (!core || this.closed) return;
        core.resolveMdns(hostname, address, performance.now());
        this.flush();
      });
  }

  private chooseLocalAddresses(): LocalAddress[] {
    const addressOpts = this.opts.addresses ?? {};
    const custom = this.opts.networkInterfaces;
    const host = custom === undefined ? hostInterfaces() : undefined;
    const ifaces = custom !== undefined ? custom() : host!.interfaces;
    return selectLocalAddresses(
      ifaces,
      withFields(addressOpts, {
        ipv6Flags: addressOpts.ipv6Flags ?? host?.ipv6Flags ?? readIpv6AddressFlags(),
      }),
    );
  }

  private async resolveStunServers(): Promise<{
    stunServers: Address[];
    candidateErrors: StunServerErrorEvent[];
  }> {
    const stunServers: Address[] = [];
    const candidateErrors: StunServerErrorEvent[] = [];
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

/** Events a core emits for the driver to act on (the driver passes them on as well). */
export type MdnsRegisterEvent = Extract<IceEvent, { type: 'mdns-register' }>;
export type MdnsQueryEvent = Extract<IceEvent, { type: 'mdns-query' }>;

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

function flushDriver(driver: { flushNow(): void }): void {
  driver.flushNow();
}
