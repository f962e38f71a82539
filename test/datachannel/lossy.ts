/**
 * A workload for channels of every type over a lossy link: each channel sends numbered messages
 * paced by bufferedAmount, and the checks compare what arrived with what each type promises.
 */
import assert from 'node:assert/strict';
import type { DataChannel, DataChannelInit } from '../../src/datachannel/index.js';
import { Prng } from '../sim/prng.js';

export interface ChannelKind {
  label: string;
  init: DataChannelInit;
  /** Every message must arrive. */
  reliable: boolean;
}

export const CHANNEL_KINDS: ChannelKind[] = [
  { label: 'reliable-ordered', init: {}, reliable: true },
  { label: 'reliable-unordered', init: { ordered: false }, reliable: true },
  { label: 'unordered-rexmit-0', init: { ordered: false, maxRetransmits: 0 }, reliable: false },
  { label: 'ordered-lifetime-150', init: { maxPacketLifeTime: 150 }, reliable: false },
];

/** Message i of a channel: its number first, then filler; strings and binary alternate. */
export function numberedMessage(i: number, prng: Prng): string | Uint8Array {
  const size = prng.int(4, 2500);
  if (i % 2 === 0) return `${i}:${'x'.repeat(size)}`;
  const bin = new Uint8Array(size);
  new DataView(bin.buffer).setUint32(0, i);
  bin.fill(i & 0xff, 4);
  return bin;
}

export function messageNumber(m: string | Uint8Array): number {
  if (typeof m === 'string') return Number(m.slice(0, m.indexOf(':')));
  return new DataView(m.buffer, m.byteOffset, m.byteLength).getUint32(0);
}

/** Sends up to `total` messages on a channel, keeping bufferedAmount under `window`. */
export class PacedSender {
  sent = 0;
  private readonly prng: Prng;

  constructor(
    readonly channel: DataChannel,
    readonly total: number,
    seed: number,
    // Small, so that a timed channel's messages are not all expired while queued behind the
    // other channels' data.
    private readonly window = 4096,
  ) {
    this.prng = new Prng(seed);
  }

  pump(now: number): void {
    while (
      this.sent < this.total &&
      this.channel.state === 'open' &&
      this.channel.bufferedAmount < this.window
    ) {
      this.channel.send(numberedMessage(this.sent, this.prng), now);
      this.sent++;
    }
  }

  get done(): boolean {
    return this.sent === this.total;
  }
}

/** Checks what one channel delivered against its kind's promises. */
export function checkDelivery(
  kind: ChannelKind,
  received: (string | Uint8Array)[],
  total: number,
): void {
  const numbers = received.map(messageNumber);
  assert.equal(new Set(numbers).size, numbers.length, `${kind.label}: no duplicates`);
  for (const n of numbers) assert.ok(n >= 0 && n < total, `${kind.label}: message ${n} exists`);
  const ordered = kind.init.ordered !== false;
  if (ordered) {
    for (let i = 1; i < numbers.length; i++) {
      assert.ok(numbers[i]! > numbers[i - 1]!, `${kind.label}: in order`);
    }
  }
  if (kind.reliable) assert.equal(numbers.length, total, `${kind.label}: everything arrived`);
  else assert.ok(numbers.length > 0, `${kind.label}: something arrived`);
  // Content survives intact: the filler is a function of the number.
  for (const m of received) {
    const n = messageNumber(m);
    if (typeof m === 'string') assert.match(m, /^\d+:x+$/);
    else
      assert.ok(
        m.subarray(4).every((b) => b === (n & 0xff)),
        `${kind.label}: content of ${n}`,
      );
  }
}
