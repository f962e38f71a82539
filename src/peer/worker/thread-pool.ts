/**
 * The transport threads of this process: started on first use, at most one per core (capped),
 * each hosting many connections. A thread keeps the process alive only while it hosts one.
 */

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { asIoTurn } from '../../net/io-turn.js';
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

/**
 * The only flags of this thread that the transport thread is given: the CPU profiler's, so that
 * it writes a profile of its own. A worker inherits nothing it needs from the others: V8 and
 * process-wide flags (--expose-gc, --max-old-space-size) already hold for it, and it refuses
 * them in its own list; --input-type (from `node --input-type=module -e`) would stop it from
 * starting from a file; and --eval or --print code is not its to run.
 */
export function profilerFlags(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--cpu-prof')) continue;
    out.push(a);
    // --cpu-prof-dir DIR, --cpu-prof-name NAME, --cpu-prof-interval N: the value follows.
    if (a !== '--cpu-prof' && !a.includes('=') && i + 1 < args.length) out.push(args[++i]!);
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
      queueMicrotask(this.flush);
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
