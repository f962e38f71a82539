import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IceEvent } from '../../src/ice/index.js';
import { runSimulation, type SimEndpoint, SimNetwork } from '../sim/network.js';
import {
  type AgentEndpoint,
  addPhantomCandidate,
  bytes,
  isConnected,
  isNominated,
  makePeer,
  Signaller,
  startGathering,
  v4,
  v6,
  wirePeers,
} from './harness.js';

function peers(net: SimNetwork) {
  const a = makePeer(net, {
    name: 'a',
    bases: [v4('10.0.0.1', 5000), v4('10.0.1.1', 5002), v6('fd00::1', 5001)],
    options: { role: 'controlling' },
  });
  const b = makePeer(net, {
    name: 'b',
    bases: [v4('10.0.0.2', 6000), v6('fd00::2', 6001)],
    options: { role: 'controlled' },
  });
  return { a, b };
}

for (const seed of [101, 102, 103, 104]) {
  test(`trickle: candidates at random times and in random order, around the credentials (seed ${seed})`, () => {
    const net = new SimNetwork(seed, { delay: 15, jitter: 20, loss: 0.05 });
    const sig = new Signaller();
    const { a, b } = peers(net);
    // Candidates race the credentials: some arrive before them (held by ufrag), some after.
    wirePeers(net, sig, a, b, { delay: [1, 400], credentialsAt: 100 + (seed % 3) * 100 });
    startGathering(a, 0);
    // b binds its sockets late, one by one, while a already checks.
    sig.schedule(50, (t) => b.agent.addLocalAddress(b.bases[0]!, t));
    sig.schedule(250, (t) => {
      b.agent.addLocalAddress(b.bases[1]!, t);
      b.agent.endOfLocalAddresses(t);
    });
    const ok = runSimulation(
      net,
      [a, b, sig],
      () => a.state === 'completed' && b.state === 'completed',
      30_000,
    );
    assert.ok(ok, `states a=${a.states()} b=${b.states()}`);
    assert.equal(b.agent.getRemoteCandidates().filter((c) => c.type === 'host').length, 3);
    assert.deepEqual(
      a.events.flatMap((e) => (e.type === 'gathering-state' ? [e.state] : [])),
      ['gathering', 'complete'],
    );
    assert.deepEqual(a.states(), ['checking', 'connected', 'completed']);
    // 5% loss applies to data too: of five datagrams, some arrive.
    for (let i = 0; i < 5; i++) assert.ok(a.agent.send(bytes(0x80, 7)));
    runSimulation(net, [a, b, sig], () => b.data.length > 0, 1000);
    assert.deepEqual(b.data[0], bytes(0x80, 7));
  });
}

test('without end-of-candidates the transport connects but does not complete', () => {
  const net = new SimNetwork(7, { delay: 10 });
  const sig = new Signaller();
  const { a, b } = peers(net);
  // Deliver candidates but drop end-of-candidates.
  wirePeers(net, sig, a, b, { endOfCandidates: false });
  startGathering(a, 0);
  startGathering(b, 0);
  runSimulation(net, [a, b, sig], () => false, 5000);
  assert.equal(a.state, 'connected');
  assert.equal(b.state, 'connected');
  a.agent.endOfRemoteCandidates(net.now);
  assert.equal(a.state, 'completed');
});

/** Sends a numbered datagram from each agent every 20 ms, counting refusals. */
class DataTicker implements SimEndpoint {
  readonly keys: string[] = [];
  next = 0;
  seq = 0;
  refused = 0;
  constructor(
    private readonly a: AgentEndpoint,
    private readonly b: AgentEndpoint,
  ) {}
  receive(): void {}
  timeout(now: number): void {
    this.seq++;
    if (!this.a.agent.send(bytes(0x80, 1, this.seq & 0xff))) this.refused++;
    if (!this.b.agent.send(bytes(0x80, 2, this.seq & 0xff))) this.refused++;
    this.next = now + 20;
  }
  nextTimeout(): number {
    return this.next;
  }
  flush(): void {}
}

