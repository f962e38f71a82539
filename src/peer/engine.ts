/**
 * The connection engine the W3C layer uses: one composite core (PeerCore) driven over real UDP
 * by one CoreDriver. All protocol logic lives in the core; this class holds the driver, maps
 * the contract's calls onto the core and passes its events on.
 */
import {
  type DataChannel,
  type DataChannelInit,
  DataChannelManager,
} from '../datachannel/index.js';
import type { DtlsCertificate, DtlsRole } from '../dtls/index.js';
import { randomPwd, randomUfrag } from '../ice/credentials.js';
import type { IceCandidate, IceRole } from '../ice/index.js';
import { CoreDriver, type LocalAddressOptions } from '../net/index.js';
import type { ConnectionEngine } from './connection-engine.js';
import type { PeerCoreEvent, PeerEngineEvent } from './events.js';
import {
  type ChannelLayer,
  PeerCore,
  type PeerCoreOptions,
  type SctpTransportParams,
} from './peer-core.js';
import { buildEngineStats, type PeerEngineStats } from './stats.js';

interface ClosedEngineState {
  ufrag: string;
  pwd: string;
  role: IceRole;
  remoteCertificate: Uint8Array | undefined;
  stats: PeerEngineStats;
}

export interface PeerEngineOptions {
  /** Already validated by the W3C layer. STUN URLs are used; others become candidate errors. */
  iceServers: { urls: string[]; username?: string; credential?: string }[];
  /** 'relay' gathers nothing: there is no TURN client yet, and host/srflx must not be used. */
  iceTransportPolicy: 'all' | 'relay';
  certificate: DtlsCertificate;
  /** Node extras, passed through from the RTCPeerConnection constructor's own options. */
  addresses?: LocalAddressOptions;
  portRange?: { min: number; max: number };
  /** Share the process's sockets on this UDP port with other connections (see UdpMux). */
  sharedPort?: number;
  /** Hide host addresses behind random ".local" names, as browsers do (default false). */
  mdns?: boolean;
  /** Tuning of the cores (timers, MTU), mostly for tests. */
  cores?: Pick<PeerCoreOptions, 'dtls' | 'sctp'> & { ice?: PeerCoreOptions['ice'] };
  /** Non-fatal I/O problems (a socket that failed, mDNS errors). */
  onError?: (error: Error) => void;
  /** Credentials of the first gathering (default: random). */
  ice?: { ufrag: string; pwd: string };
  /** Where the association's events go (default: this engine's own data channels). */
  channels?: ChannelLayer;
}

/**
 * The largest SCTP packet sent without path MTU discovery: with DTLS around it (at most 37
 * bytes, with AES-GCM), UDP and IPv6 headers, it fits IPv6's minimum MTU of 1,280 bytes, which
 * RFC 8831 names as the initial path MTU for IPv6 and which routers never fragment. A
 * 1,200-byte packet would be a 1,285-byte IPv6 packet, lost or fragmented on a 1,280-byte path
 * (tunnels, some mobile networks). Chrome's SCTP packets are 1,191 bytes for the same reason.
 */
export const BASE_SCTP_PACKET = 1192;

/**
 * The largest SCTP packet path MTU discovery probes for: with DTLS, UDP and IPv6 headers as
 * above, it fills a 1,500-byte Ethernet MTU.
 */
export const PMTU_MAX_SCTP_PACKET = 1412;

/** The largest message we accept (our a=max-message-size): SCTP's reassembly limit. */
export const LOCAL_MAX_MESSAGE_SIZE = 262144;

/**
 * Lifecycle: construct (credentials and fingerprints are known at once), `await
 * startGathering()` (sockets bound, candidates start to flow), the remote description's calls
 * (setRemoteIce, addRemoteCandidate, startTransport; made before gathering started they are
 * queued and replayed), `close()`. Events arrive synchronously on `onEvent`; once close() has
 * been called no more are delivered, as the W3C close() fires none.
 */
export class PeerEngine implements ConnectionEngine {
  onEvent: (e: PeerEngineEvent) => void = () => {};
  readonly localFingerprints: { algorithm: string; value: string }[];

  private readonly driver: CoreDriver<PeerCore, PeerCoreEvent>;
  private readonly channels: ChannelLayer;
  private readonly initialUfrag: string;
  private readonly initialPwd: string;
  private readonly relayOnly: boolean;
  private iceRole: IceRole = 'controlling';
  private gathering: Promise<void> | undefined;
  private closed = false;
  /** What the getters answer once closed: the driver has let the core go. */
  private closedState: ClosedEngineState | undefined;

  constructor(opts: PeerEngineOptions) {
    this.initialUfrag = opts.ice?.ufrag ?? randomUfrag();
    this.initialPwd = opts.ice?.pwd ?? randomPwd();
    this.channels = opts.channels ?? new DataChannelManager();
    const certificate = opts.certificate;
    this.localFingerprints = [{ algorithm: 'sha-256', value: certificate.fingerprint('sha-256') }];
    const relayOnly = opts.iceTransportPolicy === 'relay';
    this.relayOnly = relayOnly;
    const urls = relayOnly ? [] : opts.iceServers.flatMap((s) => s.urls);
    this.driver = new CoreDriver<PeerCore, PeerCoreEvent>({
      stunServers: urls,
      addresses: relayOnly ? { addresses: [] } : opts.addresses,
      portRange: opts.portRange,
      sharedPort: opts.sharedPort,
      internalListener: true,
      createCore: ({ stunServers, now }) => {
        const core = new PeerCore({
          now,
          ice: {
            ...opts.cores?.ice,
            role: this.iceRole,
            localUfrag: this.initialUfrag,
            localPwd: this.initialPwd,
            stunServers,
            mdnsHostnames: opts.mdns === true,
          },
          certificate,
          channels: this.channels,
          dtls: opts.cores?.dtls,
          sctp: {
            maxMessageSize: LOCAL_MAX_MESSAGE_SIZE,
            mtu: BASE_SCTP_PACKET,
            ...opts.cores?.sctp,
          },
        });
        core.onOutput = this.requestFlush;
        return core;
      },
    });
    this.driver.onEvent = this.dispatch;
    this.driver.onError = opts.onError;
  }

