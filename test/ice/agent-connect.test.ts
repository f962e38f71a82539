import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type IceRole, parseCandidate, serializeCandidate } from '../../src/ice/index.js';
import { runSimulation, SimNetwork } from '../sim/network.js';
import {
  type AgentEndpoint,
  addPhantomCandidate,
  bytes,
  dualStackPair,
  ipv6Pair,
  isConnected,
  partition,
  Signaller,
  startGathering,
  wirePeers,
} from './harness.js';

function setup(
  seed: number,
  roles: [IceRole, IceRole],
  conditions = {},
  extra: { aOpts?: object; bOpts?: object } = {},
) {
  const net = new SimNetwork(seed, conditions);
  const sig = new Signaller();
  const { a, b } = dualStackPair(
    net,
    sig,
    { role: roles[0], ...extra.aOpts },
    { role: roles[1], ...extra.bOpts },
  );
  startGathering(a, 0);
  startGathering(b, 0);
  const run = (done: () => boolean, maxTime: number) =>
    runSimulation(net, [a, b, sig], done, maxTime);
  return { net, sig, a, b, run };
}

/** Sends `n` datagrams each way on the selected pairs and runs until they are in (or lost). */
function exchangeData(
  run: (done: () => boolean, t: number) => boolean,
  a: AgentEndpoint,
  b: AgentEndpoint,
  n: number,
) {
  const a0 = a.data.length;
  const b0 = b.data.length;
  for (let i = 0; i < n; i++) {
    assert.equal(a.agent.send(bytes(0x80, 1, i)), true);
    assert.equal(b.agent.send(bytes(0x80, 2, i)), true);
  }
  run(() => a.data.length - a0 >= n && b.data.length - b0 >= n, 2000);
  return { toA: a.data.slice(a0), toB: b.data.slice(b0) };
}

const lossy = { loss: 0.2, delay: 20, jitter: 30, duplicate: 0.1 };

for (const seed of [1, 2, 3, 4, 5]) {
  test(`two agents connect through loss, reorder and duplication (seed ${seed})`, () => {
    const { a, b, run } = setup(seed, ['controlling', 'controlled'], lossy);
    assert.ok(run(() => a.state === 'completed' && b.state === 'completed', 60_000));
    const sa = a.agent.getSelectedPair()!;
    const sb = b.agent.getSelectedPair()!;
    // Both ends agree on the pair: each one's local is the other's remote.
    assert.equal(sa.local.port, sb.remote.port);
    assert.equal(sa.remote.port, sb.local.port);
    // IPv6 host pairs rank above IPv4 ones.
    assert.ok(sa.local.address.includes(':'));
    assert.deepEqual(a.states().slice(0, 1), ['checking']);
    assert.ok(a.states().includes('connected'));
    const { toA, toB } = exchangeData(run, a, b, 20);
    // Loss applies to data too: most of it arrives, and what arrives is from the right side.
    assert.ok(toA.length >= 8 && toB.length >= 8);
    for (const d of toA) assert.equal(d[1], 2);
    for (const d of toB) assert.equal(d[1], 1);
  });
}

test('roles reversed: the second agent controls', () => {
  const { a, b, run } = setup(11, ['controlled', 'controlling'], { delay: 10, jitter: 10 });
  assert.ok(run(() => a.state === 'completed' && b.state === 'completed', 30_000));
  assert.equal(a.agent.role, 'controlled');
  assert.equal(b.agent.role, 'controlling');
  const { toA, toB } = exchangeData(run, a, b, 5);
  assert.equal(toA.length, 5);
  assert.equal(toB.length, 5);
});

for (const role of ['controlling', 'controlled'] as const) {
  test(`role conflict (both ${role}) resolves and connects`, () => {
    for (const seed of [21, 22, 23]) {
      const { a, b, run } = setup(seed, [role, role], { delay: 10, jitter: 20, loss: 0.05 });
      assert.ok(
        run(() => isConnected(a) && isConnected(b), 60_000),
        `seed ${seed}`,
      );
      assert.notEqual(a.agent.role, b.agent.role);
      // The larger tie-breaker ends up controlling (RFC 8445 7.3.1.1).
      const winner = a.agent.tieBreaker > b.agent.tieBreaker ? a : b;
      assert.equal(winner.agent.role, 'controlling');
      const { toA, toB } = exchangeData(run, a, b, 3);
      assert.ok(toA.length >= 1 && toB.length >= 1);
    }
  });
}

