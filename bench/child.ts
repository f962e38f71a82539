/**
 * The parent's handle on a forked bench/peer-process.ts: commands go out over IPC, reports
 * come back into a queue that waits can consume in any order.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildCommand, ChildReport } from './peer-process.js';
import type { IceCandidateInit, StackName } from './stacks.js';

const script = join(dirname(fileURLToPath(import.meta.url)), 'peer-process.ts');

type ReportOf<T extends ChildReport['t']> = Extract<ChildReport, { t: T }>;

const childProfileDir = process.env.TSRTC_CHILD_PROFILE;

export class PeerProcess {
  private readonly proc: ChildProcess;
  private readonly queue: ChildReport[] = [];
  private waiter: (() => void) | undefined;
  private failure: Error | undefined;
  /** The last progress the child reported: pairs opened and its open file descriptors. */
  progress = { opened: 0, fds: 0 };
  /** Candidates the child's peer gathered. */
  onCandidate: ((c: IceCandidateInit) => void) | undefined;

  private constructor(readonly stack: StackName) {
    this.proc = fork(script, [], {
      // TSRTC_CHILD_PROFILE=DIR: a V8 CPU profile of the child's whole life, written at its exit.
      execArgv: [
        '--import',
        'tsx',
        '--expose-gc',
        ...(childProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${childProfileDir}`] : []),
      ],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.proc.on('message', (r: ChildReport) => {
      if (r.t === 'cand') this.onCandidate?.(r.c);
      else if (r.t === 'progress') this.progress = { opened: r.opened, fds: r.fds };
      else if (r.t === 'error') this.fail(new Error(`${stack} child: ${r.message}`));
      else {
        this.queue.push(r);
        this.waiter?.();
      }
    });
    this.proc.on('exit', (code, signal) =>
      this.fail(new Error(`${stack} child exited (${signal ?? code})`)),
    );
  }

  /** Forks a child and loads `stack` in it. */
  static async start(stack: StackName): Promise<PeerProcess> {
    const p = new PeerProcess(stack);
    p.send({ t: 'init', stack });
    await p.next('ready');
    return p;
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.waiter?.();
  }

  send(cmd: ChildCommand): void {
    if (this.proc.connected) this.proc.send(cmd);
  }

  /** The next report of type `t` (reports of other types stay queued). */
  async next<T extends ChildReport['t']>(t: T): Promise<ReportOf<T>> {
    for (;;) {
      const i = this.queue.findIndex((r) => r.t === t);
      if (i >= 0) return this.queue.splice(i, 1)[0] as ReportOf<T>;
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
      this.waiter = undefined;
    }
  }

  /** Asks the child to exit, and kills it if it has not within a second. */
  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise<void>((r) => this.proc.once('exit', () => r()));
    this.send({ t: 'exit' });
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 1000);
    await exited;
    clearTimeout(timer);
  }

  kill(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
  }
}

/**
 * One child per stack, started on first use and kept across repetitions; a child that failed
 * a measurement is killed and forgotten, so the next repetition starts a fresh one.
 */
export class PeerProcessPool {
  private readonly children = new Map<StackName, PeerProcess>();

  async for(stack: StackName): Promise<PeerProcess> {
    let c = this.children.get(stack);
    if (!c) {
      c = await PeerProcess.start(stack);
      this.children.set(stack, c);
    }
    return c;
  }

  drop(stack: StackName): void {
    this.children.get(stack)?.kill();
    this.children.delete(stack);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.children.values()].map((c) => c.stop()));
    this.children.clear();
  }
}
