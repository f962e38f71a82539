import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeDcepOpen, PPID_DCEP } from '../../src/datachannel/index.js';
import { runSimulation, SimNetwork } from '../sim/network.js';
import { CHANNEL_KINDS, checkDelivery, PacedSender } from './lossy.js';
import { sctpPeers } from './sim-peer.js';

test('over SctpAssociation: DCEP both ways, negotiated, all message kinds, close one channel', () => {
  const net = new SimNetwork(1, { delay: 20, jitter: 5 });
  const [a, b] = sctpPeers();
  const fromA = a.manager.createChannel('from-a', { protocol: 'p' }, 0);
  const negA = a.manager.createChannel('neg', { negotiated: true, id: 9 }, 0);
  const negB = b.manager.createChannel('neg', { negotiated: true, id: 9 }, 0);
  const done = () => fromA.state === 'open' && b.announced().length === 1;
  assert.ok(runSimulation(net, [a, b], done, 10_000), 'the simulation reaches its goal');
  assert.equal(fromA.id, 0);
  assert.equal(negA.state, 'open');
  assert.equal(negB.state, 'open');

  const fromB = b.manager.createChannel('from-b', {}, net.now);
  assert.equal(fromB.id, 1);
  assert.ok(
    runSimulation(net, [a, b], () => a.announced().length === 1, 10_000),
    'the simulation reaches its goal',
  );
  const atB = b.announced()[0]!;
  const atA = a.announced()[0]!;
  assert.deepEqual([atB.label, atB.protocol, atB.id], ['from-a', 'p', 0]);
  assert.deepEqual([atA.label, atA.id], ['from-b', 1]);

  const big = new Uint8Array(60_000).map((_, i) => i & 0xff);
  const sent = ['text', '', new Uint8Array([1, 2]), new Uint8Array(0), 'ü😀', big];
  for (const m of sent) {
    fromA.send(m, net.now);
    fromB.send(m, net.now);
    negA.send(m, net.now);
  }
  const count = sent.length;
  assert.ok(
    runSimulation(
      net,
      [a, b],
      () =>
        b.messages(atB).length === count &&
        a.messages(atA).length === count &&
        b.messages(negB).length === count,
      30_000,
    ),
    'the simulation reaches its goal',
  );
  assert.deepEqual(b.messages(atB), sent);
  assert.deepEqual(a.messages(atA), sent);
  assert.deepEqual(b.messages(negB), sent);
  assert.ok(
    runSimulation(
      net,
      [a, b],
      () => fromA.bufferedAmount === 0 && fromB.bufferedAmount === 0,
      10_000,
    ),
    'the simulation reaches its goal',
  );

  fromA.close(net.now);
  assert.ok(
    runSimulation(net, [a, b], () => fromA.state === 'closed' && atB.state === 'closed', 10_000),
    'the simulation reaches its goal',
  );
  assert.deepEqual(b.eventTypes(atB).slice(-2), ['closing', 'close']);
  assert.equal(a.eventTypes(fromA).at(-1), 'close');
  // The others still work, and the freed id is reused by the next channel.
  fromB.send('after close', net.now);
  negB.send('neg after close', net.now);
  const again = a.manager.createChannel('again', {}, net.now);
  assert.equal(again.id, 0);
  assert.ok(
    runSimulation(
      net,
      [a, b],
      () =>
        a.messages(atA).length === count + 1 &&
        a.messages(negA).length === 1 &&
        b.announced().length === 2,
      10_000,
    ),
    'the simulation reaches its goal',
  );
  assert.equal(b.announced()[1]!.label, 'again');
});

test('over SctpAssociation: abort closes every channel on both sides with an error', () => {
  const net = new SimNetwork(2, { delay: 10 });
  const [a, b] = sctpPeers();
  const ch = a.manager.createChannel('x', {}, 0);
  const neg = b.manager.createChannel('n', { negotiated: true, id: 3 }, 0);
  assert.ok(
    runSimulation(net, [a, b], () => b.announced().length === 1 && ch.state === 'open', 10_000),
    'the simulation reaches its goal',
  );
  a.assoc.abort('test over', net.now);
  assert.ok(
    runSimulation(
      net,
      [a, b],
      () => b.announced()[0]!.state === 'closed' && neg.state === 'closed',
      10_000,
    ),
    'the simulation reaches its goal',
  );
  assert.equal(ch.state, 'closed');
  assert.deepEqual(a.eventTypes(ch).slice(-2), ['error', 'close']);
  assert.deepEqual(b.eventTypes(neg).slice(-2), ['error', 'close']);
});

