/**
 * The child process of the comparative benchmark, forked with an IPC channel and driven by its
 * messages (see `ChildCommand`). It runs either the receiving peer of the two-process transfer,
 * signaling over IPC, or the whole many-pairs workload, so that its heap, RSS and CPU figures
 * belong to one stack alone.
 */
import { readdirSync } from 'node:fs';
import { timeChannels } from './channels.js';
import { Payloads } from './payload.js';
import {
  type ConnectedPair,
  channelOpen,
  connectPair,
  type DataChannelLike,
  deferred,
  type IceCandidateInit,
  loadStack,
  type PeerConnectionLike,
  PeerSet,
  releaseNativeStacks,
  type SessionDescriptionInit,
  Signaling,
  type Stack,
  type StackName,
  sleep,
  withTimeout,
} from './stacks.js';
import { receiveOrdered } from './transfer.js';

export type ChildCommand =
  | { t: 'init'; stack: StackName }
  | { t: 'offer'; sdp: SessionDescriptionInit }
  | { t: 'cand'; c: IceCandidateInit }
  | { t: 'expect'; size: number; count: number }
  | { t: 'hangup' }
  | { t: 'pairs'; pairs: number; idleMs: number; concurrency: number }
  | { t: 'channels' }
  | { t: 'exit' };

export interface PairsResult {
  openMs: number;
  /** Pairs whose channel opened within PAIR_OPEN_TIMEOUT_MS. */
  opened: number;
  fdsPerPc: number;
  heapPerPc: number;
  rssPerPc: number;
  idleCpuPct: number;
  answering: number;
}

export type ChildReport =
  | { t: 'ready' }
  | { t: 'answer'; sdp: SessionDescriptionInit }
  | { t: 'cand'; c: IceCandidateInit }
  | { t: 'open' }
  | { t: 'armed' }
  | { t: 'done'; bad: number; received: number }
  | { t: 'pairs'; result: PairsResult }
  | { t: 'channels'; ms: number }
  | { t: 'progress'; opened: number; fds: number }
  | { t: 'error'; message: string };

/** A pair not open by then counts as failed, so one stuck pair cannot stall the workload. */
const PAIR_OPEN_TIMEOUT_MS = 20_000;

const report = (r: ChildReport) => process.send?.(r);

let stack: Stack | undefined;
let set: PeerSet | undefined;
let pc: PeerConnectionLike | undefined;
let signaling: Signaling | undefined;
let channel: Promise<DataChannelLike> | undefined;

/** Open file descriptors of this process (Linux), or 0 where that cannot be read. */
function openFds(): number {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return 0;
  }
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function hangup(): Promise<void> {
  set?.closeAll();
  pc = undefined;
  signaling = undefined;
  channel = undefined;
}

async function acceptOffer(sdp: SessionDescriptionInit): Promise<void> {
  await hangup();
  set = new PeerSet(stack!);
  pc = set.create('answerer');
  signaling = new Signaling(pc, (c) => report({ t: 'cand', c }));
  const ch = deferred<DataChannelLike>();
  channel = ch.promise;
  pc.ondatachannel = (ev) => {
    channelOpen(ev.channel, !stack!.firesLateOpen).then(() => {
      ch.resolve(ev.channel);
      report({ t: 'open' });
    }, ch.reject);
  };
  await signaling.setRemote(sdp);
  const answer = await pc.createAnswer();
  await pc.setLocalDescription(answer);
  report({ t: 'answer', sdp: { type: answer.type, sdp: answer.sdp } });
}

async function expect(size: number, count: number): Promise<void> {
  const ch = await channel!;
  const received = receiveOrdered(ch, new Payloads(size), count);
  report({ t: 'armed' });
  const r = await received;
  report({ t: 'done', bad: r.bad, received: r.received });
}

/**
 * Opens `pairs` connection pairs (at most `concurrency` at a time), measures memory per peer
 * connection, idles, then checks that every pair still echoes.
 */
