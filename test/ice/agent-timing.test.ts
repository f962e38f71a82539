import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IceAgent, parseCandidate } from '../../src/ice/index.js';
import { decodeStun, getUsername, hasUseCandidate } from '../../src/stun/index.js';
import { runSimulation, SimNetwork } from '../sim/network.js';
import { makePeer, Signaller, startGathering, v4, v6, wirePeers } from './harness.js';

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

test('the nomination follows the first valid pair at once, not a Ta later', () => {
  const net = new SimNetwork(7, { delay: 1 });
  const sig = new Signaller();
  const a = makePeer(net, {
    name: 'a',
    bases: [v6('fd00::1', 5001), v4('10.0.0.1', 5000)],
    options: { role: 'controlling' },
  });
  const b = makePeer(net, {
    name: 'b',
    bases: [v6('fd00::2', 6001), v4('10.0.0.2', 6000)],
    options: { role: 'controlled' },
  });
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
  const connected = (e: typeof a) => e.stateLog.find((s) => s.state === 'connected')?.at;
  assert.ok(
    runSimulation(
      net,
      [a, b, sig],
      () => connected(a) !== undefined && connected(b) !== undefined,
      5000,
    ),
  );
  // One round trip for the check, one for the nomination: 1 ms each way.
  assert.ok(nominationAt !== undefined && nominationAt <= 3, `nominated at ${nominationAt}`);
  assert.ok(connected(a)! <= 5, `a connected at ${connected(a)}`);
  assert.ok(connected(b)! <= 5, `b connected at ${connected(b)}`);
  // Both ends agree on the best pair (IPv6 hosts).
  const sa = a.agent.getSelectedPair()!;
  const sb = b.agent.getSelectedPair()!;
  assert.equal(sa.local.port, sb.remote.port);
  assert.equal(sa.remote.port, sb.local.port);
  assert.ok(sa.local.address.includes(':'));
});
