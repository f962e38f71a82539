import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Fifo } from '../../src/util/fifo.js';
import { Prng } from '../sim/prng.js';

test('Fifo behaves as an array queue through growth, compaction, draining and clear', () => {
  for (const seed of [1, 2, 3]) {
    const prng = new Prng(seed);
    const fifo = new Fifo<number>();
    const model: number[] = [];
    let next = 0;
    for (let step = 0; step < 200_000; step++) {
      const r = prng.next();
      // Phases of mostly pushing and mostly shifting, so the queue grows past the compaction
      // threshold and also drains to empty again and again.
      const pushing = Math.floor(step / 5000) % 2 === 0 ? r < 0.7 : r < 0.3;
      if (r > 0.9995) {
        fifo.clear();
        model.length = 0;
      } else if (pushing) {
        fifo.push(next);
        model.push(next++);
      } else {
        assert.equal(fifo.shift(), model.shift(), `seed ${seed} step ${step}`);
      }
      assert.equal(fifo.length, model.length);
      assert.equal(fifo.last(), model.at(-1));
    }
    while (model.length > 0) assert.equal(fifo.shift(), model.shift());
    assert.equal(fifo.shift(), undefined);
    assert.equal(fifo.length, 0);
  }
});
