/**
 * The three W3C RTCPeerConnection implementations the comparative benchmark drives: tsrtc and
 * the native anchors' Node bindings (@roamhq/wrtc over libwebrtc, node-datachannel over
 * libdatachannel/usrsctp), typed structurally (there is no DOM library in this project), plus
 * the offer/answer plumbing every workload shares. Only the W3C API is used.
 */

import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type {
  DataChannelInit,
  DataChannelLike,
  IceCandidateInit,
  IceCandidateLike,
  PeerConnectionConstructor,
  PeerConnectionLike,
  SessionDescriptionInit,
} from '../demo/w3c.js';

export type {
  DataChannelInit,
  DataChannelLike,
  IceCandidateInit,
  PeerConnectionConstructor,
  PeerConnectionLike,
  SessionDescriptionInit,
};

export type StackName =
  | 'tsrtc'
  | 'tsrtc-worker'
  | 'tsrtc-pmtu'
  | 'tsrtc-worker-pmtu'
  | 'tsrtc-shared'
  | 'wrtc'
  | 'node-datachannel';
/**
 * The stacks a run measures unless --stacks names others. The -pmtu variants (path MTU
 * discovery: packets larger than the default 1,192 bytes) are reported apart, on request; so is
 * tsrtc-shared.
 */
export const STACK_NAMES: readonly StackName[] = [
  'tsrtc',
  'tsrtc-worker',
  'wrtc',
  'node-datachannel',
];

interface TsrtcExtras {
  worker?: true;
  pathMtuDiscovery?: true;
  sharedPort?: number;
}

/**
 * The Node extras each tsrtc variant sets in every configuration, and those only its answering
 * side adds. tsrtc-shared is a server's set-up: every answering connection of the process on
 * one UDP port per address (`tsrtc.sharedPort`), the offering side as plain tsrtc (two ends on
 * the same shared port could not tell their datagrams apart).
 */
const TSRTC_VARIANTS: Readonly<Record<string, { extras: TsrtcExtras; answerer?: TsrtcExtras }>> = {
  tsrtc: { extras: {} },
  'tsrtc-worker': { extras: { worker: true } },
  'tsrtc-pmtu': { extras: { pathMtuDiscovery: true } },
  'tsrtc-worker-pmtu': { extras: { worker: true, pathMtuDiscovery: true } },
  'tsrtc-shared': { extras: {}, answerer: { sharedPort: 0 } },
};

/** tsrtc in one of its variants. */
export function isTsrtc(name: StackName): boolean {
  return name in TSRTC_VARIANTS;
}

export type Side = 'offerer' | 'answerer';

export interface Stack {
  readonly name: StackName;
  /** The constructor each side of a connection uses: the same one except for tsrtc-shared. */
  readonly RTCPeerConnection: Readonly<Record<Side, PeerConnectionConstructor>>;
  /**
   * Whether `bufferedamountlow` fires. @roamhq/wrtc never fires it, so senders on it poll
   * `bufferedAmount` instead.
   */
  readonly firesBufferedAmountLow: boolean;
  /**
   * Whether a channel created once the connection is up fires `open`. On @roamhq/wrtc it does
   * not (its readyState turns to "open" silently), so the workloads poll readyState there.
   */
  readonly firesLateOpen: boolean;
}

/**
 * tsrtc as its users get it: the built package (dist/, what `npm run build` compiles and the
 * package publishes), not the TypeScript sources through tsx. tsx compiles with esbuild's
 * keepNames, which names every function it creates with a defineProperty call: on the sources
 * each connection carried about 9 KiB more heap (a dictionary of properties per named closure)
 * and paid those calls in every setup.
 */
const PACKAGE_ENTRY = new URL('../dist/index.js', import.meta.url);

