/**
 * Every packet costs several native buffers that node:crypto and node:dgram allocate with
 * malloc: a cipher's output and tag, a received datagram, the result of a decipher. By default
 * V8 frees dead buffers on a background thread, whose free() calls then contend with this
 * thread's malloc() for the C allocator's lock; on a machine where waking a thread blocked on
 * that lock is dear, that contention is most of the cost of a record. Measured on the 2-core
 * reference machine: sealing a 1,200-byte AES-128-GCM record took 10.5 us with concurrent
 * sweeping and 4.6 us without; in A/B runs, one-process transfers between two connections went
 * up by 15 to 30% (by 0 to 35% with transport threads).
 *
 * So the first connection of a process asks V8 to free them inside its garbage collection
 * pause instead (--no-concurrent-array-buffer-sweeping, a process-wide V8 setting). A node
 * command line that decides for itself (naming the flag either way, or a flag that implies it)
 * is left as it is. The command line read is that of the thread making the connection
 * (process.execArgv).
 */
import { setFlagsFromString } from 'node:v8';

const FLAG = '--no-concurrent-array-buffer-sweeping';

/**
 * Command-line arguments by which the process chose its own array-buffer sweeping: the flag in
 * any spelling V8 accepts (one or two dashes, - or _, a no prefix with or without a separator),
 * or a flag that implies it (--single-threaded, --single-threaded-gc, --predictable).
 */
const CHOSEN =
  /^--?(no[-_]?)?(concurrent[-_]array[-_]buffer[-_]sweeping|single[-_]threaded([-_]gc)?|predictable)(=|$)/;

/** Whether node's command line `execArgv` leaves the choice of array-buffer sweeping to us. */
export function sweepingLeftToUs(execArgv: readonly string[]): boolean {
  return !execArgv.some((a) => CHOSEN.test(a));
}

let asked = false;

/** Turns concurrent array-buffer sweeping off, once, unless node's command line decided. */
export function sweepArrayBuffersInPause(): void {
  if (asked) return;
  asked = true;
  if (sweepingLeftToUs(process.execArgv)) setFlagsFromString(FLAG);
}
