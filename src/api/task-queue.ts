/**
 * The spec's "queue a task": each task runs in its own macrotask, so promise reactions queued by
 * one task run before the next task starts, as in a browser's event loop. setImmediate keeps
 * FIFO order between tasks queued from anywhere in the process.
 */
export function queueTask(task: () => void): void {
  setImmediate(task);
}

/** Like queueTask, passing one argument instead of capturing it in a closure. */
export function queueTaskWith<T>(task: (arg: T) => void, arg: T): void {
  setImmediate(task, arg);
}
