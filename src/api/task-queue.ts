/**
 * The spec's "queue a task": each task runs in its own macrotask, so promise reactions queued by
 * one task run before the next task starts, as in a browser's event loop. setImmediate keeps
 * FIFO order between tasks queued from anywhere in the process.
 */
export function queueTask(task: () => void): void {
  setImmediate(task);
}
