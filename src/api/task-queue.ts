/**
 * The spec's "queue a task": each task runs in its own macrotask, so promise reactions queued by
 * one task run before the next task starts, as in a browser's event loop. setImmediate keeps
 * FIFO order between tasks queued from anywhere in the process.
 *
 * A task queued from the I/O layer's own callback (received data, an expired timer: no
 * application code on the stack) runs as a microtask once that callback returns, which is when
 * the next task would start anyway with nothing else of the application's in between. Through
 * setImmediate it waited for the next event-loop turn, and a round trip between two channels
 * paid two of them. Such tasks run one at a time, each queued when the one before ends, so that
 * what a task's listeners queue runs before the next task.
 */
import { inIoTurn } from '../net/io-turn.js';

const ioTasks: ((() => void) | undefined)[] = [];
let ioTaskHead = 0;

export function queueTask(task: () => void): void {
  if (!inIoTurn()) {
    setImmediate(task);
    return;
  }
  ioTasks.push(task);
  if (ioTasks.length - ioTaskHead === 1) queueMicrotask(runIoTask);
}

function runIoTask(): void {
  const task = ioTasks[ioTaskHead]!;
  ioTasks[ioTaskHead++] = undefined;
  try {
    task();
  } finally {
    if (ioTaskHead === ioTasks.length) {
      ioTasks.length = 0;
      ioTaskHead = 0;
    } else {
      queueMicrotask(runIoTask);
    }
  }
}
