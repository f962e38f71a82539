import assert from 'node:assert/strict';
import { test } from 'node:test';
import { queueTask } from '../../src/api/task-queue.js';
import { asIoTurn } from '../../src/net/io-turn.js';
import { startPair, untilConnected } from '../net/ice-pair.js';
import { withConnectedPair } from './peers.js';

const nextTurn = () => new Promise<void>((r) => setImmediate(r));
const call = (fn: () => void) => fn();

test('tasks queued from application code run in later macrotasks, after its microtasks', async () => {
  const log: string[] = [];
  queueTask(() => log.push('task 1'));
  queueTask(() => log.push('task 2'));
  queueMicrotask(() => log.push('microtask'));
  await nextTurn();
  await nextTurn();
  assert.deepEqual(log, ['microtask', 'task 1', 'task 2']);
});

test('a task queued from an I/O callback with none waiting runs once it returns, with everything it queues before the next task', async () => {
  const log: string[] = [];
  setImmediate(() => log.push('immediate queued before'));
  asIoTurn(call, () => {
    queueTask(async () => {
      log.push('task 1');
      process.nextTick(() => log.push('nextTick of task 1'));
      await null;
      await null;
      log.push('task 1 after two awaits');
    });
    queueTask(() => log.push('task 2'));
    log.push('callback ends');
  });
  await nextTurn();
  await nextTurn();
  // As in any promise reaction, its nextTick runs once the promise jobs are done; both come
  // before anything else.
  assert.deepEqual(log.slice(0, 2), ['callback ends', 'task 1']);
  assert.deepEqual(log.slice(2, 4).sort(), ['nextTick of task 1', 'task 1 after two awaits']);
  assert.deepEqual(log.slice(4), ['immediate queued before', 'task 2']);
});

test('a task queued from an I/O callback waits behind tasks already queued', async () => {
  const log: string[] = [];
  queueTask(() => log.push('queued by the application'));
  asIoTurn(call, () => queueTask(() => log.push('queued from I/O')));
  await nextTurn();
  await nextTurn();
  assert.deepEqual(log, ['queued by the application', 'queued from I/O']);
});

test('application code run from an ICE driver listener gets tasks, not microtasks', async () => {
  const opts = { addresses: { addresses: ['127.0.0.1'] } };
  const pair = await startPair(opts, opts);
  try {
    await untilConnected(pair);
    const order = new Promise<string[]>((resolve) => {
      const prev = pair.b.driver.onEvent!;
      pair.b.driver.onEvent = (e) => {
        prev(e);
        if (e.type !== 'data') return;
        const log: string[] = [];
        queueTask(() => log.push('task'));
        void Promise.resolve().then(() => log.push('application microtask'));
        setImmediate(() => resolve(log));
      };
    });
    assert.ok(pair.a.driver.send(new Uint8Array([0xaa, 1, 2, 3])));
    assert.deepEqual(await order, ['application microtask', 'task']);
  } finally {
    pair.close();
  }
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
