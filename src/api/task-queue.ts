/**
 * The spec's "queue a task": each task runs in its own macrotask, so promise reactions queued by
 * one task run before the next task starts, as in a browser's event loop. setImmediate keeps
 * FIFO order between tasks queued from anywhere in the process.
 *
 * One exception saves an event-loop turn on every hop of data: a task queued from the I/O
 * layer's own callback (received data, an expired timer, a transport thread's reports; no
 * application code on the stack) when no other task is waiting runs as a microtask once that
 * callback returns. Nothing else would run before it, and everything it queues, nextTick and
 * promise reactions alike, still runs before the next task. Through setImmediate it waited
 * for the next turn, and a round trip between two channels paid two of them.
 */
import { inIoTurn } from '../net/io-turn.js';
import { queuePlainMicrotask } from '../util/microtask.js';

/** Tasks queued through setImmediate that have not run yet. */
let waiting = 0;
/** The task waiting to run as a microtask, if any. */
let early: (() => void) | undefined;

export function queueTask(task: () => void): void {
  if (waiting === 0 && early === undefined && inIoTurn()) {
    early = task;
    queuePlainMicrotask(runEarly);
    return;
  }
  waiting++;
  setImmediate(runWaiting, task);
}

/**
 * A queuePlainMicrotask callback, which must not throw: the tasks dispatch events, and
 * dispatchEvent reports a listener's exception itself and goes on (listener-errors.test.ts).
 */
function runEarly(): void {
  const task = early!;
  early = undefined;
  task();
}

function runWaiting(task: () => void): void {
  waiting--;
  task();
}
