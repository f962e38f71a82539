/**
 * Marks the I/O layer's own callbacks that reach only the library's code: a batch of received
 * datagrams or an expired timer handed to a connection's cores, a transport thread's reports.
 * No application code is on the stack then, so work they queue for the application may run as
 * soon as the callback returns instead of an event-loop turn later.
 */
let depth = 0;

/** Whether the current code runs inside an I/O layer callback (see asIoTurn). */
export function inIoTurn(): boolean {
  return depth > 0;
}

/** Runs `fn(arg)` as an I/O layer callback (an argument rather than a closure per call). */
export function asIoTurn<T>(fn: (arg: T) => void, arg: T): void {
  depth++;
  try {
    fn(arg);
  } finally {
    depth--;
  }
}
