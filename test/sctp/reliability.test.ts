import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runSimulation, SimNetwork } from '../sim/network.js';
import { makePair } from './harness.js';
import {
  barePair,
  body,
  lifetimeScenario,
  maxRetransmitsScenario,
  mixedReliabilityScenario,
  PPID_BINARY,
  pathFailureScenario,
  resetScenario,
  sendAll,
  unorderedScenario,
} from './scenarios.js';

for (const interleaving of [false, true]) {
  const mode = interleaving ? ' [I-DATA]' : ' [DATA]';
  const connected = (seed: number, loss: number) =>
    barePair(seed, { delay: 10, jitter: 8, loss }, { interleaving }, { interleaving });

  test(`unordered messages under loss are all delivered exactly once${mode}`, async () => {
    unorderedScenario(await connected(21, 0.05));
  });

  test(`maxRetransmits: 0 abandons lost messages; FORWARD-TSN keeps ordered streams in step${mode}`, async () => {
    maxRetransmitsScenario(await connected(22, 0.1));
  });

  test(`maxRetransmits: 0 unordered also abandons and delivers the rest once${mode}`, async () => {
    maxRetransmitsScenario(await connected(23, 0.1), true);
  });

  test(`maxPacketLifeTime abandons messages that cannot arrive in time${mode}`, async () => {
    lifetimeScenario(await connected(24, 0.1));
  });

  test(`reliable and partially reliable streams side by side: only the latter lose messages${mode}`, async () => {
    mixedReliabilityScenario(await connected(26, 0.08));
  });

  test(`partial reliability with a lossless path delivers everything${mode}`, async () => {
    const got = sendAll(await connected(25, 0), 500, 2, { maxRetransmits: 0 }, 3000);
    assert.equal(got.flat().length, 500);
  });

  test(`a stream reset closes exactly one stream (lossless)${mode}`, async () => {
    resetScenario(await connected(31, 0));
  });

  test(`a stream reset closes exactly one stream (under loss)${mode}`, async () => {
    resetScenario(await connected(32, 0.1));
  });

  test(`an association whose path dies with data outstanding reports failure${mode}`, async () => {
    pathFailureScenario(await connected(41, 0));
  });

  test(`both directions of a stream can be reset (data channel close)${mode}`, async () => {
    const env = await connected(33, 0.05);
    const { net, a, b } = env;
    a.assoc.send(4, PPID_BINARY, body(1, 100), undefined, net.now);
    b.onEvent = (ev, now) => {
      if (ev.type === 'stream-reset') b.assoc.resetStreams(ev.streamIds, now);
    };
    a.assoc.resetStreams([4], net.now);
    const done = () =>
      a.events.some((e) => e.type === 'stream-reset') &&
      b.events.some((e) => e.type === 'reset-complete');
    assert.ok(runSimulation(net, [a, b], done, 600_000), 'the simulation reaches its goal');
    assert.ok(a.events.some((e) => e.type === 'reset-complete'));
  });

  test(`an idle association whose path dies reports failure through heartbeats${mode}`, async () => {
    const env = await connected(42, 0);
    const { net, a, b } = env;
    net.partition('a', 'b');
    assert.ok(
      runSimulation(net, [a, b], () => a.closed !== undefined, 24 * 3_600_000),
      'the simulation reaches its goal',
    );
    assert.equal(a.closed!.error, true);
    assert.match(a.closed!.reason, /heartbeat/);
  });

  test(`heartbeats keep an idle healthy association up${mode}`, async () => {
    const env = await connected(43, 0.1);
    const { net, a, b } = env;
    runSimulation(net, [a, b], () => false, 600_000);
    assert.equal(a.assoc.state, 'connected');
    assert.equal(b.assoc.state, 'connected');
  });

  test(`graceful shutdown delivers queued data first, then both sides close cleanly${mode}`, async () => {
    const env = await connected(51, 0.05);
    const { net, a, b } = env;
    for (let i = 0; i < 50; i++) a.assoc.send(0, PPID_BINARY, body(i, 3000), undefined, net.now);
    a.assoc.shutdown(net.now);
    assert.throws(() => a.assoc.send(0, PPID_BINARY, body(0, 1), undefined, net.now));
    assert.ok(
      runSimulation(net, [a, b], () => !!a.closed && !!b.closed, 600_000),
      'the simulation reaches its goal',
    );
    assert.deepEqual(a.closed, { reason: 'shutdown complete', error: false });
    assert.equal(b.closed!.error, false);
    assert.equal(b.messages.length, 50);
  });

  test(`abort reaches the peer as an error close with the reason${mode}`, async () => {
    const env = await connected(52, 0);
    const { net, a, b } = env;
    a.assoc.abort('going away', net.now);
    assert.equal(a.assoc.state, 'closed');
    assert.ok(
      runSimulation(net, [a, b], () => !!b.closed, 10_000),
      'the simulation reaches its goal',
    );
    assert.equal(b.closed!.error, true);
    assert.match(b.closed!.reason, /going away/);
  });

  test(`a message larger than the receiver allows aborts the association${mode}`, () => {
    const net = new SimNetwork(53, { delay: 10 });
    const [a, b] = makePair({ interleaving }, { maxMessageSize: 100_000, interleaving });
    a.assoc.connect(0);
    assert.ok(
      runSimulation(net, [a, b], () => a.connected && b.connected, 60_000),
      'the simulation reaches its goal',
    );
    a.assoc.send(0, PPID_BINARY, new Uint8Array(150_000), undefined, net.now);
    assert.ok(
      runSimulation(net, [a, b], () => !!a.closed && !!b.closed, 60_000),
      'the simulation reaches its goal',
    );
    assert.equal(b.messages.length, 0);
    assert.equal(a.closed!.error, true);
  });
}
