/**
 * Queues `fn` as a microtask, as queueMicrotask does, for paths that run for every message or
 * packet. Node's queueMicrotask gives each callback an async context of its own (an
 * AsyncResource and a bound function, several hundred bytes per call); a reaction to an
 * already settled promise costs a fraction of that. `fn` must not throw: an exception would
 * surface as an unhandled rejection instead of an uncaught exception.
 */
export function queuePlainMicrotask(fn: () => void): void {
  void settled.then(fn);
}

const settled = Promise.resolve();
