/**
 * The comparative benchmark: the same workloads, through the W3C API only, on tsrtc and on the
 * native anchors @roamhq/wrtc (libwebrtc) and node-datachannel (libdatachannel + usrsctp),
 * interleaved in one run (each repetition runs every stack in turn). Every figure is the median
 * over --reps repetitions and is printed with tsrtc's ratio to each native stack.
 *
 * Workloads (`--only name[,name]`): throughput, throughput-2p, setup, rtt, pairs, channels,
 * unordered. Flags: --reps N (3), --size MiB per transfer (64), --pairs N (200), --setups N (30),
 * --setup-warmup N unmeasured setups before each repetition (100),
 * --rtts N (2000), --rtt-warmup N unmeasured round trips first (1000), --idle seconds (10), --concurrency N pairs opening at once (50),
 * --unordered N messages (16384), --stacks tsrtc,wrtc,node-datachannel, --profile DIR (write a
 * V8 CPU profile of each tsrtc measurement there; summarise with bench/profile.ts).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { CHANNELS, timeChannels } from './channels.js';
import { PeerProcess, PeerProcessPool } from './child.js';
import type { BenchOptions } from './index.js';
import { Payloads } from './payload.js';
import type { PairsResult } from './peer-process.js';
import {
  type ConnectedPair,
  channelOpen,
  collectGarbage,
  connectPair,
  type DataChannelInit,
  isTsrtc,
  loadStack,
  PeerSet,
  releaseNativeStacks,
  Signaling,
  STACK_NAMES,
  type Stack,
  type StackName,
  sleep,
  TimeoutError,
  waitForQuiet,
  withTimeout,
} from './stacks.js';
import {
  flushed,
  HIGH_WATER,
  LOW_WATER,
  pacingNote,
  receiveOrdered,
  sendPaced,
} from './transfer.js';

export const workloads = [
  'throughput',
  'throughput-2p',
  'setup',
  'rtt',
  'pairs',
  'channels',
  'unordered',
] as const;
type WorkloadName = (typeof workloads)[number];

interface Metric {
  key: string;
  label: string;
  unit: string;
  better: 'higher' | 'lower' | 'none';
  digits: number;
}

/** What a measurement may need cleaned up if it fails or times out. */
class Guard {
  private readonly sets: PeerSet[] = [];
  private readonly cleanups: (() => void | Promise<void>)[] = [];

  peers(stack: Stack): PeerSet {
    const s = new PeerSet(stack);
    this.sets.push(s);
    return s;
  }

  onFailure(fn: () => void | Promise<void>): void {
    this.cleanups.push(fn);
  }

  async close(failed: boolean): Promise<void> {
    for (const s of this.sets) s.closeAll();
    if (failed) for (const fn of this.cleanups) await fn();
  }
}

interface Case {
  label: string;
  metrics: Metric[];
  timeoutMs: number;
  run(stack: Stack, guard: Guard): Promise<Record<string, number>>;
}

interface Settings {
  reps: number;
  sizeMiB: number;
  pairs: number;
  setups: number;
  setupWarmup: number;
  rtts: number;
  rttWarmup: number;
  idleMs: number;
  concurrency: number;
  unordered: number;
}

interface Workload {
  name: WorkloadName;
  title: string;
  cases: Case[];
  notes: (stacks: Stack[]) => string[];
  /** Called once after the workload, whatever happened. */
  finish?: () => Promise<void>;
}

const KiB = 1024;
const MiB = 1024 * 1024;
const fmtBytes = (n: number) => (n % MiB === 0 ? `${n / MiB} MiB` : `${n / KiB} KiB`);

/** This process's open-file limit (children inherit it), as /proc reports it. */
function fdLimit(): string {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    return line?.split(/\s+/)[3] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Nearest-rank percentile. */
function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

const mbps = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);

function pacingNotes(stacks: Stack[]): string[] {
  return [
    `sender pacing: queue while bufferedAmount < ${HIGH_WATER / MiB} MiB, then wait for bufferedamountlow (threshold ${LOW_WATER / MiB} MiB)`,
    ...stacks.map(pacingNote).filter((n): n is string => !!n),
  ];
}