test('over SctpAssociation: graceful shutdown closes channels without an error', () => {
  const net = new SimNetwork(3, { delay: 10 });
  const [a, b] = sctpPeers();
  const ch = a.manager.createChannel('x', {}, 0);
  assert.ok(
    runSimulation(net, [a, b], () => b.announced().length === 1 && ch.state === 'open', 10_000),
    'the simulation reaches its goal',
  );
  a.assoc.shutdown(net.now);
  const remote = b.announced()[0]!;
  assert.ok(
    runSimulation(net, [a, b], () => remote.state === 'closed' && ch.state === 'closed', 10_000),
    'the simulation reaches its goal',
  );
  assert.deepEqual(a.eventTypes(ch).slice(-1), ['close']);
  assert.ok(!b.eventTypes(remote).includes('error'));
});

test('over SctpAssociation with 5% loss, jitter and duplicates: every channel type keeps its promises', () => {
  const net = new SimNetwork(42, { loss: 0.05, delay: 25, jitter: 15, duplicate: 0.01 });
  const [a, b] = sctpPeers();
  const total = 120;
  const channels = CHANNEL_KINDS.map((k) => a.manager.createChannel(k.label, k.init, 0));
  const senders = channels.map((c, i) => new PacedSender(c, total, 100 + i));
  const lows = channels.map(() => 0);
  for (const c of channels) c.bufferedAmountLowThreshold = 2048;
  a.pump = (_peer, now) => {
    for (const s of senders) s.pump(now);
  };
  assert.ok(
    runSimulation(net, [a, b], () => b.announced().length === CHANNEL_KINDS.length, 30_000),
    'the simulation reaches its goal',
  );
  const remote = b.announced();
  assert.deepEqual(
    remote.map((c) => [c.label, c.ordered, c.maxRetransmits, c.maxPacketLifeTime]),
    CHANNEL_KINDS.map((k) => [
      k.label,
      k.init.ordered !== false,
      k.init.maxRetransmits ?? null,
      k.init.maxPacketLifeTime ?? null,
    ]),
  );
  const reliableDone = () =>
    CHANNEL_KINDS.every((k, i) => !k.reliable || b.messages(remote[i]!).length === total);
  const drained = () =>
    senders.every((s) => s.done) && channels.every((c) => c.bufferedAmount === 0);
  assert.ok(
    runSimulation(net, [a, b], () => reliableDone() && drained(), 600_000),
    'the simulation reaches its goal',
  );
  // Let stragglers of the partially reliable channels land or be abandoned.
  runSimulation(net, [a, b], () => false, 5_000);

  CHANNEL_KINDS.forEach((k, i) => {
    checkDelivery(k, b.messages(remote[i]!), total);
  });
  for (const e of a.events)
    if (e.type === 'bufferedamountlow') lows[channels.indexOf(e.channel)]!++;
  assert.ok(
    lows.every((n) => n > 0),
    'each channel saw its buffer fall below the threshold',
  );
  assert.ok(net.stats.dropped > 0);

  for (const c of channels) c.close(net.now);
  assert.ok(
    runSimulation(
      net,
      [a, b],
      () =>
        channels.every((c) => c.state === 'closed') && remote.every((c) => c.state === 'closed'),
      60_000,
    ),
    'the simulation reaches its goal',
  );
});

test('over SctpAssociation: hostile OPENs are refused by stream reset; other channels go on', () => {
  const net = new SimNetwork(5, { delay: 10 });
  const [a, b] = sctpPeers();
  const ch = a.manager.createChannel('victim', {}, 0);
  assert.ok(
    runSimulation(net, [a, b], () => b.announced().length === 1 && ch.state === 'open', 10_000),
    'the simulation reaches its goal',
  );
  const remote = b.announced()[0]!;
  const open = (label: string) =>
    encodeDcepOpen({
      ordered: true,
      reliability: 'reliable',
      reliabilityParameter: 0,
      priority: 256,
      label,
      protocol: '',
    });
  const badType = open('bad type');
  badType[1] = 0x42;
  // Sent on B's association behind its manager's back, as a misbehaving peer would.
  b.assoc.send(2, PPID_DCEP, open('A parity'), undefined, net.now);
  b.assoc.send(3, PPID_DCEP, badType, undefined, net.now);
  b.assoc.send(5, PPID_DCEP, open('truncated').subarray(0, 13), undefined, net.now);
  ch.send('during', net.now);
  remote.send('during too', net.now);
  const refused = () => b.messages(remote).length === 1 && a.messages(ch).length === 1;
  assert.ok(runSimulation(net, [a, b], refused, 10_000), 'the simulation reaches its goal');
  runSimulation(net, [a, b], () => false, 2_000);
  assert.equal(a.announced().length, 0, 'no channel from a hostile OPEN');
  assert.deepEqual([...b.resetByPeer].sort(), [2, 3, 5]);
  assert.equal(ch.state, 'open');
  assert.equal(remote.state, 'open');
  // B's manager, which never knew of those streams, can open channels on its odd ids after.
  const next = [
    b.manager.createChannel('b1', {}, net.now),
    b.manager.createChannel('b3', {}, net.now),
  ];
  assert.deepEqual(
    next.map((c) => c.id),
    [1, 3],
  );
  for (const c of next) c.send(`hello on ${c.id}`, net.now);
  assert.ok(
    runSimulation(net, [a, b], () => a.announced().length === 2, 10_000),
    'the simulation reaches its goal',
  );
  assert.ok(
    runSimulation(
      net,
      [a, b],
      () => a.announced().every((c) => a.messages(c).length === 1),
      10_000,
    ),
    'the simulation reaches its goal',
  );
  assert.deepEqual(
    a.announced().map((c) => a.messages(c)[0]),
    ['hello on 1', 'hello on 3'],
  );
});

