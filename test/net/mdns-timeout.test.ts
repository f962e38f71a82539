// Chromium's mDNS responder sends at most one packet a second per interface, and its queue
// holds announcements and goodbyes of every connection it has had: answers to our queries can
// take 5-8 s. CoreDriver must keep a lookup open for 15 s by default. Its timers are Node's,
// so the test moves them with node:test's mock clock while the packets travel for real.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, type MockTimers, type TestContext, test } from 'node:test';
import { MdnsService } from '../../src/net/mdns.js';
import { FakeCore, startFakeDriver } from './fake-core.js';

// Multicast must never leave the machine: only inside the private namespace.
const skip =
  process.env.NETNS_RUN === '1' ? false : 'needs the private network namespace (NETNS_RUN=1)';

/** Captured before any test mocks the clock: real waiting for real packets. */
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;

const cleanup: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
});

async function startDriver(mdnsTimeoutMs?: number) {
  const errors: Error[] = [];
  const { driver, core } = await startFakeDriver(() => new FakeCore(), {
    mdns: { interface: '10.77.0.2' },
    ...(mdnsTimeoutMs === undefined ? {} : { mdnsTimeoutMs }),
    onError: (err) => errors.push(err),
  });
  cleanup.push(() => driver.close());
  return { driver, core, errors };
}

/**
 * Mocks setTimeout/setInterval for the rest of the test. The real clock comes back before
 * the cleanup runs, so that sockets opened before (with real timers) are closed for real.
 */
function mockClock(t: TestContext): MockTimers {
  t.mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  cleanup.unshift(() => t.mock.timers.reset());
  return t.mock.timers;
}

/** Lets settled lookups reach the core: promise callbacks, then one turn of real I/O. */
function settle(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

/** Waits in real time (the mock clock stands still) until the core has `n` mDNS results. */
async function untilResults(core: FakeCore, n: number, ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  while (core.mdnsResults.length < n && performance.now() < deadline) {
    await new Promise<void>((r) => {
      const t = realSetTimeout(r, 10);
      cleanup.push(() => realClearTimeout(t));
    });
  }
}

test('a responder that answers only after 6 s still resolves the name', {
  skip,
}, async (t) => {
  const responder = new MdnsService({ interface: '10.77.0.1' });
  cleanup.push(() => responder.close());
  await responder.ready;
  const { driver, core, errors } = await startDriver();

  const clock = mockClock(t);
  const name = `${randomUUID()}.local`;
  driver.call((c) => c.emit({ type: 'mdns-query', hostname: name }));
  clock.tick(6000);
  await settle();
  assert.deepEqual(core.mdnsResults, [], 'still waiting 6 s in');

  // The answer comes now: the next query (one a second) gets it.
  responder.register(name, '10.77.0.1');
  clock.tick(1000);
  await untilResults(core, 1, 3000);
  assert.deepEqual(core.mdnsResults, [{ hostname: name, address: '10.77.0.1' }]);
  assert.deepEqual(errors, []);
});

test('an unanswered lookup gives up after 15 s, not before', { skip }, async (t) => {
  const { driver, core, errors } = await startDriver();
  const clock = mockClock(t);
  const name = `${randomUUID()}.local`;
  driver.call((c) => c.emit({ type: 'mdns-query', hostname: name }));
  clock.tick(14_999);
  await settle();
  assert.deepEqual(core.mdnsResults, []);
  clock.tick(1);
  await settle();
  assert.deepEqual(core.mdnsResults, [{ hostname: name, address: undefined }]);
  assert.deepEqual(errors, []);
});

test('mdnsTimeoutMs replaces the default', { skip }, async (t) => {
  const { driver, core } = await startDriver(2500);
  const clock = mockClock(t);
  const name = `${randomUUID()}.local`;
  driver.call((c) => c.emit({ type: 'mdns-query', hostname: name }));
  clock.tick(2499);
  await settle();
  assert.deepEqual(core.mdnsResults, []);
  clock.tick(1);
  await settle();
  assert.deepEqual(core.mdnsResults, [{ hostname: name, address: undefined }]);
});