/**
 * Datagrams the kernel dropped because a UDP socket's receive buffer was full (IPv4 and IPv6),
 * from /proc/net/snmp{,6}: inside the private namespace, only this benchmark's traffic counts.
 */
function udpReceiveBufferDrops(): number {
  let n = 0;
  try {
    const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n');
    const [head, vals] = lines.filter((l) => l.startsWith('Udp:'));
    const i = head?.split(/\s+/).indexOf('RcvbufErrors') ?? -1;
    if (vals && i > 0) n += Number(vals.split(/\s+/)[i]) || 0;
  } catch {
    // not Linux: no figure
  }
  try {
    const m = /Udp6RcvbufErrors\s+(\d+)/.exec(readFileSync('/proc/net/snmp6', 'utf8'));
    if (m) n += Number(m[1]);
  } catch {
    // no IPv6 statistics
  }
  return n;
}

/** A connection that does not open by then is retried once, then the measurement fails. */
const CONNECT_TIMEOUT_MS = 20_000;

async function connect(
  stack: Stack,
  guard: Guard,
  label: string,
  init?: DataChannelInit,
): Promise<ConnectedPair> {
  for (let attempt = 1; ; attempt++) {
    const set = guard.peers(stack);
    try {
      return await withTimeout(connectPair(set, label, init), CONNECT_TIMEOUT_MS, 'connect');
    } catch (err) {
      set.closeAll();
      const why =
        err instanceof TimeoutError ? `not open in ${CONNECT_TIMEOUT_MS / 1000} s` : String(err);
      if (attempt >= 2) throw new Error(`connection ${why}, twice`);
      console.log(`    (${stack.name}: connection ${why}; retrying once)`);
    }
  }
}

// ---- 1. bulk transfer, both peers in this process ----

const THROUGHPUT_METRICS: Metric[] = [
  { key: 'mbps', label: 'MB/s', unit: 'MB/s', better: 'higher', digits: 1 },
  { key: 'rcvbuf', label: 'UDP rcvbuf drops', unit: 'drops', better: 'none', digits: 0 },
];

function throughputCase(size: number, total: number): Case {
  return {
    label: `${fmtBytes(size)} messages`,
    metrics: THROUGHPUT_METRICS,
    timeoutMs: 90_000,
    async run(stack, guard) {
      const { ca, cb } = await connect(stack, guard, 'bulk');
      const payloads = new Payloads(size);
      const count = Math.ceil(total / size);
      const received = receiveOrdered(cb, payloads, count);
      const drops0 = udpReceiveBufferDrops();
      const t0 = performance.now();
      await sendPaced(ca, stack, count, (seq) => payloads.make(seq));
      const r = await received;
      if (r.bad > 0) throw new Error(`${r.bad} messages out of order or corrupt`);
      return { mbps: mbps(count * size, r.lastAt - t0), rcvbuf: udpReceiveBufferDrops() - drops0 };
    },
  };
}

// ---- 2. bulk transfer, receiver in a child process ----

function throughput2pCases(
  sizes: number[],
  total: number,
): { cases: Case[]; finish(): Promise<void> } {
  const children = new PeerProcessPool();
  const cases = sizes.map(
    (size): Case => ({
      label: `${fmtBytes(size)} messages`,
      metrics: THROUGHPUT_METRICS,
      timeoutMs: 90_000,
      async run(stack, guard) {
        guard.onFailure(() => children.drop(stack.name));
        const child = await children.for(stack.name);
        const a = guard.peers(stack).create('offerer');
        const sig = new Signaling(a, (c) => child.send({ t: 'cand', c }));
        child.onCandidate = (c) => void sig.addCandidate(c);
        const ca = a.createDataChannel('bulk');
        const open = channelOpen(ca);
        const offer = await a.createOffer();
        await a.setLocalDescription(offer);
        child.send({ t: 'offer', sdp: { type: offer.type, sdp: offer.sdp } });
        const opened = async () => {
          await sig.setRemote((await child.next('answer')).sdp);
          await Promise.all([open, child.next('open')]);
        };
        try {
          await withTimeout(opened(), CONNECT_TIMEOUT_MS, 'connect');
        } catch (err) {
          if (!(err instanceof TimeoutError)) throw err;
          throw new Error(`connection not open in ${CONNECT_TIMEOUT_MS / 1000} s`);
        }
        const payloads = new Payloads(size);
        const count = Math.ceil(total / size);
        child.send({ t: 'expect', size, count });
        await child.next('armed');
        const drops0 = udpReceiveBufferDrops();
        const t0 = performance.now();
        await sendPaced(ca, stack, count, (seq) => payloads.make(seq));
        const done = await child.next('done');
        const ms = performance.now() - t0;
        child.send({ t: 'hangup' });
        if (done.bad > 0) throw new Error(`${done.bad} messages out of order or corrupt`);
        return { mbps: mbps(count * size, ms), rcvbuf: udpReceiveBufferDrops() - drops0 };
      },
    }),
  );
  return { cases, finish: () => children.stopAll() };
}

