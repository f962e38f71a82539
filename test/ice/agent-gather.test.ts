import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IceCandidate, IceEvent } from '../../src/ice/index.js';
import { runSimulation, SimNetwork } from '../sim/network.js';
import {
  type AgentEndpoint,
  bytes,
  FakeStunServer,
  isConnected,
  key,
  makePeer,
  Signaller,
  startGathering,
  v4,
  v6,
  wirePeers,
} from './harness.js';

const STUN = v4('192.0.2.1', 3478);
const A_BASE = v4('10.0.0.1', 5000);
const A_PUBLIC = '203.0.113.1:40000';
const B_BASE = v4('198.51.100.2', 6000);

function localCandidates(e: AgentEndpoint): IceCandidate[] {
  return e.events.flatMap((ev) => (ev.type === 'local-candidate' ? [ev.candidate] : []));
}

function eventsOf<T extends IceEvent['type']>(e: AgentEndpoint, type: T) {
  return e.events.filter((ev): ev is Extract<IceEvent, { type: T }> => ev.type === type);
}

/** a sits behind a NAT (10.0.0.1:5000 appears as 203.0.113.1:40000); b is public. */
function natSetup(seed: number, aOptions: object) {
  const net = new SimNetwork(seed, { delay: 10, jitter: 10 });
  const sig = new Signaller();
  const server = new FakeStunServer(STUN);
  const a = makePeer(net, {
    name: 'a',
    bases: [A_BASE],
    options: { role: 'controlling', ...aOptions },
    nat: { [key(A_BASE)]: A_PUBLIC },
  });
  const b = makePeer(net, { name: 'b', bases: [B_BASE], options: { role: 'controlled' } });
  // The NAT hides a's private address: nothing reaches it directly.
  net.block(key(B_BASE), key(A_BASE));
  wirePeers(net, sig, a, b);
  const endpoints = [a, b, sig, server];
  const run = (done: () => boolean, t: number) => runSimulation(net, endpoints, done, t);
  return { net, sig, server, a, b, run };
}

test('srflx: gathered from the STUN server, then used to connect through the NAT', () => {
  const { a, b, server, run } = natSetup(401, { stunServers: [STUN] });
  startGathering(a, 0);
  startGathering(b, 0);
  assert.ok(run(() => a.state === 'completed' && b.state === 'completed', 20_000));
  assert.equal(server.requests, 1);
  const srflx = localCandidates(a).find((c) => c.type === 'srflx');
  assert.ok(srflx);
  assert.equal(`${srflx.address}:${srflx.port}`, A_PUBLIC);
  assert.equal(srflx.relatedAddress, A_BASE.address);
  assert.equal(srflx.relatedPort, A_BASE.port);
  assert.equal(srflx.priority >>> 24, 100);
  // Gathering completes only after the srflx answer.
  const gathering = eventsOf(a, 'gathering-state').map((e) => e.state);
  assert.deepEqual(gathering, ['gathering', 'complete']);
  const completeAt = a.events.findIndex(
    (e) => e.type === 'gathering-state' && e.state === 'complete',
  );
  assert.ok(
    completeAt >
      a.events.indexOf(
        a.events.find((e) => e.type === 'local-candidate' && e.candidate.type === 'srflx')!,
      ),
  );
  // a's checks leave through the NAT: a's selected local candidate is its srflx one.
  assert.equal(a.agent.getSelectedPair()!.local.type, 'srflx');
  assert.equal(b.agent.getSelectedPair()!.remote.type, 'srflx');
  assert.ok(a.agent.send(bytes(0x80, 1)) && b.agent.send(bytes(0x80, 2)));
  assert.ok(run(() => a.data.length > 0 && b.data.length > 0, 1000));
});

test('prflx: learned on both sides from checks through a NAT, without a STUN server', () => {
  const { a, b, run } = natSetup(402, {});
  startGathering(a, 0);
  startGathering(b, 0);
  assert.ok(run(() => a.state === 'completed' && b.state === 'completed', 20_000));
  const sb = b.agent.getSelectedPair()!;
  assert.equal(sb.remote.type, 'prflx');
  assert.equal(`${sb.remote.address}:${sb.remote.port}`, A_PUBLIC);
  // PRIORITY of a's check: the prflx type preference.
  assert.equal(sb.remote.priority >>> 24, 110);
  const sa = a.agent.getSelectedPair()!;
  assert.equal(sa.local.type, 'prflx');
  assert.equal(`${sa.local.address}:${sa.local.port}`, A_PUBLIC);
  assert.ok(b.agent.send(bytes(0x80, 2)));
  assert.ok(run(() => a.data.length > 0, 1000));
});

