/**
 * The transport threads of this process: started on first use, at most one per core (capped),
 * each hosting many connections. A thread keeps the process alive only while it hosts one.
 */

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { asIoTurn } from '../../net/io-turn.js';
import { queuePlainMicrotask } from '../../util/microtask.js';
import type { EngineCommand, EngineReport } from './messages.js';

const MAX_THREADS = 4;

/** What a thread tells the connection it hosts. */
export interface ThreadClient {
  onReport(r: EngineReport): void;
  /** The thread died: nothing this connection asked for will happen. */
  onThreadLost(reason: string): void;
}

/**
 * The built package starts the thread from its JavaScript file. Run from the TypeScript sources
 * (tests, benchmarks), the thread first registers the same loader (tsx), since a worker's entry
 * module does not go through the loader hooks of the thread that started it.
 */
function startThread(): Worker {
  const execArgv = profilerFlags(process.execArgv);
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(new URL('./transport-thread.js', import.meta.url), { execArgv });
  }
  const loader = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const entry = JSON.stringify(new URL('./transport-thread.ts', import.meta.url).href);
  const code = `import(${loader}).then((tsx) => { tsx.register(); return import(${entry}); });`;
  return new Worker(code, { eval: true, execArgv });
}

/** Profiler flags that take a value, given as the next argument unless written with '='. */
const PROFILER_VALUE_FLAGS = new Set([
  '--cpu-prof-dir',
  '--cpu-prof-name',
  '--cpu-prof-interval',
  '--heap-prof-dir',
  '--heap-prof-name',
  '--heap-prof-interval',
  '--diagnostic-dir',
]);

/**
 * The only flags of this thread that the transport thread is given: the CPU and heap
 * profilers' and the directory they write to, so that it writes profiles of its own. A name
 * for the profile file is left out, or every thread would write the same file. A worker
 * inherits nothing else it needs: V8 and process-wide flags (--expose-gc,
 * --max-old-space-size) already hold for it, and it refuses them in its own list; --input-type
 * (from `node --input-type=module -e`) would stop it from starting from a file; and --eval or
 * --print code is not its to run.
 */
export function profilerFlags(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const name = a.split('=', 1)[0]!;
    const separateValue = PROFILER_VALUE_FLAGS.has(a) && i + 1 < args.length;
    const value = separateValue ? args[++i]! : undefined;
    if (!/^--(cpu-prof|heap-prof|diagnostic-dir)/.test(name) || name.endsWith('-prof-name')) {
      continue;
    }
    out.push(a);
    if (value !== undefined) out.push(value);
  }
  return out;
}

class TransportThread {
  private readonly worker: Worker;
  private readonly clients = new Map<number, ThreadClient>();
  private batch: EngineCommand[] = [];
  private transfers: ArrayBuffer[] = [];
  private flushScheduled = false;
  private lost: string | undefined;

  constructor() {
    this.worker = startThread();
    this.worker.unref();
    // What the thread reports is I/O: events it queues for the application may run as soon as
    // this callback returns (src/net/io-turn.ts).
    this.worker.on('message', (reports: EngineReport[]) => asIoTurn(this.deliver, reports));
    this.worker.on('error', (err) => this.fail(`transport thread failed: ${err.message}`));
    this.worker.on('exit', (code) => this.fail(`transport thread exited (${code})`));
  }

  private readonly deliver = (reports: EngineReport[]): void => {
    for (const r of reports) this.clients.get(r.id)?.onReport(r);
  };

  get load(): number {
    return this.lost === undefined ? this.clients.size : Number.POSITIVE_INFINITY;
  }

  attach(id: number, client: ThreadClient): void {
    if (this.clients.size === 0) this.worker.ref();
    this.clients.set(id, client);
  }

  detach(id: number): void {
    if (this.clients.delete(id) && this.clients.size === 0) this.worker.unref();
  }

  /** Queued and sent with the others of this turn; `transfer` is handed over, not cloned. */
  post(cmd: EngineCommand, transfer?: ArrayBuffer): void {
    if (this.lost !== undefined) return;
    this.batch.push(cmd);
    if (transfer !== undefined) this.transfers.push(transfer);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      queuePlainMicrotask(this.flush);
    }
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    const batch = this.batch;
    const transfers = this.transfers;
    this.batch = [];
    this.transfers = [];
    if (this.lost === undefined) this.worker.postMessage(batch, transfers);
  };

  private fail(reason: string): void {
    if (this.lost !== undefined) return;
    this.lost = reason;
    const clients = [...this.clients.values()];
    this.clients.clear();
    for (const c of clients) c.onThreadLost(reason);
    const i = threads.indexOf(this);
    if (i >= 0) threads.splice(i, 1);
  }
}

const threads: TransportThread[] = [];
let nextId = 1;

/** A place for a new connection: a new thread while below the cap, else the least loaded. */
export function placeConnection(client: ThreadClient): { id: number; thread: TransportHandle } {
  const cap = Math.min(MAX_THREADS, Math.max(1, availableParallelism()));
  let thread: TransportThread | undefined;
  if (threads.length < cap) {
    thread = new TransportThread();
    threads.push(thread);
  } else {
    for (const t of threads) if (thread === undefined || t.load < thread.load) thread = t;
  }
  const id = nextId++;
  thread!.attach(id, client);
  return { id, thread: thread! };
}

export type TransportHandle = Pick<TransportThread, 'post' | 'detach'>;