test('a role set by signaling after gathering began is the one used, whatever the tie-breakers', () => {
  let bWouldHaveWon = 0;
  for (const [seed, aTie, bTie] of [
    [41, 1n, 2n ** 64n - 1n],
    [42, 2n ** 63n, 2n ** 62n],
    [43, 5n, 6n],
  ] as const) {
    // Both agents start as controlling, as a peer that gathered for its own offer does; b then
    // takes the remote offer and becomes controlled before any check.
    const { a, b, run } = setup(
      seed,
      ['controlling', 'controlling'],
      {},
      {
        aOpts: { tieBreaker: aTie },
        bOpts: { tieBreaker: bTie },
      },
    );
    if (b.agent.tieBreaker > a.agent.tieBreaker) bWouldHaveWon++;
    b.agent.setRole('controlled');
    assert.ok(
      run(() => isConnected(a) && isConnected(b), 30_000),
      `seed ${seed}`,
    );
    // Role-conflict repair would have made the larger tie-breaker controlling instead.
    assert.equal(a.agent.role, 'controlling', `seed ${seed}`);
    assert.equal(b.agent.role, 'controlled', `seed ${seed}`);
  }
  assert.equal(bWouldHaveWon, 2, 'b has the larger tie-breaker in two runs');
});

test('aggressive nomination by the controlling peer is accepted', () => {
  const { a, b, run } = setup(
    31,
    ['controlling', 'controlled'],
    { delay: 10, jitter: 40 },
    {
      aOpts: { aggressiveNomination: true },
    },
  );
  assert.ok(run(() => isConnected(a) && isConnected(b), 30_000));
  // Let every check settle: the controlled side ends on the best nominated pair, the same one.
  run(() => false, 3000);
  const sa = a.agent.getSelectedPair()!;
  const sb = b.agent.getSelectedPair()!;
  assert.equal(sb.local.port, sa.remote.port);
  assert.equal(sb.remote.port, sa.local.port);
  assert.ok(sb.local.address.includes(':'));
  const { toA, toB } = exchangeData(run, a, b, 3);
  assert.equal(toA.length, 3);
  assert.equal(toB.length, 3);
});

test('the same seed replays the same run', () => {
  const once = () => {
    const { net, a, b, run } = setup(41, ['controlling', 'controlled'], lossy);
    run(() => a.state === 'completed' && b.state === 'completed', 60_000);
    return { now: net.now, sent: net.stats.sent, states: a.states() };
  };
  // Credentials and transaction ids are random, but timing and counts are not.
  assert.deepEqual(once(), once());
});

test('send before any pair is valid returns false; close stops everything', () => {
  const { a, b, run } = setup(51, ['controlling', 'controlled'], { delay: 5 });
  assert.equal(a.agent.send(bytes(0x80)), false);
  assert.ok(run(() => isConnected(a) && isConnected(b), 30_000));
  a.agent.close(a.agent.nextTimeout() ?? 0);
  assert.equal(a.agent.state, 'closed');
  assert.equal(a.agent.send(bytes(0x80)), false);
  assert.equal(a.agent.nextTimeout(), undefined);
  a.drainEvents(0);
  assert.deepEqual(a.states().at(-1), 'closed');
});

test('data goes on the first valid pair while the nomination is under way (RFC 8445 12.1)', () => {
  for (const [seed, roles] of [
    [52, ['controlling', 'controlled']],
    [53, ['controlled', 'controlling']],
  ] as const) {
    const { a, b, run } = setup(seed, [...roles], { delay: 5 });
    const sentAt: Record<string, number> = {};
    const sentOn: Record<string, string> = {};
    const pairKey = (p: { local: { port: number }; remote: { address: string; port: number } }) =>
      `${p.local.port}>${p.remote.address}:${p.remote.port}`;
    for (const [side, byte] of [
      [a, 1],
      [b, 2],
    ] as const) {
      side.onEvent = (e, now) => {
        if (e.type !== 'writable') return;
        assert.equal(side.agent.nominated, false, 'writable comes before the nomination');
        sentAt[side.name] = now;
        assert.ok(side.agent.send(bytes(0x80, byte)), 'sent on a valid pair');
        sentOn[side.name] = pairKey(side.agent.getSelectedPair()!);
      };
    }
    assert.ok(
      run(() => a.data.length === 1 && b.data.length === 1, 30_000),
      `seed ${seed}`,
    );
    assert.deepEqual([...b.data[0]!], [0x80, 1]);
    assert.deepEqual([...a.data[0]!], [0x80, 2]);
    assert.ok(run(() => a.nominatedAt !== undefined && b.nominatedAt !== undefined, 30_000));
    // Each side sent on its first valid pair before the nomination, and the other side took
    // the data (it knows the address from the checks). As in browsers, the transport is
    // 'connected' from that first usable pair, and reports it as the selected pair.
    for (const side of [a, b]) {
      const connectedAt = side.stateLog.find((l) => l.state === 'connected')?.at;
      assert.ok(sentAt[side.name]! < side.nominatedAt!, `${side.name} sent before the nomination`);
      assert.equal(connectedAt, sentAt[side.name], `${side.name} connected when writable`);
      const reported = side.events.find((e) => e.type === 'selected-pair');
      assert.ok(reported?.type === 'selected-pair', `${side.name} reported a pair`);
      assert.equal(pairKey(reported), sentOn[side.name], 'the pair reported is the one used');
    }
    assert.equal(a.events.filter((e) => e.type === 'writable').length, 1);
  }
});

