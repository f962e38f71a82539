import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TIMER_LATENESS_MS } from '../../src/ice/consent.js';
import { buildCheckRequest } from '../../src/ice/messages.js';
import {
  type Address,
  decodeStun,
  getIceControlled,
  getIceControlling,
  hasUseCandidate,
  newTransactionId,
  type StunMessage,
  shortTermKey,
  verifyFingerprint,
  verifyMessageIntegrity,
} from '../../src/stun/index.js';
import { runSimulation, SimNetwork } from '../sim/network.js';
import {
  type AgentEndpoint,
  addPhantomCandidate,
  bytes,
  dualStackPair,
  isConnected,
  partition,
  Signaller,
  startGathering,
  v4,
  v6,
} from './harness.js';

/** Records the requests `e` sends (with the virtual time) once `since()` says so. */
function recordRequests(e: AgentEndpoint, net: SimNetwork, since: () => boolean) {
  const sent: { at: number; m: StunMessage }[] = [];
  const poll = e.agent.pollTransmit.bind(e.agent);
  e.agent.pollTransmit = () => {
    const t = poll();
    if (t && t.data[0]! < 4 && since()) {
      const r = decodeStun(t.data.slice());
      if (r.ok && r.message.class === 'request') sent.push({ at: net.now, m: r.message });
    }
    return t;
  };
  return sent;
}

/** The bytes of a request from the end of its header to MESSAGE-INTEGRITY. */
function fixedPart(m: StunMessage): string {
  const mi = m.attributes.find((a) => a.type === 0x0008)!;
  return Buffer.from(m.raw.subarray(20, mi.offset)).toString('hex');
}

/** Two agents connected over a jittery path, after the checks of the setup have settled. */
function settledPair(
  seed: number,
  before?: (a: AgentEndpoint, b: AgentEndpoint, net: SimNetwork) => void,
) {
  const net = new SimNetwork(seed, { delay: 10, jitter: 10 });
  const sig = new Signaller();
  const { a, b } = dualStackPair(net, sig, { role: 'controlling' }, { role: 'controlled' });
  const endpoints = [a, b, sig];
  const run = (done: () => boolean, t: number) => runSimulation(net, endpoints, done, t);
  before?.(a, b, net);
  startGathering(a, 0);
  startGathering(b, 0);
  assert.ok(run(() => a.state === 'completed' && b.state === 'completed', 10_000));
  run(() => false, 7000);
  return { net, a, b, run };
}

test('idle for 5 minutes: one consent request every 4-6 s per side, each fresh and authenticated', () => {
  let idle = false;
  let fromA: ReturnType<typeof recordRequests> = [];
  let fromB: ReturnType<typeof recordRequests> = [];
  const { net, a, b, run } = settledPair(451, (a, b, net) => {
    fromA = recordRequests(a, net, () => idle);
    fromB = recordRequests(b, net, () => idle);
  });
  idle = true;
  const start = net.now;
  run(() => false, 300_000);
  assert.ok(isConnected(a) && isConnected(b), `${a.state} ${b.state}`);
  assert.deepEqual(a.states(), ['checking', 'connected', 'completed']);

  for (const [sent, peer, controlling] of [
    [fromA, b, true],
    [fromB, a, false],
  ] as const) {
    assert.ok(
      sent.length >= 300_000 / 6000 - 1 && sent.length <= 300_000 / 4000 + 1,
      `${sent.length}`,
    );
    assert.ok(sent[0]!.at - start <= 6000);
    for (let i = 1; i < sent.length; i++) {
      const gap = sent[i]!.at - sent[i - 1]!.at;
      // Up to 1.2 x 5 s, less what a far deadline may fire late in the real I/O layer.
      assert.ok(gap >= 4000 && gap <= 6000 - TIMER_LATENESS_MS + 1, `gap ${gap} ms`);
    }
    const key = shortTermKey(peer.agent.localPwd);
    const ids = new Set<string>();
    for (const { m } of sent) {
      assert.ok(verifyMessageIntegrity(m, key));
      assert.ok(verifyFingerprint(m));
      assert.equal(fixedPart(m), fixedPart(sent[0]!.m), 'same attributes every time');
      assert.equal(hasUseCandidate(m), controlling, 'the controlling side keeps nominating');
      ids.add(Buffer.from(m.transactionId).toString('hex'));
    }
    assert.equal(ids.size, sent.length, 'a new transaction id for each request');
  }

  assert.ok(a.agent.send(bytes(0x80, 1)));
  assert.ok(run(() => b.data.length > 0, 1000));
});

test('a consent response that fails integrity does not renew consent', () => {
  const { net, a, b, run } = settledPair(452);
  // From now on every STUN response b sends has one bit of its MESSAGE-INTEGRITY flipped.
  const poll = b.agent.pollTransmit.bind(b.agent);
  b.agent.pollTransmit = () => {
    const t = poll();
    if (t && t.data[0] === 0x01 && t.data[1] === 0x01) {
      const data = t.data.slice();
      data[data.length - 12]! ^= 1;
      return { ...t, data };
    }
    return t;
  };
  const cut = net.now;
  assert.ok(
    run(() => a.state === 'failed', 40_000),
    a.state,
  );
  const d = a.stateLog.at(-1)!.at - cut;
  assert.ok(d >= 24_000 && d <= 30_100, `failed after ${d}`);
  assert.ok(isConnected(b), 'b still gets authentic responses from a');
});