  get localUfrag(): string {
    return this.closedState?.ufrag ?? this.driver.core?.ice.localUfrag ?? this.initialUfrag;
  }

  get localPwd(): string {
    return this.closedState?.pwd ?? this.driver.core?.ice.localPwd ?? this.initialPwd;
  }

  /**
   * Binds sockets and gathers. Idempotent: every call returns the same promise. Rejects when no
   * socket could be bound (with 'relay' it resolves with nothing gathered).
   */
  startGathering(): Promise<void> {
    if (this.gathering === undefined) {
      this.gathering = this.driver.start().catch((err: unknown) => {
        // Relay-only binds no socket on purpose: gathering completes with nothing.
        if (this.relayOnly && this.driver.core !== undefined) return;
        throw err;
      });
    }
    return this.gathering;
  }

  setIceRole(role: IceRole): void {
    this.iceRole = role;
    this.driver.call((core) => core.setIceRole(role));
  }

  setRemoteIce(ufrag: string, pwd: string): void {
    this.driver.call((core, now) => core.setRemoteCredentials(ufrag, pwd, now));
  }

  addRemoteCandidate(c: IceCandidate): void {
    this.driver.call((core, now) => core.addRemoteCandidate(c, now));
  }

  endOfRemoteCandidates(): void {
    this.driver.call((core, now) => core.endOfRemoteCandidates(now));
  }

  /**
   * New local credentials for an ICE restart we offer (chosen when the offer was created, or
   * here); gathering starts over with them.
   */
  restartIce(ufrag = randomUfrag(), pwd = randomPwd()): { ufrag: string; pwd: string } {
    this.driver.call((core, now) => core.restartIce(ufrag, pwd, now));
    return { ufrag, pwd };
  }

  /** Once, when the first remote description is applied. */
  startTransport(p: {
    dtlsRole: DtlsRole;
    remoteFingerprints: { algorithm: string; value: string }[];
    sctp?: SctpTransportParams;
  }): void {
    this.driver.call((core, now) => core.startTransport(p, now));
  }

  /** A data section added by a later negotiation, or the peer's new max-message-size. */
  startSctp(p: SctpTransportParams): void {
    this.driver.call((core, now) => core.startSctp(p, now));
  }

  /**
   * The W3C createDataChannel after its own checks; throws DataChannelError (src/datachannel)
   * for what the manager validates. The channel is returned at once, whatever the state.
   */
  createDataChannel(label: string, init: DataChannelInit): DataChannel {
    const core = this.driver.core;
    if (core === undefined) return this.channels.createChannel(label, init, this.now());
    return core.createDataChannel(label, init, this.now());
  }

  /** Sends on a channel of this engine (DataChannel.send with this engine's clock). */
  send(channel: DataChannel, data: string | Uint8Array): void {
    channel.send(data, this.now());
  }

  /** Closes a channel of this engine (DataChannel.close with this engine's clock). */
  closeChannel(channel: DataChannel): void {
    channel.close(this.now());
    this.requestFlush();
  }

  /** The clock of this engine's cores (ms, monotonic): what DataChannel.send/close take. */
  now(): number {
    return this.driver.now();
  }

  get iceRoleInUse(): IceRole {
    return this.closedState?.role ?? this.driver.core?.ice.role ?? this.iceRole;
  }

  /** The peer's certificate chain as DER (the leaf only: DTLS peers send one certificate). */
  get remoteCertificates(): Uint8Array[] {
    const cert = this.closedState
      ? this.closedState.remoteCertificate
      : this.driver.core?.dtls?.remoteCertificate;
    return cert === undefined ? [] : [cert];
  }

  /** min(inbound, outbound) SCTP streams once the association is up. */
  get sctpMaxChannels(): number | undefined {
    return this.channels.maxChannels ?? undefined;
  }

  stats(): PeerEngineStats {
    return this.closedState?.stats ?? buildEngineStats(this.driver.core);
  }

  /** SCTP ABORT and DTLS close_notify go out, then sockets close. Idempotent; no events follow. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const core = this.driver.core;
    this.driver.close();
    if (core !== undefined) {
      this.closedState = {
        ufrag: core.ice.localUfrag,
        pwd: core.ice.localPwd,
        role: core.ice.role,
        remoteCertificate: core.dtls?.remoteCertificate,
        stats: buildEngineStats(core),
      };
    }
  }

  private readonly requestFlush = (): void => {
    this.driver.requestFlush();
  };

  private readonly dispatch = (e: PeerCoreEvent): void => {
    if (this.closed) return;
    if (e.type === 'mdns-register' || e.type === 'mdns-query') return;
    this.onEvent(e);
  };
}