test('not writable while the peer has not checked us: a pair answered only proves it has our offer', () => {
  const net = new SimNetwork(54, { delay: 5 });
  const { a, b } = ipv6Pair(net);
  startGathering(a, 0);
  startGathering(b, 0);
  /** `to` gets `from`'s description: its credentials and the candidates it has gathered. */
  const describe = (from: AgentEndpoint, to: AgentEndpoint, now: number) => {
    to.agent.setRemoteCredentials(from.agent.localUfrag, from.agent.localPwd, now);
    for (const e of from.events) {
      if (e.type === 'local-candidate') to.agent.addRemoteCandidate(e.candidate, now);
    }
  };
  // b has the offer; a does not have the answer yet.
  describe(a, b, 0);
  const bWritable = () => b.events.some((e) => e.type === 'writable');
  runSimulation(net, [a, b], () => false, 3_000);
  assert.ok(b.sentStun > 0, 'b checked a, and a answered');
  assert.ok(!bWritable(), 'no writable before a has checked b');
  assert.equal(b.agent.send(bytes(0x80)), false);
  // The answer arrives: a checks b, and b may send before any nomination has reached it.
  describe(b, a, net.now);
  assert.ok(runSimulation(net, [a, b], bWritable, 3_000), 'writable once checked');
  assert.ok(b.agent.send(bytes(0x80, 3)));
  assert.ok(runSimulation(net, [a, b], () => isConnected(a) && isConnected(b), 10_000));
  assert.equal(b.events.filter((e) => e.type === 'writable').length, 1);
});

test('before the nomination, a valid pair is connected and keeps consent; losing it fails the transport', () => {
  const { a, b, run, net } = setup(
    55,
    ['controlled', 'controlling'],
    { delay: 5 },
    {
      bOpts: { nominationTimeout: 1e9 },
    },
  );
  // A remote candidate ranked above all others that never answers: b, controlling, waits for
  // it before nominating, so a has valid pairs and nothing selected.
  addPhantomCandidate(b.agent);
  assert.ok(
    run(() => a.events.some((e) => e.type === 'writable'), 10_000),
    'a writable',
  );
  assert.equal(a.agent.state, 'connected');
  assert.equal(a.agent.nominated, false);
  assert.ok(a.agent.getSelectedPair(), 'the pair in use is reported');
  assert.ok(a.agent.send(bytes(0x80, 1)), 'sent on a valid pair');
  // Consent is kept on it as on a selected pair (RFC 7675).
  partition(net, a, b);
  const cut = net.now;
  assert.ok(
    run(() => a.agent.state === 'disconnected', 10_000),
    'disconnected once consent requests go unanswered',
  );
  assert.ok(
    run(() => a.agent.state === 'failed', 60_000),
    'a fails once the path is gone',
  );
  // Consent expiry (30 s after the last answer), not the checklist's 70 s failure.
  assert.ok(net.now - cut <= 32_000, `failed ${net.now - cut} ms after the cut`);
  assert.equal(a.agent.send(bytes(0x80, 2)), false, 'nothing goes out after failed');
  assert.equal(a.agent.state, 'failed');
});

test('candidates travel as SDP text; a non-canonical IPv6 spelling still matches the socket', () => {
  const net = new SimNetwork(61, { delay: 10 });
  const sig = new Signaller();
  const { a, b } = ipv6Pair(net);
  wirePeers(net, sig, a, b);
  for (const [from, to] of [
    [a, b],
    [b, a],
  ] as const) {
    const deliver = from.onEvent!;
    from.onEvent = (e, now) => {
      if (e.type !== 'local-candidate') return deliver(e, now);
      const line = `a=${serializeCandidate(e.candidate)}`.replace(
        /fd00::(\d)/,
        'FD00:0:0:0:0:0:0:$1',
      );
      const parsed = parseCandidate(line);
      assert.ok(parsed.ok);
      sig.schedule(now + 5, (t) => to.agent.addRemoteCandidate(parsed.candidate, t));
    };
  }
  startGathering(a, 0);
  startGathering(b, 0);
  assert.ok(runSimulation(net, [a, b, sig], () => isConnected(a) && isConnected(b), 10_000));
  assert.equal(a.agent.getSelectedPair()!.remote.address, 'FD00:0:0:0:0:0:0:2');
  assert.ok(b.agent.send(bytes(0x80, 5)));
  assert.ok(runSimulation(net, [a, b, sig], () => a.data.length > 0, 1000));
});