// ---- 3. connection setup ----

const SETUP_TIMEOUT_MS = 10_000;

/**
 * As for the round trip, the warm-up is for a JIT-compiled stack: setting a connection up runs
 * far more distinct code than a round trip, and V8 is still optimising it for the first few
 * hundred setups of a process (tsrtc's median in one process: about 4.5 ms over the first 200,
 * 2.3 ms after 1,500). A long-running server sees the warm figure. The warm-up comes before
 * every repetition, since the collection between measurements throws the optimised code away
 * again (see collectGarbage). Every stack gets the same unmeasured setups.
 */
function setupCase(setups: number, warmup: number): Case {
  return {
    label: `${setups} setups`,
    metrics: [
      { key: 'median', label: 'median ms', unit: 'ms', better: 'lower', digits: 1 },
      { key: 'p90', label: 'p90 ms', unit: 'ms', better: 'lower', digits: 1 },
    ],
    timeoutMs: 30_000 + (setups + warmup) * 2_000,
    async run(stack, guard) {
      const samples: number[] = [];
      let stuck = 0;
      for (let i = 0; i < warmup + setups; i++) {
        const set = guard.peers(stack);
        const t0 = performance.now();
        try {
          await withTimeout(connectPair(set, 'setup'), SETUP_TIMEOUT_MS, 'one setup');
          if (i >= warmup) samples.push(performance.now() - t0);
        } catch (err) {
          // node-datachannel leaves about one connection in a few hundred unopened: it counts
          // as a setup of the time-out (a warm-up one only towards the limit of three), not as
          // a failed stack.
          if (!(err instanceof TimeoutError) || ++stuck > 3) throw err;
          if (i >= warmup) samples.push(SETUP_TIMEOUT_MS);
        } finally {
          set.closeAll();
        }
        await sleep(5);
      }
      if (stuck > 0) {
        console.log(
          `    (${stack.name}: ${stuck} setup(s) not open in ${SETUP_TIMEOUT_MS / 1000} s)`,
        );
      }
      return { median: median(samples), p90: percentile(samples, 90) };
    },
  };
}

// ---- 4. ping-pong ----

/**
 * The warm-up matters for a JIT-compiled stack: a fresh process spends its first ~2,000 round
 * trips partly in unoptimised code, and that shows in the p99, not in a long-running server.
 * Every stack gets the same warm-up on the same channel.
 */
function rttCase(rtts: number, warmup: number): Case {
  return {
    label: `32-byte ping-pong x${rtts}`,
    metrics: [
      { key: 'median', label: 'median µs', unit: 'µs', better: 'lower', digits: 0 },
      { key: 'p99', label: 'p99 µs', unit: 'µs', better: 'lower', digits: 0 },
    ],
    timeoutMs: 30_000 + (rtts + warmup) * 10,
    async run(stack, guard) {
      const { ca, cb } = await connect(stack, guard, 'ping');
      ca.binaryType = 'arraybuffer';
      cb.binaryType = 'arraybuffer';
      cb.onmessage = (ev) => cb.send(ev.data as ArrayBuffer);
      let answered: (() => void) | undefined;
      ca.onmessage = () => answered?.();
      const msg = new Uint8Array(32);
      const samples: number[] = [];
      for (let i = 0; i < warmup + rtts; i++) {
        const got = new Promise<void>((r) => {
          answered = r;
        });
        const t0 = performance.now();
        msg[0] = i & 0xff;
        ca.send(msg);
        await got;
        if (i >= warmup) samples.push((performance.now() - t0) * 1000);
      }
      return { median: median(samples), p99: percentile(samples, 99) };
    },
  };
}