test('an unreachable STUN server yields candidate-error 701 and gathering still completes', () => {
  const net = new SimNetwork(403, { delay: 10 });
  const dead = v4('192.0.2.9', 3478);
  const a = makePeer(net, {
    name: 'a',
    bases: [A_BASE, v6('fd00::1', 5001)],
    options: { role: 'controlling', stunServers: [dead] },
  });
  startGathering(a, 0);
  assert.ok(runSimulation(net, [a], () => a.agent.gatheringState === 'complete', 20_000));
  const errors = eventsOf(a, 'candidate-error');
  // Only the IPv4 base asks the IPv4 server.
  assert.equal(errors.length, 1);
  assert.deepEqual(errors[0], {
    type: 'candidate-error',
    address: A_BASE.address,
    port: A_BASE.port,
    url: 'stun:192.0.2.9:3478',
    errorCode: 701,
    errorText: 'STUN server unreachable',
  });
  assert.ok(net.now >= 3500 && net.now <= 5000, `gave up at ${net.now}`);
});

test('mDNS: hidden host candidates, register and query events, pairing once resolved', () => {
  const net = new SimNetwork(404, { delay: 10, jitter: 10 });
  const sig = new Signaller();
  const server = new FakeStunServer(STUN);
  const a = makePeer(net, {
    name: 'a',
    bases: [A_BASE],
    options: { role: 'controlling', mdnsHostnames: true, stunServers: [STUN] },
    nat: { [key(A_BASE)]: A_PUBLIC },
  });
  const b = makePeer(net, {
    name: 'b',
    bases: [v4('10.0.0.2', 6000)],
    options: { role: 'controlled', mdnsHostnames: true },
  });
  wirePeers(net, sig, a, b);
  // The "network's" mDNS responder: names registered by either agent, answered after 30 ms.
  const registry = new Map<string, string>();
  const queries: string[] = [];
  for (const [self, other] of [
    [a, b],
    [b, a],
  ] as const) {
    const signalling = self.onEvent!;
    self.onEvent = (e, now) => {
      signalling(e, now);
      if (e.type === 'mdns-register') registry.set(e.hostname, e.address);
      if (e.type === 'mdns-query') {
        queries.push(e.hostname);
        sig.schedule(now + 30, (t) =>
          self.agent.resolveMdns(e.hostname, registry.get(e.hostname), t),
        );
      }
    };
    void other;
  }
  startGathering(a, 0);
  startGathering(b, 0);
  assert.ok(
    runSimulation(net, [a, b, sig, server], () => isConnected(a) && isConnected(b), 20_000),
    `${a.state} ${b.state}`,
  );
  const reg = eventsOf(a, 'mdns-register');
  assert.equal(reg.length, 1);
  assert.match(
    reg[0]!.hostname,
    /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.local$/,
  );
  assert.equal(reg[0]!.address, A_BASE.address);
  const host = localCandidates(a).find((c) => c.type === 'host')!;
  assert.equal(host.address, reg[0]!.hostname);
  // srflx candidates then hide the base too (raddr 0.0.0.0, rport 0), as Chrome does.
  const srflx = localCandidates(a).find((c) => c.type === 'srflx')!;
  assert.equal(srflx.relatedAddress, '0.0.0.0');
  assert.equal(srflx.relatedPort, 0);
  // One query per name, from the side that received it.
  assert.deepEqual(
    eventsOf(b, 'mdns-query').map((e) => e.hostname),
    [reg[0]!.hostname],
  );
  assert.equal(queries.length, 2);
  assert.ok(b.agent.getRemoteCandidates().some((c) => c.address === reg[0]!.hostname));
  // b is not behind the NAT: a's selected pair goes to b's mDNS-named host candidate.
  const bName = eventsOf(b, 'mdns-register')[0]!.hostname;
  assert.equal(a.agent.getSelectedPair()!.remote.address, bName);
  assert.equal(a.agent.getSelectedPair()!.remote.type, 'host');
});

test('mDNS: a name that does not resolve is dropped; with end-of-candidates that fails', () => {
  const net = new SimNetwork(405, { delay: 10 });
  const sig = new Signaller();
  const a = makePeer(net, {
    name: 'a',
    bases: [A_BASE],
    options: { role: 'controlling', mdnsHostnames: true },
  });
  const b = makePeer(net, { name: 'b', bases: [B_BASE], options: { role: 'controlled' } });
  wirePeers(net, sig, a, b);
  // b's only view of a is the mDNS name, and a never hears from b either.
  net.partition(key(A_BASE), key(B_BASE));
  const signalling = b.onEvent!;
  b.onEvent = (e, now) => {
    signalling(e, now);
    if (e.type === 'mdns-query')
      sig.schedule(now + 50, (t) => b.agent.resolveMdns(e.hostname, undefined, t));
  };
  startGathering(a, 0);
  startGathering(b, 0);
  assert.ok(
    runSimulation(net, [a, b, sig], () => b.state === 'failed', 60_000),
    b.state,
  );
  // Not before the PAC timer (RFC 8863): a's checks could still have reached b.
  assert.ok(net.now >= 39_500, `failed at ${net.now}`);
  assert.deepEqual(b.agent.getRemoteCandidates(), []);
  assert.equal(eventsOf(b, 'mdns-query').length, 1);
});
