import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { TIMER_LATENESS_MS } from '../../src/ice/consent.js';
import {
  COARSE_AFTER_MS,
  COARSE_SLACK_MS,
  TimerSlot,
  TimerWheel,
} from '../../src/net/timer-wheel.js';

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

test('deadlines set 2 s or more ahead fire together in one wakeup, none early, even when re-set unchanged', async () => {
  const wheel = new TimerWheel();
  const t0 = performance.now();
  const n = 10;
  const firedAt: number[] = [];
  let batches = 0;
  let inBatch = false;
  const slots: TimerSlot[] = [];
  const spread = COARSE_SLACK_MS / 2 / n;
  const deadline = (i: number) => t0 + COARSE_AFTER_MS + 100 + i * spread;
  for (let i = 0; i < n; i++) {
    const s = new TimerSlot(() => {
      firedAt[i] = performance.now();
      if (!inBatch) {
        inBatch = true;
        batches++;
        queueMicrotask(() => {
          inBatch = false;
        });
      }
    });
    slots.push(s);
    wheel.schedule(s, deadline(i));
  }
  // A near deadline is not held back by the far ones.
  let nearAt = 0;
  wheel.schedule(new TimerSlot(() => (nearAt = performance.now())), t0 + 20);
  await sleep(COARSE_AFTER_MS / 2 + 200);
  assert.ok(nearAt > 0 && firedAt.length === 0, 'the near deadline fired alone');
  // Inputs re-arm a driver's deadline unchanged, now less than 2 s ahead: still coarse.
  for (let i = 0; i < n; i++) wheel.schedule(slots[i]!, deadline(i));
  await sleep(COARSE_AFTER_MS / 2 + 100 + COARSE_SLACK_MS + 150);
  assert.equal(firedAt.filter((t) => t !== undefined).length, n);
  for (let i = 0; i < n; i++) assert.ok(firedAt[i]! >= deadline(i), `slot ${i} fired early`);
  assert.equal(batches, 1, 'all in one wakeup');
  assert.equal(wheel.size, 0);
});

test('a deadline moved from seconds ahead to a few ms ahead fires on time, not with the far ones', async () => {
  const wheel = new TimerWheel();
  const t0 = performance.now();
  let firedAt = 0;
  const slot = new TimerSlot(() => (firedAt = performance.now()));
  wheel.schedule(slot, t0 + COARSE_AFTER_MS + 1000);
  wheel.schedule(slot, t0 + 50);
  await sleep(600);
  assert.ok(firedAt >= t0 + 50, 'not early');
  assert.ok(firedAt > 0 && firedAt < t0 + 600, 'long before the first deadline');
  assert.equal(wheel.size, 0);
});

test('the coarse slack stays within what ICE consent scheduling allows for (the two constants)', () => {
  // Consent requests are scheduled early by TIMER_LATENESS_MS so that, run late by the wheel
  // (by at most the slack, which the test of far deadlines above checks), they still go out at
  // most 6 s apart (RFC 7675 5.1).
  assert.ok(COARSE_SLACK_MS <= TIMER_LATENESS_MS);
});