// ---- 5. many connection pairs in one (child) process ----

function pairsCase(pairs: number, idleMs: number, concurrency: number): Case {
  return {
    label: `${pairs} pairs`,
    metrics: [
      { key: 'openMs', label: 'open all, ms', unit: 'ms', better: 'lower', digits: 0 },
      { key: 'fds', label: 'fds/conn', unit: '', better: 'lower', digits: 1 },
      { key: 'heapKiB', label: 'heap KiB/conn', unit: 'KiB', better: 'lower', digits: 1 },
      { key: 'rssKiB', label: 'RSS KiB/conn', unit: 'KiB', better: 'lower', digits: 1 },
      {
        key: 'cpu',
        label: `idle CPU % (${idleMs / 1000} s)`,
        unit: '%',
        better: 'lower',
        digits: 2,
      },
      { key: 'opened', label: 'pairs opened', unit: '', better: 'none', digits: 0 },
      { key: 'answering', label: 'pairs answering', unit: '', better: 'none', digits: 0 },
    ],
    timeoutMs: 90_000 + pairs * 150 + idleMs,
    async run(stack, guard) {
      const child = await PeerProcess.start(stack.name);
      guard.onFailure(() => child.kill());
      try {
        child.send({ t: 'pairs', pairs, idleMs, concurrency });
        let r: PairsResult;
        try {
          r = (await child.next('pairs')).result;
        } catch (err) {
          const { opened, fds } = child.progress;
          throw new Error(
            `${(err as Error).message} after ${opened}+ pairs open (${fds} open files then)`,
          );
        }
        return {
          openMs: r.openMs,
          fds: r.fdsPerPc,
          heapKiB: r.heapPerPc / KiB,
          rssKiB: r.rssPerPc / KiB,
          cpu: r.idleCpuPct,
          opened: r.opened,
          answering: r.answering,
        };
      } finally {
        await child.stop();
      }
    },
  };
}

// ---- 6. 1,024 channels on one connection ----

/**
 * tsrtc runs in this process, warm from the workloads before, as in the others. The native
 * stacks run in a child process per stack (reused across repetitions): @roamhq/wrtc aborts
 * (SIGABRT) in about one run of this workload in three, which would otherwise end the whole
 * bench; the child dies instead, and the repetitions it did count.
 *
 * Each repetition makes two passes, each on a new connection, and reports both. The
 * collection between measurements throws away much of tsrtc's optimised code (see
 * collectGarbage), so the first pass shows what a JIT-compiled stack pays right after a forced
 * collection; the second, the figure of a process that is already running (1024 channels open
 * in about 20-30 ms then, 100-150 ms in the first pass). The native stacks' child processes collect nothing between passes: for
 * them the two differ only by the first pass warming up.
 */
function channelsCases(): { cases: Case[]; finish(): Promise<void> } {
  const children = new PeerProcessPool();
  const cases: Case[] = [
    {
      label: `${CHANNELS} channels`,
      metrics: [
        { key: 'ms', label: 'total ms, second pass', unit: 'ms', better: 'lower', digits: 0 },
        { key: 'firstMs', label: 'total ms, first pass', unit: 'ms', better: 'lower', digits: 0 },
      ],
      timeoutMs: 60_000,
      async run(stack, guard) {
        let pass: () => Promise<number>;
        if (isTsrtc(stack.name)) {
          pass = async () => {
            const pair = await connect(stack, guard, 'c0');
            try {
              return await timeChannels(stack, pair);
            } finally {
              pair.a.close();
              pair.b.close();
            }
          };
        } else {
          guard.onFailure(() => children.drop(stack.name));
          const child = await children.for(stack.name);
          pass = async () => {
            child.send({ t: 'channels' });
            return (await child.next('channels')).ms;
          };
        }
        const firstMs = await pass();
        return { firstMs, ms: await pass() };
      },
    },
  ];
  return { cases, finish: () => children.stopAll() };
}