/** a restarts and sends its new credentials; b restarts when it sees them (as an answerer). */
function restartBoth(a: AgentEndpoint, b: AgentEndpoint, sig: Signaller, t0: number): void {
  a.agent.restart(t0);
  sig.schedule(t0 + 40, (t) => {
    b.agent.restart(t);
    b.agent.setRemoteCredentials(a.agent.localUfrag, a.agent.localPwd, t);
    sig.schedule(t + 40, (t2) =>
      a.agent.setRemoteCredentials(b.agent.localUfrag, b.agent.localPwd, t2),
    );
  });
}

test('ICE restart: data keeps flowing on the old pair, then a new-generation pair is selected', () => {
  const net = new SimNetwork(201, { delay: 10, jitter: 5 });
  const sig = new Signaller();
  const { a, b } = peers(net);
  wirePeers(net, sig, a, b);
  startGathering(a, 0);
  startGathering(b, 0);
  assert.ok(runSimulation(net, [a, b, sig], () => isNominated(a) && isNominated(b), 10_000));
  const oldUfragA = a.agent.localUfrag;
  const oldUfragB = b.agent.localUfrag;

  const ticker = new DataTicker(a, b);
  ticker.next = net.now;
  const endpoints = [a, b, sig, ticker];
  runSimulation(net, endpoints, () => false, 200);
  const beforeA = a.data.length;
  const beforeB = b.data.length;

  const t0 = net.now;
  restartBoth(a, b, sig, t0);
  const selectedEvents = (e: AgentEndpoint) =>
    e.events.filter(
      (ev): ev is Extract<IceEvent, { type: 'selected-pair' }> => ev.type === 'selected-pair',
    );
  const newPair = (e: AgentEndpoint) =>
    selectedEvents(e).at(-1)!.local.ufrag === e.agent.localUfrag && e.agent.nominated;
  const ok = runSimulation(net, endpoints, () => newPair(a) && newPair(b), 10_000);
  assert.ok(ok, 'a new pair is selected on both sides');
  assert.notEqual(a.agent.localUfrag, oldUfragA);
  assert.notEqual(b.agent.localUfrag, oldUfragB);
  // Not a datagram was refused and data arrived all through the restart.
  assert.equal(ticker.refused, 0);
  assert.ok(a.data.length - beforeA >= (net.now - t0) / 20 - 2, 'b→a data during restart');
  assert.ok(b.data.length - beforeB >= (net.now - t0) / 20 - 2, 'a→b data during restart');
  for (const e of [a, b]) {
    assert.ok(!e.states().includes('failed') && !e.states().includes('disconnected'));
  }
  runSimulation(net, endpoints, () => false, 1000);
  assert.ok(isConnected(a) && isConnected(b));
  assert.equal(ticker.refused, 0);
});

test('an ICE restart before the nomination: the pair in use carries data until the new generation has one', () => {
  const net = new SimNetwork(202, { delay: 10, jitter: 5 });
  const sig = new Signaller();
  const { a, b } = peers(net);
  wirePeers(net, sig, a, b);
  // A remote candidate ranked above all others that never answers holds a's nomination back.
  addPhantomCandidate(a.agent);
  startGathering(a, 0);
  startGathering(b, 0);
  assert.ok(runSimulation(net, [a, b, sig], () => isConnected(a) && isConnected(b), 10_000));
  assert.ok(!a.agent.nominated && !b.agent.nominated, 'connected before the nomination');

  const ticker = new DataTicker(a, b);
  ticker.next = net.now;
  const endpoints = [a, b, sig, ticker];
  const t0 = net.now;
  restartBoth(a, b, sig, t0);
  const onNewPair = (e: AgentEndpoint) =>
    e.agent.getSelectedPair()?.local.ufrag === e.agent.localUfrag;
  assert.ok(runSimulation(net, endpoints, () => onNewPair(a) && onNewPair(b), 10_000));
  runSimulation(net, endpoints, () => false, 500);
  assert.equal(ticker.refused, 0, 'no datagram refused through the restart');
  assert.ok(a.data.length >= (net.now - t0) / 20 - 2, 'b→a data during restart');
  assert.ok(b.data.length >= (net.now - t0) / 20 - 2, 'a→b data during restart');
  for (const e of [a, b]) assert.ok(!e.states().includes('failed'), e.states().join());
});