test('over SctpAssociation: empty, non-ASCII and 65535-byte labels and protocols', () => {
  const net = new SimNetwork(6, { delay: 10, loss: 0.02 });
  const [a, b] = sctpPeers();
  const long = `${'ß'.repeat(32767)}!`;
  const cases = [
    ['', ''],
    ['😀 ✓ 中文', 'プロトコル'],
    [long, long],
  ] as const;
  for (const [label, protocol] of cases) a.manager.createChannel(label, { protocol }, 0);
  assert.ok(
    runSimulation(net, [a, b], () => b.announced().length === cases.length, 30_000),
    'the simulation reaches its goal',
  );
  assert.deepEqual(
    b.announced().map((c) => [c.label, c.protocol]),
    cases.map(([l, p]) => [l, p]),
  );
});

test('over SctpAssociation: send keeps what the caller passed, even if its buffer changes after', () => {
  const net = new SimNetwork(8, { delay: 10 });
  const [a, b] = sctpPeers();
  const ch = a.manager.createChannel('copy', {}, 0);
  assert.ok(
    runSimulation(net, [a, b], () => b.announced().length === 1 && ch.state === 'open', 10_000),
    'the simulation reaches its goal',
  );
  const remote = b.announced()[0]!;
  const buf = Buffer.alloc(3000, 7);
  const view = buf.subarray(1000, 2000);
  ch.send(buf, net.now);
  ch.send(view, net.now);
  ch.send('text', net.now);
  buf.fill(1);
  assert.ok(
    runSimulation(net, [a, b], () => b.messages(remote).length === 3, 10_000),
    'the simulation reaches its goal',
  );
  const [whole, part, text] = b.messages(remote) as [Uint8Array, Uint8Array, string];
  assert.ok(whole.length === 3000 && whole.every((x) => x === 7));
  assert.ok(part.length === 1000 && part.every((x) => x === 7));
  assert.equal(text, 'text');
  assert.equal(ch.bufferedAmount, 0);
});

test('over SctpAssociation: a channel closed after its OPEN went with the COOKIE-ECHO closes at the peer too', () => {
  const net = new SimNetwork(9, { delay: 10 });
  const [a, b] = sctpPeers();
  const ch = a.manager.createChannel('early', {}, 0);
  let closedAt = -1;
  let assocStateAtClose = '';
  a.pump = (_self, now) => {
    // Its id is set once the INIT-ACK is in; the OPEN leaves with the COOKIE-ECHO.
    if (closedAt < 0 && ch.id !== null && ch.state === 'connecting') {
      closedAt = now;
      assocStateAtClose = a.assoc.state;
      ch.close(now);
      assert.equal(ch.state, 'closing');
    }
  };
  const bothClosed = () => ch.state === 'closed' && b.announced()[0]?.state === 'closed';
  assert.ok(runSimulation(net, [a, b], bothClosed, 10_000), 'closed at both ends');
  assert.ok(closedAt >= 0, 'closed before it opened');
  assert.equal(
    assocStateAtClose,
    'connecting',
    'closed while the association was still connecting',
  );
  assert.ok(!a.eventTypes(ch).includes('open'), 'never reported open');
  // Its id is free again, and the next channel on it works both ways.
  const again = a.manager.createChannel('again', {}, net.now);
  assert.equal(again.id, 0);
  const remoteAgain = () => b.announced().find((c) => c.label === 'again');
  assert.ok(
    runSimulation(net, [a, b], () => again.state === 'open' && remoteAgain() !== undefined, 10_000),
    'the next channel opens',
  );
  again.send('hello', net.now);
  remoteAgain()!.send('back', net.now);
  assert.ok(
    runSimulation(
      net,
      [a, b],
      () => b.messages(remoteAgain()!).length === 1 && a.messages(again).length === 1,
      10_000,
    ),
    'messages both ways',
  );
  assert.equal(again.state, 'open');
});