// ---- 7. unordered, no retransmissions ----

function unorderedCase(count: number): Case {
  const size = KiB;
  return {
    label: `${count} x 1 KiB`,
    metrics: [
      { key: 'lost', label: 'messages lost', unit: '', better: 'lower', digits: 0 },
      { key: 'lostPct', label: 'lost %', unit: '%', better: 'lower', digits: 2 },
      { key: 'mbps', label: 'delivered MB/s', unit: 'MB/s', better: 'higher', digits: 1 },
      { key: 'rcvbuf', label: 'UDP rcvbuf drops', unit: 'drops', better: 'none', digits: 0 },
    ],
    timeoutMs: 90_000,
    async run(stack, guard) {
      const { ca, cb } = await connect(stack, guard, 'lossy', {
        ordered: false,
        maxRetransmits: 0,
      });
      const payloads = new Payloads(size);
      const seen = new Uint8Array(count);
      let received = 0;
      let corrupt = 0;
      let lastAt = 0;
      cb.binaryType = 'arraybuffer';
      cb.onmessage = (ev) => {
        const seq = payloads.check(ev.data);
        if (seq < 0 || seq >= count || seen[seq]) corrupt++;
        else {
          seen[seq] = 1;
          received++;
          lastAt = performance.now();
        }
      };
      const drops0 = udpReceiveBufferDrops();
      const t0 = performance.now();
      await sendPaced(ca, stack, count, (seq) => payloads.make(seq));
      await flushed(ca);
      // Whatever has not arrived 500 ms after the last arrival is lost.
      for (let seenBefore = -1; received < count && received !== seenBefore; ) {
        seenBefore = received;
        await sleep(500);
      }
      if (corrupt > 0) throw new Error(`${corrupt} messages corrupt or duplicated`);
      return {
        lost: count - received,
        lostPct: ((count - received) / count) * 100,
        mbps: mbps(received * size, lastAt - t0),
        rcvbuf: udpReceiveBufferDrops() - drops0,
      };
    },
  };
}

// ---- the runner ----

function buildWorkloads(s: Settings): Workload[] {
  const total = s.sizeMiB * MiB;
  const sizes = [16 * KiB, 64 * KiB];
  const twoProc = throughput2pCases(sizes, total);
  const channels = channelsCases();
  return [
    {
      name: 'throughput',
      title: `1. reliable ordered channel, one process: ${fmtBytes(total)} (MB/s, 1 MB = 10^6 bytes; higher is better)`,
      cases: sizes.map((size) => throughputCase(size, total)),
      notes: pacingNotes,
    },
    {
      name: 'throughput-2p',
      title: `2. reliable ordered channel, receiver in a child process, signaling over IPC: ${fmtBytes(total)} (MB/s, 1 MB = 10^6 bytes)`,
      cases: twoProc.cases,
      notes: pacingNotes,
      finish: twoProc.finish,
    },
    {
      name: 'setup',
      title:
        '3. setup: two new RTCPeerConnections to a data channel open on both ends (trickle ICE, in one process)',
      cases: [setupCase(s.setups, s.setupWarmup)],
      notes: () => [],
    },
    {
      name: 'rtt',
      title: '4. round trip of a 32-byte message, echoed by the other peer in this process',
      cases: [rttCase(s.rtts, s.rttWarmup)],
      notes: () => [],
    },
    {
      name: 'pairs',
      title: `5. ${s.pairs} connection pairs in one child process (up to ${s.concurrency} opening at once, 20 s each at most); memory per RTCPeerConnection; idle CPU in % of one core; pairs echoing after the idle period`,
      cases: [pairsCase(s.pairs, s.idleMs, s.concurrency)],
      notes: (stacks) => [
        `per RTCPeerConnection figures divide by 2 × pairs opened; open all = until the last pair that opened; open-file limit ${fdLimit()}`,
        ...(stacks.some((st) => st.name.includes('worker'))
          ? [
              'tsrtc worker variants: heap is the main thread only (the transport threads have heaps of their own); RSS counts every thread',
            ]
          : []),
      ],
    },
    {
      name: 'channels',
      title: `6. ${CHANNELS} channels on one connection, one message each way (the first channel opens with the connection; of the rest, half are created by each peer)`,
      cases: channels.cases,
      finish: channels.finish,
      notes: (stacks) =>
        stacks
          .filter((st) => !st.firesLateOpen)
          .map(
            (st) =>
              `${st.name}: fires no open event for channels created after connecting; readyState polled every 1 ms`,
          ),
    },
    {
      name: 'unordered',
      title: `7. unordered, maxRetransmits 0, ${s.unordered} messages of 1 KiB sent as fast as the sender's buffer allows; lost = sent - received, 500 ms after the last arrival`,
      cases: [unorderedCase(s.unordered)],
      notes: pacingNotes,
    },
  ];
}

