import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { TimerSlot, TimerWheel } from '../../src/net/timer-wheel.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('slots fire in deadline order, each once, and moved or cancelled ones as last set', async () => {
  const wheel = new TimerWheel();
  const fired: string[] = [];
  const slot = (name: string) => new TimerSlot(() => fired.push(name));
  const t0 = performance.now();
  const a = slot('a');
  const b = slot('b');
  const c = slot('c');
  const d = slot('d');
  const e = slot('e');
  wheel.schedule(a, t0 + 30);
  wheel.schedule(b, t0 + 10);
  wheel.schedule(c, t0 + 20);
  wheel.schedule(d, t0 + 5);
  wheel.schedule(e, t0 + 15);
  wheel.schedule(a, t0 + 1); // moved earlier
  wheel.schedule(b, t0 + 40); // moved later
  wheel.cancel(c);
  wheel.cancel(c); // twice is harmless
  assert.equal(wheel.size, 4);
  assert.equal(c.scheduled, false);
  await sleep(80);
  assert.deepEqual(fired, ['a', 'd', 'e', 'b']);
  assert.equal(wheel.size, 0);
});

test('a deadline already due runs in this event-loop turn, before a 1 ms timer', async () => {
  const wheel = new TimerWheel();
  const order: string[] = [];
  // From inside a timer callback, a new 1 ms timer cannot fire before the next turn's timers
  // phase however slow the machine is, while this turn's check phase (setImmediate) is next.
  await new Promise<void>((resolve) =>
    setTimeout(() => {
      setTimeout(() => {
        order.push('timeout');
        resolve();
      }, 1);
      wheel.schedule(new TimerSlot(() => order.push('due')), performance.now() - 5);
    }, 0),
  );
  assert.deepEqual(order, ['due', 'timeout']);
});

test('a slot made due again by its own callback runs in a later turn, not in a loop', async () => {
  const wheel = new TimerWheel();
  let runs = 0;
  const s: TimerSlot = new TimerSlot(() => {
    runs++;
    if (runs < 5) wheel.schedule(s, performance.now());
  });
  wheel.schedule(s, performance.now());
  assert.equal(runs, 0, 'nothing runs synchronously');
  for (let i = 0; i < 100 && runs < 5; i++) await sleep(10);
  assert.equal(runs, 5);
});

test('thousands of slots: each fires once, at or after its deadline', async () => {
  const wheel = new TimerWheel();
  const t0 = performance.now();
  const n = 5000;
  let late = 0;
  let count = 0;
  const slots: TimerSlot[] = [];
  const deadlines: number[] = [];
  for (let i = 0; i < n; i++) {
    deadlines.push(t0 + ((i * 7919) % 40));
    const s = new TimerSlot(() => {
      count++;
      if (performance.now() < deadlines[i]!) late++;
    });
    slots.push(s);
    wheel.schedule(s, deadlines[i]!);
  }
  // Move a third of them, cancel another third.
  for (let i = 0; i < n; i += 3) {
    deadlines[i] = t0 + ((i * 31) % 45);
    wheel.schedule(slots[i]!, deadlines[i]!);
  }
  for (let i = 1; i < n; i += 3) wheel.cancel(slots[i]!);
  await sleep(100);
  assert.equal(count, n - Math.ceil((n - 1) / 3));
  assert.equal(late, 0, 'no slot fired before its deadline');
  assert.equal(wheel.size, 0);
});
