/**
 * The two halves of a bulk transfer over one data channel, shared by the in-process and the
 * two-process workloads: a sender paced by bufferedAmount, and a receiver that checks order
 * and content.
 */
import type { Payloads } from './payload.js';
import { type DataChannelLike, deferred, type Stack } from './stacks.js';

/** Sender pacing: stop queueing at HIGH bytes, resume at LOW (bufferedAmountLowThreshold). */
export const HIGH_WATER = 4 * 1024 * 1024;
export const LOW_WATER = 1024 * 1024;

/** How the sender on a stack waits for its buffer to drain, for the output. */
export function pacingNote(stack: Stack): string | undefined {
  return stack.firesBufferedAmountLow
    ? undefined
    : `${stack.name}: no bufferedamountlow event, sender polls bufferedAmount every 1 ms`;
}

/** Resolves once the channel's bufferedAmount is at or below `low`. */
function drained(ch: DataChannelLike, stack: Stack, low: number): Promise<void> {
  if (ch.bufferedAmount <= low) return Promise.resolve();
  if (stack.firesBufferedAmountLow) {
    return new Promise((resolve, reject) => {
      ch.onbufferedamountlow = () => {
        ch.onbufferedamountlow = null;
        ch.onclose = null;
        resolve();
      };
      ch.onclose = () => reject(new Error('channel closed while sending'));
    });
  }
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (ch.readyState !== 'open') {
        clearInterval(timer);
        reject(new Error('channel closed while sending'));
      } else if (ch.bufferedAmount <= low) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
}

/**
 * Sends `count` messages from `make` as fast as the channel takes them: queue until
 * bufferedAmount reaches HIGH_WATER, then wait for it to fall to LOW_WATER.
 */
export async function sendPaced(
  ch: DataChannelLike,
  stack: Stack,
  count: number,
  make: (seq: number) => Uint8Array,
): Promise<void> {
  ch.bufferedAmountLowThreshold = LOW_WATER;
  let seq = 0;
  while (seq < count) {
    while (seq < count && ch.bufferedAmount < HIGH_WATER) ch.send(make(seq++));
    if (seq < count) await drained(ch, stack, LOW_WATER);
  }
}

/** Resolves when every queued byte has left the sender's buffer (polled: it is rare). */
export async function flushed(ch: DataChannelLike): Promise<void> {
  while (ch.bufferedAmount > 0 && ch.readyState === 'open') {
    await new Promise((r) => setTimeout(r, 2));
  }
}

export interface OrderedResult {
  /** performance.now() when the last message arrived. */
  lastAt: number;
  received: number;
  /** Messages out of order, of the wrong length, or with corrupt content. */
  bad: number;
}

/**
 * Receives `count` ordered messages on `ch`, checking that each is the next one and intact.
 * Resolves after the last one (or rejects if the channel closes first).
 */
export function receiveOrdered(
  ch: DataChannelLike,
  payloads: Payloads,
  count: number,
): Promise<OrderedResult> {
  const done = deferred<OrderedResult>();
  let next = 0;
  let bad = 0;
  ch.binaryType = 'arraybuffer';
  ch.onmessage = (ev) => {
    const seq = payloads.check(ev.data);
    if (seq !== next) bad++;
    next++;
    if (next === count) {
      ch.onmessage = null;
      done.resolve({ lastAt: performance.now(), received: next, bad });
    }
  };
  ch.onclose = () => done.reject(new Error(`channel closed after ${next} of ${count} messages`));
  return done.promise;
}