/** Loads a stack, or returns why it cannot run. */
export async function loadStack(name: StackName): Promise<Stack | string> {
  try {
    if (isTsrtc(name)) {
      if (!existsSync(fileURLToPath(PACKAGE_ENTRY))) {
        return 'dist/ is not built: npm run bench builds it (npm run build)';
      }
      const mod = (await import(PACKAGE_ENTRY.href)) as Record<string, unknown>;
      if (typeof mod.RTCPeerConnection !== 'function') {
        return 'dist/index.js does not export RTCPeerConnection';
      }
      const Base = mod.RTCPeerConnection as PeerConnectionConstructor;
      const variant = TSRTC_VARIANTS[name]!;
      const offerer = await withExtras(Base, variant.extras);
      return {
        name,
        RTCPeerConnection: {
          offerer,
          answerer: variant.answerer
            ? await withExtras(Base, { ...variant.extras, ...variant.answerer })
            : offerer,
        },
        firesBufferedAmountLow: true,
        firesLateOpen: true,
      };
    }
    if (name === 'node-datachannel') {
      const mod = await import('node-datachannel/polyfill');
      const Ctor = mod.RTCPeerConnection as unknown as PeerConnectionConstructor;
      return {
        name,
        RTCPeerConnection: { offerer: Ctor, answerer: Ctor },
        firesBufferedAmountLow: true,
        firesLateOpen: true,
      };
    }
    if (name !== 'wrtc') return 'unknown stack';
    const mod = (await import('@roamhq/wrtc')) as unknown as {
      default: { RTCPeerConnection: PeerConnectionConstructor };
    };
    const Ctor = mod.default.RTCPeerConnection;
    return {
      name,
      RTCPeerConnection: { offerer: Ctor, answerer: Ctor },
      firesBufferedAmountLow: false,
      firesLateOpen: false,
    };
  } catch (err) {
    return `cannot be loaded: ${(err as Error).message}`;
  }
}

let gcFunction: (() => void) | undefined;

/**
 * A full garbage collection, between two measurements: @roamhq/wrtc keeps each closed
 * connection's native threads (about four per connection) until its JS object is collected,
 * and after 60 setups those 240 threads cost the process 11-13% of a core while idle, which
 * the next stack measured would pay for.
 *
 * It costs a JIT-compiled stack what V8's own collections do not: a forced collection keeps
 * no map without a live object (those V8 schedules in a busy process keep the maps that
 * optimised code uses), so with no connection left V8 drops the optimised code of everything a
 * connection ran. tsrtc's setup then needs more than 40 setups to come back (median over 40
 * setups after a forced collection 4.1-4.8 ms, without one 2.9-3.0 ms). The workloads that
 * measure a warm process warm up after it: setup before every repetition, the round trip on
 * its own channel, channels with a second pass.
 */
export function collectGarbage(): void {
  if (gcFunction === undefined) {
    setFlagsFromString('--expose-gc');
    gcFunction = runInNewContext('gc') as () => void;
  }
  gcFunction();
}

/**
 * Waits until this process has used less than `busyShare` of a core over a 100 ms window, for
 * at most `maxMs`; resolves with the time waited. The measure covers all its threads: the
 * native stacks tear their connections down on threads of their own after close(), and on a
 * 2-core machine that work, still running, would weigh on the next stack's measurement (a
 * round-trip p99 several times higher right after another stack's setups).
 */
export async function waitForQuiet(busyShare = 0.15, maxMs = 3000): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const before = process.cpuUsage();
    const w0 = performance.now();
    await sleep(100);
    const used = process.cpuUsage(before);
    const share = (used.user + used.system) / 1000 / (performance.now() - w0);
    const waited = performance.now() - t0;
    if (share < busyShare || waited >= maxMs) return waited;
  }
}

/** node-datachannel keeps native threads alive until told to let go. */
export async function releaseNativeStacks(): Promise<void> {
  try {
    const mod = await import('node-datachannel');
    mod.default.cleanup();
  } catch {
    // not loaded or not installed
  }
}

/** A resolved/rejected-once latch with a timeout, so no wait can hang a run. */
export function deferred<T = void>(): {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
} {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}

