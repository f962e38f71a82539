import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runSimulation, SimNetwork } from '../sim/network.js';
import { dtlsPeers } from './dtls-peer.js';
import { CHANNEL_KINDS, checkDelivery, PacedSender } from './lossy.js';

test('over SCTP over DTLS with 5% loss: every channel type, both directions, then closed', async () => {
  const net = new SimNetwork(7, { loss: 0.05, delay: 20, jitter: 10, duplicate: 0.01, mtu: 1280 });
  const [a, b] = await dtlsPeers();
  const total = 80;
  // Created before anything is connected, as an application usually does.
  const fromA = CHANNEL_KINDS.map((k) => a.manager.createChannel(k.label, k.init, 0));
  const fromB = b.manager.createChannel('from-b', { protocol: 'echo' }, 0);
  const negA = a.manager.createChannel('neg', { negotiated: true, id: 100, ordered: false }, 0);
  const negB = b.manager.createChannel('neg', { negotiated: true, id: 100, ordered: false }, 0);
  const senders = fromA.map((c, i) => new PacedSender(c, total, 200 + i));
  const backSender = new PacedSender(fromB, total, 300);
  const negSender = new PacedSender(negA, total, 400);
  a.pump = (_p, now) => {
    for (const s of senders) s.pump(now);
    negSender.pump(now);
  };
  b.pump = (_p, now) => backSender.pump(now);

  assert.ok(
    runSimulation(
      net,
      [a, b],
      () => b.announced().length === CHANNEL_KINDS.length && a.announced().length === 1,
      60_000,
    ),
    'channels announced through DTLS and SCTP',
  );
  assert.deepEqual(
    fromA.map((c) => c.id),
    [0, 2, 4, 6],
  );
  assert.equal(fromB.id, 1);
  const remote = b.announced();
  const atA = a.announced()[0]!;
  assert.equal(atA.protocol, 'echo');

  const allSent = () =>
    [...senders, backSender, negSender].every((s) => s.done) &&
    [...fromA, fromB, negA].every((c) => c.bufferedAmount === 0);
  const reliableDone = () =>
    CHANNEL_KINDS.every((k, i) => !k.reliable || b.messages(remote[i]!).length === total) &&
    a.messages(atA).length === total &&
    b.messages(negB).length === total;
  assert.ok(
    runSimulation(net, [a, b], () => allSent() && reliableDone(), 600_000),
    'the simulation reaches its goal',
  );
  runSimulation(net, [a, b], () => false, 5_000);

  CHANNEL_KINDS.forEach((k, i) => {
    checkDelivery(k, b.messages(remote[i]!), total);
  });
  checkDelivery({ label: 'from-b', init: {}, reliable: true }, a.messages(atA), total);
  checkDelivery(
    { label: 'negotiated', init: { ordered: false }, reliable: true },
    b.messages(negB),
    total,
  );
  assert.ok(net.stats.dropped > 0 && net.stats.duplicated > 0);

  // Close from both sides; every channel ends closed on both ends.
  for (const c of fromA) c.close(net.now);
  atA.close(net.now);
  negB.close(net.now);
  const everything = [...fromA, ...remote, fromB, atA, negA, negB];
  assert.ok(
    runSimulation(net, [a, b], () => everything.every((c) => c.state === 'closed'), 60_000),
    'the simulation reaches its goal',
  );
  assert.equal(a.dtlsFailure, undefined);
  assert.equal(b.dtlsFailure, undefined);
  assert.equal(a.assoc.state, 'connected', 'closing channels leaves the association up');
});
