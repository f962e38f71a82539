import assert from 'node:assert/strict';
import { test } from 'node:test';
import { queuePlainMicrotask } from '../../src/util/microtask.js';

test('queuePlainMicrotask runs after the current task, in order, before the next task', async () => {
  const order: string[] = [];
  const nextTask = new Promise<void>((resolve) =>
    setImmediate(() => {
      order.push('next task');
      resolve();
    }),
  );
  queuePlainMicrotask(() => order.push('first'));
  queueMicrotask(() => order.push('queueMicrotask'));
  queuePlainMicrotask(() => {
    order.push('second');
    // One queued from a microtask still runs before the next task.
    queuePlainMicrotask(() => order.push('nested'));
  });
  order.push('sync');
  await nextTask;
  assert.deepEqual(order, ['sync', 'first', 'queueMicrotask', 'second', 'nested', 'next task']);
});
