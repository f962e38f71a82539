/**
 * Marks the I/O layer's own callbacks: a batch of received datagrams handed to the cores, or
 * their expired timers. No application code is on the stack then, so work they queue for the
 * application may run as soon as the callback returns instead of an event-loop turn later.
 */
let depth = 0;

/** Whether the current code runs inside an I/O layer callback (see asIoTurn). */
export function inIoTurn(): boolean {
  return depth > 0;
}

/** Runs `fn` as an I/O layer callback. */
export function asIoTurn(fn: () => void): void {
  depth++;
  try {
    fn();
  } finally {
    depth--;
  }
}