/**
 * Runs `fn` under the V8 CPU profiler and writes the profile to `file` (for --profile: only
 * this process's JavaScript thread is sampled, which is where all of tsrtc runs).
 */
async function profiled<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  }
}

interface Cell {
  samples: Record<string, number>[];
  status?: string;
}

export interface SummaryRow {
  workload: string;
  metric: string;
  values: Record<string, string>;
  ratios: Record<string, string>;
}

/** A failure as a table cell: its kind, and for a child that died, how far it got. */
function shortStatus(status: string | undefined): string {
  if (!status) return 'no data';
  if (status === 'timeout') return 'timeout';
  const far = / after (\d+\+ pairs open)/.exec(status);
  return far ? `failed after ${far[1]}` : 'failed';
}

function fmt(v: number, digits: number): string {
  return v.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

function num(args: BenchOptions['args'], key: string, dflt: number, zeroAllowed = false): number {
  const v = Number(args[key]);
  return Number.isFinite(v) && (v > 0 || (zeroAllowed && v === 0)) ? v : dflt;
}

export async function run(opts: BenchOptions): Promise<void> {
  const started = performance.now();
  const s: Settings = {
    reps: opts.reps,
    sizeMiB: num(opts.args, 'size', 64),
    pairs: num(opts.args, 'pairs', 200),
    setups: num(opts.args, 'setups', 30),
    setupWarmup: num(opts.args, 'setup-warmup', 100, true),
    rtts: num(opts.args, 'rtts', 2000),
    rttWarmup: num(opts.args, 'rtt-warmup', 1000, true),
    idleMs: num(opts.args, 'idle', 10) * 1000,
    concurrency: num(opts.args, 'concurrency', 50),
    unordered: num(opts.args, 'unordered', 16384),
  };
  const only = typeof opts.args.only === 'string' ? opts.args.only.split(',') : [];
  const wanted = only.filter((n) => (workloads as readonly string[]).includes(n));
  const profileDir = typeof opts.args.profile === 'string' ? opts.args.profile : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const stackNames =
    typeof opts.args.stacks === 'string'
      ? (opts.args.stacks.split(',') as StackName[])
      : [...STACK_NAMES];

  const stacks: Stack[] = [];
  const skipped = new Map<StackName, string>();
  for (const name of stackNames) {
    const st = await loadStack(name);
    if (typeof st === 'string') {
      skipped.set(name, st);
      console.log(`${name}: skipped (${st})`);
    } else stacks.push(st);
  }
  console.log(
    `reps ${s.reps} (figures are medians over reps); stacks interleaved in each rep: ${stacks.map((st) => st.name).join(', ')}`,
  );
  if (process.env.NETNS_RUN !== '1') {
    console.log('not in the private network namespace: native stacks may not connect');
  }

  const summary: SummaryRow[] = [];
  const ours = stackNames.filter(isTsrtc);
  const natives = stackNames.filter((n) => !isTsrtc(n));
  const ratioKeys = ours.flatMap((o) => natives.map((n) => `${o}/${n}`));
  for (const w of buildWorkloads(s)) {
    if (wanted.length > 0 && !wanted.includes(w.name)) continue;
    console.log(`\n### ${w.title}`);
    for (const note of w.notes(stacks)) console.log(`  (${note})`);
    const cells = new Map<Case, Map<StackName, Cell>>(
      w.cases.map((c) => [c, new Map(stacks.map((st) => [st.name, { samples: [] }]))]),
    );
    try {
      for (let rep = 1; rep <= s.reps; rep++) {
        for (const c of w.cases) {
          for (const st of stacks) {
            const cell = cells.get(c)!.get(st.name)!;
            if (cell.status) continue;
            const guard = new Guard();
            const t0 = performance.now();
            let failed = false;
            try {
              const measure = () =>
                withTimeout(c.run(st, guard), c.timeoutMs, `${st.name} ${c.label}`);
              const r =
                profileDir && isTsrtc(st.name)
                  ? await profiled(
                      join(
                        profileDir,
                        `${w.name}-${c.label.replace(/\W+/g, '_')}-${rep}.cpuprofile`,
                      ),
                      measure,
                    )
                  : await measure();
              cell.samples.push(r);
              const shown = c.metrics.map((m) => `${fmt(r[m.key]!, m.digits)} ${m.unit}`.trim());
              console.log(
                `  rep ${rep}  ${c.label.padEnd(24)} ${st.name.padEnd(17)} ${shown.join(' | ')}  (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
              );
            } catch (err) {
              failed = true;
              cell.status =
                err instanceof TimeoutError
                  ? 'timeout'
                  : `failed: ${err instanceof Error ? err.message : String(err)}`;
              console.log(
                `  rep ${rep}  ${c.label.padEnd(24)} ${st.name.padEnd(17)} ${cell.status}`,
              );
            } finally {
              await guard.close(failed);
              await sleep(50);
              collectGarbage();
              await waitForQuiet();
            }
          }
        }
      }
    } finally {
      await w.finish?.();
    }
    for (const c of w.cases) {
      const byStack = cells.get(c)!;
      for (const m of c.metrics) {
        const values: Record<string, string> = {};
        const medians = new Map<StackName, number>();
        for (const name of stackNames) {
          const cell = byStack.get(name);
          if (!cell) values[name] = 'skipped';
          else if (cell.samples.length === 0) values[name] = shortStatus(cell.status);
          else {
            const v = median(cell.samples.map((r) => r[m.key]!));
            medians.set(name, v);
            values[name] =
              fmt(v, m.digits) + (cell.status ? ` (then ${shortStatus(cell.status)})` : '');
          }
        }
        const ratios: Record<string, string> = {};
        for (const o of ours) {
          const t = medians.get(o);
          for (const n of natives) {
            const v = medians.get(n);
            ratios[`${o}/${n}`] =
              m.better === 'none' || t === undefined || v === undefined || v === 0
                ? '—'
                : `${(t / v).toFixed(2)}`;
          }
        }
        summary.push({ workload: `${w.name}: ${c.label}`, metric: m.label, values, ratios });
        const ratioText = ratioKeys.map((k) => `${k} ${ratios[k]}`).join(', ');
        const dir = m.better === 'none' ? '' : ` [${m.better} is better]`;
        console.log(
          `  ${c.label} — ${m.label}${dir}: ${stackNames.map((n) => `${n} ${values[n]}`).join(' | ')}  (${ratioText})`,
        );
      }
    }
  }

  await releaseNativeStacks();
  printSummary(summary, stackNames, ratioKeys, (performance.now() - started) / 1000);
}

function printSummary(
  rows: SummaryRow[],
  stackNames: StackName[],
  ratioKeys: string[],
  seconds: number,
): void {
  if (rows.length === 0) return;
  console.log(
    `\n### summary (medians; ratio = tsrtc ÷ native; run took ${seconds.toFixed(0)} s)\n`,
  );
  const head = ['workload', 'figure', ...stackNames, ...ratioKeys];
  console.log(`| ${head.join(' | ')} |`);
  console.log(`|${head.map(() => ' --- ').join('|')}|`);
  for (const r of rows) {
    const cells = [
      r.workload,
      r.metric,
      ...stackNames.map((n) => r.values[n] ?? ''),
      ...ratioKeys.map((k) => r.ratios[k] ?? ''),
    ];
    console.log(`| ${cells.join(' | ')} |`);
  }
}
