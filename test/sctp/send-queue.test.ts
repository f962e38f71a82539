import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type QueuedMessage, SendQueue } from '../../src/sctp/send-queue.js';
import { Prng } from '../sim/prng.js';

/**
 * The turn order, stated plainly: streams with messages in the order they got them, a turn
 * that moves to the next stream after a whole message (plain DATA) or after every chunk
 * (I-DATA), and a stream that runs dry leaving the order.
 */
class ReferenceQueue {
  private readonly order: number[] = [];
  private readonly msgs = new Map<number, { len: number; off: number }[]>();
  private pos = 0;
  private current: number | undefined;

  constructor(private readonly interleave: boolean) {}

  push(id: number, len: number): void {
    const q = this.msgs.get(id) ?? [];
    if (q.length === 0) this.order.push(id);
    q.push({ len, off: 0 });
    this.msgs.set(id, q);
  }

  /** Cuts the next chunk of at most `max` bytes: [stream, offset]. */
  serve(max: number): [number, number] | undefined {
    if (this.current === undefined) {
      if (this.order.length === 0) return undefined;
      if (this.pos >= this.order.length) this.pos = 0;
      this.current = this.order[this.pos]!;
    }
    const id = this.current;
    const q = this.msgs.get(id)!;
    const m = q[0]!;
    const served: [number, number] = [id, m.off];
    m.off += Math.min(max, m.len - m.off);
    if (m.off < m.len) {
      if (this.interleave) {
        this.current = undefined;
        this.pos++;
      }
      return served;
    }
    this.current = undefined;
    q.shift();
    if (q.length === 0) this.order.splice(this.pos, 1);
    else this.pos++;
    return served;
  }
}

for (const interleave of [false, true]) {
  test(`round-robin turns follow the plain model over thousands of streams running dry (${interleave ? 'I-DATA' : 'DATA'})`, () => {
    for (const seed of [1, 2, 3]) {
      const prng = new Prng(seed);
      const max = 100;
      const real = new SendQueue<QueuedMessage>(interleave, max, 1 << 30);
      const ref = new ReferenceQueue(interleave);
      const push = (id: number) => {
        const len = prng.int(1, 350);
        real.push({
          streamId: id,
          data: new Uint8Array(len),
          offset: 0,
          abandoned: false,
          started: false,
        });
        ref.push(id, len);
      };
      let served = 0;
      /** Takes the next chunk from both queues; false once both are empty. */
      const serveOne = (): boolean => {
        const want = ref.serve(max);
        const m = real.peek();
        if (want === undefined) {
          assert.equal(m, undefined);
          assert.ok(real.empty);
          return false;
        }
        assert.ok(m, `seed ${seed}: a message is due`);
        assert.deepEqual([m.streamId, m.offset], want, `seed ${seed}, chunk ${served}`);
        m.offset += Math.min(max, m.data.length - m.offset);
        real.update(m);
        served++;
        return true;
      };
      // Bursts of new messages on up to 3,000 streams (many at once, as channels opening do),
      // with chunks taken in between.
      for (let round = 0; round < 40; round++) {
        const burst = prng.int(0, 400);
        for (let i = 0; i < burst; i++) push(prng.int(0, 2999));
        const take = prng.int(0, 600);
        for (let i = 0; i < take && serveOne(); i++);
      }
      while (serveOne());
      assert.ok(real.empty);
      assert.equal(real.peek(), undefined);
      assert.ok(served > 5000, `${served} chunks`);
    }
  });
}