test('after a role switch the consent request is encoded again with the new role', () => {
  let recording = false;
  let fromA: ReturnType<typeof recordRequests> = [];
  const { a, b, run } = settledPair(453, (a, _b, net) => {
    fromA = recordRequests(a, net, () => recording);
  });
  recording = true;
  run(() => fromA.length >= 1, 7000);
  assert.ok(getIceControlling(fromA[0]!.m) !== undefined);
  // Its answer comes back first: a retransmission of it would rightly carry the old role.
  run(() => false, 500);
  // Both sides swap roles, as after a renegotiation that turned them around.
  a.agent.setRole('controlled');
  b.agent.setRole('controlling');
  fromA.length = 0;
  run(() => fromA.length >= 2, 13_000);
  const key = shortTermKey(b.agent.localPwd);
  for (const { m } of fromA) {
    assert.equal(getIceControlling(m), undefined);
    assert.ok(getIceControlled(m) !== undefined, 'the new role goes out');
    assert.equal(hasUseCandidate(m), false, 'a controlled agent does not nominate');
    assert.ok(verifyMessageIntegrity(m, key));
  }
  assert.ok(isConnected(a) && isConnected(b), `${a.state} ${b.state}`);
});

/** Peers whose controlling side holds its nomination back for a remote candidate that never answers. */
function heldNomination(seed: number, controlling: 'a' | 'b', holdFor = 1000) {
  const net = new SimNetwork(seed, { delay: 5 });
  const sig = new Signaller();
  const held = { role: 'controlling' as const, nominationTimeout: holdFor };
  const other = { role: 'controlled' as const };
  const { a, b } = dualStackPair(
    net,
    sig,
    controlling === 'a' ? held : other,
    controlling === 'a' ? other : held,
  );
  addPhantomCandidate((controlling === 'a' ? a : b).agent);
  startGathering(a, 0);
  startGathering(b, 0);
  const run = (done: () => boolean, ms: number) => runSimulation(net, [a, b, sig], done, ms);
  return { net, a, b, run };
}

test('a pair in use before the nomination whose path goes: disconnected, then failed 30 s after its last answer, never back to checking', () => {
  const { net, a, b, run } = heldNomination(1, 'a');
  assert.ok(run(() => isConnected(a), 10_000));
  assert.equal(a.agent.nominated, false);
  const cut = net.now;
  partition(net, a, b);
  // The nomination's check on the pair in use times out meanwhile: that must not drop the
  // pair before consent does.
  assert.ok(
    run(() => a.state === 'failed', 45_000),
    a.states().join(),
  );
  const after = a.stateLog.filter((s) => s.at > cut).map((s) => s.state);
  assert.deepEqual(after, ['disconnected', 'failed']);
  assert.ok(net.now - cut <= 30_000, `failed ${net.now - cut} ms after the cut`);
  assert.equal(a.agent.send(bytes(0x80)), false);
  assert.equal(a.agent.writable, false, 'nothing to start a DTLS handshake on');
});

for (const nominated of [false, true]) {
  test(`an ICE restart whose answer never comes, then the old pair loses consent: failed (${nominated ? 'nominated' : 'before the nomination'})`, () => {
    const { net, a, b, run } = heldNomination(3, 'a');
    assert.ok(run(() => isConnected(a) && a.agent.nominated === nominated, 20_000));
    a.agent.restart(net.now);
    partition(net, a, b);
    assert.ok(
      run(() => a.state === 'failed', 40_000),
      a.states().join(),
    );
    assert.equal(a.agent.send(bytes(0x80)), false);
    // And it stays failed: no later input revives it without another restart.
    run(() => false, 10_000);
    assert.equal(a.state, 'failed');
  });
}

test('a nomination that arrives as consent on the pair in use runs out takes over, and checking goes on', () => {
  // a (controlled) uses its IPv6 pair before the nomination; b holds the nomination back. The
  // IPv6 path goes; just as consent on it runs out, b nominates the IPv4 pair (in the same
  // turn, as a timer running late would have it).
  const deadline = () => {
    const { net, a, b, run } = heldNomination(55, 'b', 1e9);
    run(() => false, 2000);
    partition(net, a, b);
    assert.ok(run(() => a.state === 'failed', 40_000));
    return net.now;
  };
  const failAt = deadline();
  const { net, a, b, run } = heldNomination(55, 'b', 1e9);
  run(() => false, 2000);
  assert.equal(a.agent.getSelectedPair()?.remote.address, 'fd00::2');
  assert.equal(a.agent.nominated, false);
  partition(net, a, b);
  // From here b is silent but for its nomination.
  runSimulation(net, [a], () => false, failAt - net.now - 1);
  assert.equal(a.state, 'disconnected');
  /** A check from b nominating the pair between `from` and `to`, handed to a at `now`. */
  const nominationFromB = (from: Address, to: Address, now: number) => {
    const check = buildCheckRequest({
      transactionId: newTransactionId(),
      username: `${a.agent.localUfrag}:${b.agent.localUfrag}`,
      priority: 1000,
      role: 'controlling',
      tieBreaker: b.agent.tieBreaker,
      useCandidate: true,
      key: shortTermKey(a.agent.localPwd),
    });
    a.agent.handleDatagram(check, from, to, now);
    a.drainEvents(now);
  };
  nominationFromB(v4('10.0.0.2', 6000), v4('10.0.0.1', 5000), failAt);
  assert.equal(a.agent.nominated, true);
  assert.equal(a.agent.getSelectedPair()?.remote.address, '10.0.0.2');
  assert.notEqual(a.state, 'failed');
  // Checking goes on in that generation: a later nomination of the better IPv6 pair (valid
  // since before) is taken, which a generation failed with the pair it replaced would drop.
  nominationFromB(v6('fd00::2', 6001), v6('fd00::1', 5001), failAt + 1000);
  assert.equal(a.agent.getSelectedPair()?.remote.address, 'fd00::2');
  assert.equal(a.agent.nominated, true);
});
