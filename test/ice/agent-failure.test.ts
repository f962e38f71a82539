import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runSimulation, SimNetwork } from '../sim/network.js';
import {
  bytes,
  dualStackPair,
  isConnected,
  partition,
  Signaller,
  type SignallingOptions,
  startGathering,
} from './harness.js';

function setup(seed: number, signalling: SignallingOptions = {}) {
  const net = new SimNetwork(seed, { delay: 10, jitter: 10 });
  const sig = new Signaller();
  const { a, b } = dualStackPair(
    net,
    sig,
    { role: 'controlling' },
    { role: 'controlled' },
    signalling,
  );
  const endpoints = [a, b, sig];
  const run = (done: () => boolean, t: number) => runSimulation(net, endpoints, done, t);
  return { net, sig, a, b, run };
}

test('no path with end-of-candidates: both sides fail cleanly', () => {
  const { net, a, b, run } = setup(301);
  partition(net, a, b);
  startGathering(a, 0);
  startGathering(b, 0);
  assert.ok(run(() => a.state === 'failed' && b.state === 'failed', 60_000));
  assert.deepEqual(a.states(), ['checking', 'failed']);
  assert.deepEqual(b.states(), ['checking', 'failed']);
  // Failed pairs are retried until the PAC timer (39.5 s from the first check) expires, then
  // the last round of checks gives up (8.5 s at most) and everything goes quiet.
  assert.ok(net.now >= 39_500 && net.now < 48_500, `failed at ${net.now}`);
  assert.equal(a.agent.nextTimeout(), undefined);
  assert.equal(b.agent.nextTimeout(), undefined);
  assert.equal(a.agent.send(bytes(0x80)), false);
  const sent = net.stats.sent;
  run(() => false, 60_000);
  assert.equal(net.stats.sent, sent);
});

test('no path without end-of-candidates: checking, then failed 30 s after the PAC timer', () => {
  const { net, a, b, run } = setup(302, { endOfCandidates: false });
  partition(net, a, b);
  startGathering(a, 0);
  startGathering(b, 0);
  run(() => false, 60_000);
  assert.equal(a.state, 'checking');
  assert.ok(run(() => a.state === 'failed', 60_000));
  const at = a.stateLog.at(-1)!.at;
  assert.ok(at >= 69_500 && at <= 78_500, `failed at ${at}`);
});

test("end-of-candidates with no candidate: no failure before the peer's checks arrive", () => {
  // a hears nothing of b but its credentials and end-of-candidates, as a server whose client's
  // description carried no candidate: b's checks, once it has a's candidates, are all a can
  // connect through (peer-reflexive candidates).
  const { sig, a, b, run } = setup(305, { trickle: false });
  sig.schedule(0, (t) => a.agent.endOfRemoteCandidates(t));
  a.onEvent = (e, now) => {
    if (e.type !== 'local-candidate') return;
    sig.schedule(now + 2000, (t) => b.agent.addRemoteCandidate(e.candidate, t));
  };
  startGathering(a, 0);
  startGathering(b, 0);
  assert.ok(
    run(() => isConnected(a) && isConnected(b), 10_000),
    `${a.state} ${b.state}`,
  );
  assert.ok(!a.states().includes('failed'), a.states().join(' → '));
  assert.equal(a.agent.getSelectedPair()!.remote.type, 'prflx');
});

test('consent lost: disconnected within seconds, failed 30 s after the last response', () => {
  const { net, a, b, run } = setup(303);
  startGathering(a, 0);
  startGathering(b, 0);
  assert.ok(run(() => a.state === 'completed' && b.state === 'completed', 10_000));
  run(() => false, 12_000);
  const cut = net.now;
  partition(net, a, b);
  assert.ok(run(() => a.state === 'disconnected' && b.state === 'disconnected', 20_000));
  // Next consent request within 6 s, then 3 s unanswered.
  for (const e of [a, b]) {
    const d = e.stateLog.find((s) => s.state === 'disconnected')!.at - cut;
    assert.ok(d >= 3000 && d <= 9100, `${e.name} disconnected after ${d}`);
    assert.equal(e.agent.send(bytes(0x80)), true);
  }
  assert.ok(run(() => a.state === 'failed' && b.state === 'failed', 40_000));
  for (const e of [a, b]) {
    const d = e.stateLog.at(-1)!.at - cut;
    assert.ok(d >= 24_000 && d <= 30_100, `${e.name} failed after ${d}`);
    assert.equal(e.agent.send(bytes(0x80)), false, 'no sending without consent');
  }
  assert.deepEqual(a.states(), ['checking', 'connected', 'completed', 'disconnected', 'failed']);
  // Consent does not come back by itself once expired, even when the path heals.
  partition(net, a, b, true);
  run(() => false, 10_000);
  assert.equal(a.state, 'failed');
});

test('consent returns before 30 s: back to connected, data flows again', () => {
  const { net, a, b, run } = setup(304);
  startGathering(a, 0);
  startGathering(b, 0);
  assert.ok(run(() => isConnected(a) && isConnected(b), 10_000));
  partition(net, a, b);
  assert.ok(run(() => a.state === 'disconnected' && b.state === 'disconnected', 20_000));
  run(() => false, 5000);
  partition(net, a, b, true);
  assert.ok(
    run(() => isConnected(a) && isConnected(b), 15_000),
    `${a.state} ${b.state}`,
  );
  assert.ok(a.agent.send(bytes(0x80, 9)));
  assert.ok(run(() => b.data.length > 0, 1000));
  run(() => false, 40_000);
  assert.ok(isConnected(a) && isConnected(b));
  assert.ok(!a.states().includes('failed'));
});
