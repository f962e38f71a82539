import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IceAgent, parseCandidate } from '../../src/ice/index.js';
import { decodeStun, getUsername, hasUseCandidate } from '../../src/stun/index.js';
import { runSimulation, type SimEndpoint, SimNetwork } from '../sim/network.js';
import {
  type AgentEndpoint,
  makePeer,
  Signaller,
  startGathering,
  v4,
  v6,
  wirePeers,
} from './harness.js';

function candidate(line: string) {
  const r = parseCandidate(line);
  assert.ok(r.ok);
  return r.candidate;
}

test('a burst of addresses and candidates: the first check goes to the best pair of all of them', () => {
  const agent = new IceAgent({
    role: 'controlled',
    now: 0,
    localUfrag: 'mine',
    localPwd: 'minepasswordminepassword',
  });
  agent.setRemoteCredentials('peer', 'peerpasswordpeerpassword', 0);
  // The IPv4 candidate and the IPv4 address come first, as interfaces are often listed.
  agent.addRemoteCandidate(candidate('candidate:1 1 udp 2122317823 10.0.0.1 5000 typ host'), 0);
  agent.addRemoteCandidate(candidate('candidate:2 1 udp 2130706431 fd00::1 5001 typ host'), 0);
  agent.addLocalAddress(v4('10.0.0.2', 6000), 0);
  agent.addLocalAddress(v6('fd00::2', 6001), 0);
  agent.endOfLocalAddresses(0);
  const requests = () => {
    const out = [];
    for (let t = agent.pollTransmit(); t; t = agent.pollTransmit()) {
      const m = decodeStun(t.data);
      if (m.ok && m.message.class === 'request') out.push(t);
    }
    return out;
  };
  assert.equal(requests().length, 0, 'no check while the burst is still coming');
  assert.equal(agent.nextTimeout(), 0, 'but one is due at once');
  agent.handleTimeout(0);
  const first = requests();
  assert.equal(first.length, 1, 'one check per Ta');
  assert.equal(first[0]!.local.address, 'fd00::2');
  assert.equal(first[0]!.remote.address, 'fd00::1');
  const m = decodeStun(first[0]!.data);
  assert.ok(m.ok);
  assert.equal(getUsername(m.message), 'peer:mine');
  // The next paced check waits Ta (50 ms).
  agent.handleTimeout(10);
  assert.equal(requests().length, 0);
  assert.equal(agent.nextTimeout(), 50);
});

/**
 * a (controlling) on [fd00::1]:5001 and 10.0.0.1:5000; b (controlled) on 10.0.0.2:6000 and on
 * each of `bIpv6` from port 6001 up; 1 ms each way.
 */
function timedPeers(seed: number, bIpv6 = ['fd00::2']) {
  const net = new SimNetwork(seed, { delay: 1 });
  const a = makePeer(net, {
    name: 'a',
    bases: [v6('fd00::1', 5001), v4('10.0.0.1', 5000)],
    options: { role: 'controlling' },
  });
  const b = makePeer(net, {
    name: 'b',
    bases: [...bIpv6.map((addr, i) => v6(addr, 6001 + i)), v4('10.0.0.2', 6000)],
    options: { role: 'controlled' },
  });
  return { net, sig: new Signaller(), a, b };
}

/** Runs until both agents use the nominated pair (at most 5 s); when each began to. */
function runUntilNominated(
  net: SimNetwork,
  endpoints: SimEndpoint[],
  a: AgentEndpoint,
  b: AgentEndpoint,
) {
  assert.ok(
    runSimulation(
      net,
      endpoints,
      () => a.nominatedAt !== undefined && b.nominatedAt !== undefined,
      5000,
    ),
    `a ${a.state}, b ${b.state}`,
  );
  return { a: a.nominatedAt!, b: b.nominatedAt! };
}

test('the nomination follows the first valid pair at once, not a Ta later', () => {
  const { net, sig, a, b } = timedPeers(7);
  let nominationAt: number | undefined;
  const send = net.send.bind(net);
  net.send = (from, to, data) => {
    const r = decodeStun(data);
    if (r.ok && r.message.class === 'request' && hasUseCandidate(r.message)) {
      nominationAt ??= net.now;
    }
    send(from, to, data);
  };
  wirePeers(net, sig, a, b, { delay: [0, 0] });
  startGathering(a, 0);
  startGathering(b, 0);
  const nominated = runUntilNominated(net, [a, b, sig], a, b);
  // One round trip for the check, one for the nomination: 1 ms each way.
  assert.ok(nominationAt !== undefined && nominationAt <= 3, `nominated at ${nominationAt}`);
  assert.ok(nominated.a <= 5, `a on the nominated pair at ${nominated.a}`);
  assert.ok(nominated.b <= 5, `b on the nominated pair at ${nominated.b}`);
  // Both ends agree on the best pair (IPv6 hosts).
  const sa = a.agent.getSelectedPair()!;
  const sb = b.agent.getSelectedPair()!;
  assert.equal(sa.local.port, sb.remote.port);
  assert.equal(sa.remote.port, sb.local.port);
  assert.ok(sa.local.address.includes(':'));
});