export class TimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what}: timeout after ${ms} ms`);
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(what, ms)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Every peer connection a measurement creates, so that a measurement that times out or fails
 * can still close them all.
 */
export class PeerSet {
  readonly peers: PeerConnectionLike[] = [];
  constructor(readonly stack: Stack) {}

  create(side: Side): PeerConnectionLike {
    const pc = new this.stack.RTCPeerConnection[side]({ iceServers: [] });
    this.peers.push(pc);
    return pc;
  }

  closeAll(): void {
    for (const pc of this.peers.splice(0)) {
      try {
        pc.close();
      } catch {
        // closing is best effort
      }
    }
  }
}

function candidateInit(c: IceCandidateLike): IceCandidateInit {
  return { candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex };
}

/**
 * The signaling one side of a connection needs: candidates trickle as soon as they appear and
 * are held until the remote description is set. Only UDP candidates are signaled.
 */
export class Signaling {
  private pending: IceCandidateInit[] = [];
  private haveRemote = false;

  constructor(
    readonly pc: PeerConnectionLike,
    sendCandidate: (c: IceCandidateInit) => void,
  ) {
    pc.onicecandidate = (ev) => {
      const c = ev.candidate;
      // UDP only: libwebrtc's TCP candidates, when many connections start at once, make it
      // open sockets by the thousand until it runs out of file descriptors.
      if (c?.candidate && / udp /i.test(c.candidate)) sendCandidate(candidateInit(c));
    };
  }

  async setRemote(d: SessionDescriptionInit): Promise<void> {
    await this.pc.setRemoteDescription(d);
    this.haveRemote = true;
    const held = this.pending.splice(0);
    for (const c of held) await this.addCandidate(c);
  }

  async addCandidate(c: IceCandidateInit): Promise<void> {
    if (!this.haveRemote) {
      this.pending.push(c);
      return;
    }
    try {
      await this.pc.addIceCandidate(c);
    } catch {
      // A candidate a stack cannot use (another address family, say) is not fatal.
    }
  }
}

/** Waits for a channel to be open; `poll` also watches readyState, for stacks that open silently. */
export function channelOpen(ch: DataChannelLike, poll = false): Promise<void> {
  if (ch.readyState === 'open') return Promise.resolve();
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const settle = (err?: Error) => {
      clearInterval(timer);
      ch.onopen = null;
      if (err) reject(err);
      else resolve();
    };
    ch.onopen = () => settle();
    ch.onclose = () => settle(new Error(`channel ${ch.label} closed before opening`));
    if (poll) {
      timer = setInterval(() => {
        if (ch.readyState === 'open') settle();
      }, 1);
    }
  });
}

export interface ConnectedPair {
  a: PeerConnectionLike;
  b: PeerConnectionLike;
  /** The channel `a` created, open. */
  ca: DataChannelLike;
  /** Its other end on `b`, open. */
  cb: DataChannelLike;
}

/**
 * Two peer connections in this process, `a` offering with one data channel, connected through
 * trickle ICE; resolves when the channel is open on both ends.
 */
export async function connectPair(
  set: PeerSet,
  label = 'bench',
  init: DataChannelInit = {},
): Promise<ConnectedPair> {
  const a = set.create('offerer');
  const b = set.create('answerer');
  const sa: Signaling = new Signaling(a, (c) => void sb.addCandidate(c));
  const sb: Signaling = new Signaling(b, (c) => void sa.addCandidate(c));
  const remoteChannel = deferred<DataChannelLike>();
  b.ondatachannel = (ev) => {
    const ch = ev.channel;
    channelOpen(ch).then(() => remoteChannel.resolve(ch), remoteChannel.reject);
  };
  const ca = a.createDataChannel(label, init);
  const localOpen = channelOpen(ca);
  const offer = await a.createOffer();
  await a.setLocalDescription(offer);
  await sb.setRemote(offer);
  const answer = await b.createAnswer();
  await b.setLocalDescription(answer);
  await sa.setRemote(answer);
  const [, cb] = await Promise.all([localOpen, remoteChannel.promise]);
  return { a, b, ca, cb };
}

/**
 * The same constructor with `extras` set in every configuration. With `worker`, the threads
 * start with the first connections, and from the TypeScript sources they compile first (over a
 * second): they are started here, before anything is measured.
 */
async function withExtras(
  Base: PeerConnectionConstructor,
  extras: object,
): Promise<PeerConnectionConstructor> {
  if (Object.keys(extras).length === 0) return Base;
  const Ctor = class extends (Base as new (config?: object) => PeerConnectionLike) {
    constructor(config: { tsrtc?: object } = {}) {
      super({ ...config, tsrtc: { ...config.tsrtc, ...extras } });
    }
  } as unknown as PeerConnectionConstructor;
  if ('worker' in extras) {
    const pcs = Array.from({ length: availableParallelism() }, () => new Ctor());
    await Promise.all(
      pcs.map((pc) => (pc as unknown as { getStats(): Promise<unknown> }).getStats()),
    );
    for (const pc of pcs) pc.close();
  }
  return Ctor;
}