async function runPairs(pairs: number, idleMs: number, concurrency: number): Promise<PairsResult> {
  const s = new PeerSet(stack!);
  // One throwaway pair first, so one-time costs (threads, certificates) are not counted.
  (await connectPair(s)).a.close();
  s.closeAll();
  await sleep(200);
  gc();
  const before = process.memoryUsage();
  const fds0 = openFds();
  const t0 = performance.now();
  const opened: ConnectedPair[] = [];
  let next = 0;
  let failed = 0;
  let lastOpenAt = 0;
  const worker = async () => {
    while (next < pairs) {
      next++;
      let p: ConnectedPair;
      try {
        p = await withTimeout(connectPair(s), PAIR_OPEN_TIMEOUT_MS, 'pair');
      } catch {
        failed++;
        continue;
      }
      p.cb.onmessage = (ev) => p.cb.send(ev.data as string);
      opened.push(p);
      lastOpenAt = performance.now();
      if (opened.length % 10 === 0)
        report({ t: 'progress', opened: opened.length, fds: openFds() });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, pairs) }, worker));
  // A pair that never opened does not stretch the time to open the others.
  const openMs = lastOpenAt - t0;
  if (opened.length === 0) throw new Error(`no pair opened (${failed} timed out)`);
  await sleep(200);
  // The idle period comes before the collection for the memory figures, which would make V8
  // drop the optimised code of the idle paths (see collectGarbage in stacks.ts) and compile it
  // again inside the period: about 1% of a core for tsrtc at 1,000 pairs.
  const cpu0 = process.cpuUsage();
  const w0 = performance.now();
  await sleep(idleMs);
  const cpu = process.cpuUsage(cpu0);
  const idleCpuPct = ((cpu.user + cpu.system) / 1000 / (performance.now() - w0)) * 100;
  gc();
  const after = process.memoryUsage();
  const fds1 = openFds();
  let answering = 0;
  await Promise.all(
    opened.map(async (p) => {
      const echoed = deferred();
      p.ca.onmessage = () => echoed.resolve();
      try {
        p.ca.send('ping');
        await withTimeout(echoed.promise, 5000, 'echo');
        answering++;
      } catch {
        // counted as not answering
      }
    }),
  );
  s.closeAll();
  return {
    openMs,
    opened: opened.length,
    fdsPerPc: (fds1 - fds0) / (2 * opened.length),
    heapPerPc: (after.heapUsed - before.heapUsed) / (2 * opened.length),
    rssPerPc: (after.rss - before.rss) / (2 * opened.length),
    idleCpuPct,
    answering,
  };
}

async function handle(cmd: ChildCommand): Promise<void> {
  switch (cmd.t) {
    case 'init': {
      const s = await loadStack(cmd.stack);
      if (typeof s === 'string') throw new Error(s);
      stack = s;
      report({ t: 'ready' });
      return;
    }
    case 'offer':
      return acceptOffer(cmd.sdp);
    case 'cand':
      await signaling?.addCandidate(cmd.c);
      return;
    case 'expect':
      return expect(cmd.size, cmd.count);
    case 'hangup':
      return hangup();
    case 'pairs':
      report({ t: 'pairs', result: await runPairs(cmd.pairs, cmd.idleMs, cmd.concurrency) });
      return;
    case 'channels': {
      const s = new PeerSet(stack!);
      try {
        const pair = await withTimeout(connectPair(s, 'c0'), PAIR_OPEN_TIMEOUT_MS, 'connect');
        report({ t: 'channels', ms: await timeChannels(stack!, pair) });
      } finally {
        s.closeAll();
      }
      return;
    }
    case 'exit':
      await hangup();
      await releaseNativeStacks();
      process.disconnect?.();
      setTimeout(() => process.exit(0), 500).unref();
      return;
  }
}

process.on('message', (cmd: ChildCommand) => {
  handle(cmd).catch((err: unknown) =>
    report({ t: 'error', message: err instanceof Error ? err.message : String(err) }),
  );
});
process.on('disconnect', () => {
  void hangup()
    .then(releaseNativeStacks)
    .finally(() => process.exit(0));
});