/**
 * a (controlling) hears of b's IPv4 candidate at once and of its IPv6 ones (better pairs) 1 ms
 * later, when the first check (IPv4) is already out: its success at 2 ms finds the better
 * pairs waiting. b hears of a's IPv4 candidate only, so the IPv6 pairs are found by a's checks
 * alone. Datagrams to `blocked` are lost.
 */
function lateBetterCandidates(bIpv6: string[], blocked?: string) {
  const { net, sig, a, b } = timedPeers(8, bIpv6);
  a.onEvent = (e, now) => {
    if (e.type === 'local-candidate' && e.candidate.address.includes('.')) {
      sig.schedule(now, (t) => b.agent.addRemoteCandidate(e.candidate, t));
    }
  };
  b.onEvent = (e, now) => {
    if (e.type !== 'local-candidate') return;
    const at = e.candidate.address.includes(':') ? 1 : now;
    sig.schedule(at, (t) => a.agent.addRemoteCandidate(e.candidate, t));
  };
  sig.schedule(0, (t) => a.agent.setRemoteCredentials(b.agent.localUfrag, b.agent.localPwd, t));
  sig.schedule(0, (t) => b.agent.setRemoteCredentials(a.agent.localUfrag, a.agent.localPwd, t));
  /** When a check to each of b's addresses first went out. */
  const firstCheckTo = new Map<string, number>();
  const send = net.send.bind(net);
  net.send = (from, to, data) => {
    const r = decodeStun(data);
    const address = bIpv6.find((addr) => to.includes(addr));
    if (r.ok && r.message.class === 'request' && address && !firstCheckTo.has(address)) {
      firstCheckTo.set(address, net.now);
    }
    if (blocked === undefined || !to.includes(blocked)) send(from, to, data);
  };
  startGathering(a, 0);
  startGathering(b, 0);
  assert.ok(runSimulation(net, [a, b, sig], () => a.nominatedAt !== undefined, 5000));
  return { a, firstCheckTo, nominatedAt: a.nominatedAt! };
}

test('a better pair trickling in after the first valid one is checked at once, not a Ta later', () => {
  const { a, firstCheckTo, nominatedAt } = lateBetterCandidates(['fd00::2']);
  // Checked when the IPv4 pair turns valid (one round trip, 2 ms), not at the next Ta (50 ms).
  assert.equal(firstCheckTo.get('fd00::2'), 2);
  assert.ok(nominatedAt <= 8, `a nominated at ${nominatedAt}`);
  assert.ok(a.agent.getSelectedPair()!.remote.address.includes(':'), 'on the better pair');
});

test('a valid pair does not starve the pairs still to check: the next better one gets the next Ta', () => {
  // The better of b's IPv6 addresses is unreachable: its pair, checked at once, never answers.
  // The other IPv6 pair must get the next paced slot, not a re-check of the IPv4 pair that has
  // already succeeded (whose checks would trigger b's re-check of it, and so on every Ta).
  const { a, firstCheckTo } = lateBetterCandidates(['fd00::2', 'fd00::4'], 'fd00::2');
  assert.equal(firstCheckTo.get('fd00::2'), 2);
  const second = firstCheckTo.get('fd00::4');
  assert.ok(second !== undefined && second <= 2 + 50, `second IPv6 pair checked at ${second}`);
  // The nomination waited for the unanswered better pair (up to 1 s), then took the best
  // valid one.
  assert.equal(a.agent.getSelectedPair()!.remote.address, 'fd00::4');
});

test('the controlled side checks a pair nominated before its own triggered check went out at once', () => {
  const { net, sig, a, b } = timedPeers(9);
  // a knows only b's IPv6 candidate, b only a's IPv4 one: b spends its first paced slot on
  // IPv4 and learns the IPv6 path from a's check, which queues b's triggered check behind Ta;
  // a then finds IPv6 valid and nominates it at once.
  a.onEvent = (e, now) => {
    if (e.type === 'local-candidate' && e.candidate.address.includes('.')) {
      sig.schedule(now, (t) => b.agent.addRemoteCandidate(e.candidate, t));
    }
  };
  b.onEvent = (e, now) => {
    if (e.type === 'local-candidate' && e.candidate.address.includes(':')) {
      sig.schedule(now, (t) => a.agent.addRemoteCandidate(e.candidate, t));
    }
  };
  sig.schedule(0, (t) => a.agent.setRemoteCredentials(b.agent.localUfrag, b.agent.localPwd, t));
  sig.schedule(0, (t) => b.agent.setRemoteCredentials(a.agent.localUfrag, a.agent.localPwd, t));
  startGathering(a, 0);
  startGathering(b, 0);
  const nominated = runUntilNominated(net, [a, b, sig], a, b);
  // Check, nomination, and b's own check of the nominated pair: about three 2 ms round trips,
  // not a Ta (50 ms) for b's check.
  assert.ok(nominated.b <= 10, `b on the nominated pair at ${nominated.b}`);
  const sa = a.agent.getSelectedPair()!;
  const sb = b.agent.getSelectedPair()!;
  assert.ok(sa.remote.address.includes(':') && sb.remote.address.includes(':'));
  assert.equal(sa.local.port, sb.remote.port);
});
