import assert from 'node:assert/strict';
import { test } from 'node:test';
import { queueTask } from '../../src/api/task-queue.js';
import { asIoTurn } from '../../src/net/io-turn.js';
import { withConnectedPair } from './peers.js';

const nextTurn = () => new Promise<void>((r) => setImmediate(r));

test('tasks queued from application code run in later macrotasks, after its microtasks', async () => {
  const log: string[] = [];
  queueTask(() => log.push('task 1'));
  queueTask(() => log.push('task 2'));
  queueMicrotask(() => log.push('microtask'));
  await nextTurn();
  await nextTurn();
  assert.deepEqual(log, ['microtask', 'task 1', 'task 2']);
});

test('tasks queued from an I/O callback run once it returns, in order, each after the reactions of the one before', async () => {
  const log: string[] = [];
  setImmediate(() => log.push('immediate queued before'));
  asIoTurn(() => {
    queueTask(() => {
      log.push('task 1');
      void Promise.resolve().then(() => log.push('reaction of task 1'));
    });
    queueTask(() => log.push('task 2'));
    queueTask(() => log.push('task 3'));
    log.push('callback ends');
  });
  await nextTurn();
  await nextTurn();
  assert.deepEqual(log, [
    'callback ends',
    'task 1',
    'reaction of task 1',
    'task 2',
    'task 3',
    'immediate queued before',
  ]);
});

test('a message is dispatched in the event-loop turn its datagram is read: an in-process echo takes 2 turns', async () => {
  await withConnectedPair(async ({ local, remote }) => {
    remote.onmessage = (e) => remote.send(e.data as string);
    let turns = 0;
    let counting = true;
    const tick = () => {
      turns++;
      if (counting) setImmediate(tick);
    };
    setImmediate(tick);
    const perRoundTrip: number[] = [];
    try {
      for (let i = 0; i < 30; i++) {
        const t0 = turns;
        await new Promise<void>((resolve) => {
          local.onmessage = () => resolve();
          local.send(`ping ${i}`);
        });
        perRoundTrip.push(turns - t0);
      }
    } finally {
      counting = false;
    }
    perRoundTrip.sort((x, y) => x - y);
    // One turn for each direction's datagram; through setImmediate each message event took
    // one more.
    assert.ok(perRoundTrip[15]! <= 2, `median ${perRoundTrip[15]} turns per round trip`);
  });
});
