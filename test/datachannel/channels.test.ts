import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  type DataChannel,
  DataChannelError,
  type DataChannelEvent,
  DataChannelManager,
  encodeDcepOpen,
  PPID_BINARY,
  PPID_BINARY_EMPTY,
  PPID_BINARY_PARTIAL,
  PPID_DCEP,
  PPID_STRING,
  PPID_STRING_EMPTY,
  PPID_STRING_PARTIAL,
} from '../../src/datachannel/index.js';
import { FakeAssociation, fakePair } from './fake-association.js';

function types(events: DataChannelEvent[], channel?: DataChannel): string[] {
  return events.filter((e) => !channel || e.channel === channel).map((e) => e.type);
}

function announced(events: DataChannelEvent[]): DataChannel[] {
  return events.flatMap((e) => (e.type === 'datachannel' ? [e.channel] : []));
}

function messages(events: DataChannelEvent[], channel: DataChannel): (string | Uint8Array)[] {
  return events.flatMap((e) => (e.type === 'message' && e.channel === channel ? [e.data] : []));
}

function openParams(label: string) {
  return {
    ordered: true,
    reliability: 'reliable' as const,
    reliabilityParameter: 0,
    priority: 256,
    label,
    protocol: '',
  };
}

test('a channel opened with DCEP: even id for the DTLS client, announced and open on both sides', () => {
  const { a, b, connect, pump } = fakePair();
  const ch = a.manager.createChannel('chat', { protocol: 'json', priority: 'high' }, 0);
  assert.equal(ch.state, 'connecting');
  assert.equal(ch.id, null);
  connect();
  assert.equal(ch.id, 0);
  assert.equal(ch.state, 'open');
  assert.deepEqual(types(a.events), ['open']);
  const [remote] = announced(b.events);
  assert.ok(remote);
  assert.deepEqual(types(b.events, remote), ['datachannel', 'open']);
  assert.equal(remote.id, 0);
  assert.equal(remote.label, 'chat');
  assert.equal(remote.protocol, 'json');
  assert.equal(remote.priority, 'high');
  assert.equal(remote.ordered, true);
  assert.equal(remote.maxRetransmits, null);
  assert.equal(remote.maxPacketLifeTime, null);
  assert.equal(remote.negotiated, false);
  assert.equal(remote.state, 'open');
  // The OPEN and the ACK went out ordered and reliable under the DCEP PPID.
  const dcep = [...a.assoc.sends, ...b.assoc.sends].filter((s) => s.ppid === PPID_DCEP);
  assert.deepEqual(
    dcep.map((s) => [s.streamId, s.data[0], s.opts?.unordered ?? false, s.opts?.maxRetransmits]),
    [
      [0, 0x03, false, undefined],
      [0, 0x02, false, undefined],
    ],
  );

  remote.send('hi from b', 0);
  ch.send('hi from a', 0);
  pump();
  assert.deepEqual(messages(a.events, ch), ['hi from b']);
  assert.deepEqual(messages(b.events, remote), ['hi from a']);
});

test('the DTLS server picks odd ids, lowest free first, and both sides can open', () => {
  const { a, b, connect, pump } = fakePair({ roleA: 'server' });
  connect();
  const fromA = [a.manager.createChannel('a1', {}, 0), a.manager.createChannel('a2', {}, 0)];
  const fromB = [b.manager.createChannel('b1', {}, 0), b.manager.createChannel('b2', {}, 0)];
  pump();
  assert.deepEqual(
    fromA.map((c) => c.id),
    [1, 3],
  );
  assert.deepEqual(
    fromB.map((c) => c.id),
    [0, 2],
  );
  assert.deepEqual(
    announced(a.events).map((c) => [c.id, c.label]),
    [
      [0, 'b1'],
      [2, 'b2'],
    ],
  );
  assert.deepEqual(
    announced(b.events).map((c) => [c.id, c.label]),
    [
      [1, 'a1'],
      [3, 'a2'],
    ],
  );
  // Closing the first frees its id for the next channel.
  fromA[0]!.close(0);
  pump();
  assert.equal(fromA[0]!.state, 'closed');
  assert.equal(a.manager.createChannel('a3', {}, 0).id, 1);
});

test('channel types travel in the OPEN: unordered, maxRetransmits, maxPacketLifeTime', () => {
  const { a, b, connect } = fakePair();
  a.manager.createChannel('u', { ordered: false }, 0);
  a.manager.createChannel('r', { ordered: false, maxRetransmits: 0 }, 0);
  a.manager.createChannel('t', { maxPacketLifeTime: 150 }, 0);
  connect();
  assert.deepEqual(
    announced(b.events).map((c) => [c.label, c.ordered, c.maxRetransmits, c.maxPacketLifeTime]),
    [
      ['u', false, null, null],
      ['r', false, 0, null],
      ['t', true, null, 150],
    ],
  );
});

test('until the ACK (or any message) arrives, an unordered channel sends ordered', () => {
  const { a, b, connect, drainEvents, pump } = fakePair();
  connect();
  const ch = a.manager.createChannel('u', { ordered: false, maxRetransmits: 2 }, 0);
  ch.send('early', 0);
  const early = a.assoc.sends.at(-1)!;
  assert.equal(early.opts?.unordered, false);
  assert.equal(early.opts?.maxRetransmits, 2);
  pump();
  ch.send('late', 0);
  const late = a.assoc.sends.at(-1)!;
  assert.equal(late.opts?.unordered, true);
  assert.equal(late.opts?.maxRetransmits, 2);
  const remote = announced(b.events)[0]!;
  assert.deepEqual(messages(b.events, remote), ['early']);
  pump();
  assert.deepEqual(messages(b.events, remote), ['early', 'late']);

  // An old peer that never ACKs: its first data message is proof enough.
  const silent = a.manager.createChannel('silent', { ordered: false }, 0);
  a.assoc.transmit(); // OPEN reaches B
  drainEvents();
  const bSide = announced(b.events).at(-1)!;
  b.assoc.abandonQueued(); // the ACK is lost for good
  bSide.send(new Uint8Array([7]), 0);
  pump();
  silent.send('now unordered', 0);
  assert.equal(a.assoc.sends.at(-1)!.opts?.unordered, true);
});

test('negotiated channels skip DCEP and open when the association connects', () => {
  const { a, b, connect, pump } = fakePair();
  const ca = a.manager.createChannel('n', { negotiated: true, id: 7, ordered: false }, 0);
  const cb = b.manager.createChannel('n', { negotiated: true, id: 7, ordered: false }, 0);
  assert.equal(ca.id, 7);
  assert.equal(ca.state, 'connecting');
  assert.throws(
    () => ca.send('too early', 0),
    (e: DataChannelError) => e.kind === 'invalid-state',
  );
  connect();
  assert.equal(ca.state, 'open');
  assert.equal(cb.state, 'open');
  assert.deepEqual(types(a.events), ['open']);
  assert.deepEqual(types(b.events), ['open']);
  assert.equal(
    a.assoc.sends.filter((s) => s.ppid === PPID_DCEP).length +
      b.assoc.sends.filter((s) => s.ppid === PPID_DCEP).length,
    0,
  );
  ca.send('x', 0);
  assert.equal(a.assoc.sends.at(-1)!.opts?.unordered, true);
  pump();
  assert.deepEqual(messages(b.events, cb), ['x']);
  // A DCEP channel created afterwards skips the negotiated id... and an id in use is refused.
  assert.throws(
    () => a.manager.createChannel('dup', { negotiated: true, id: 7 }, 0),
    (e: DataChannelError) => e.kind === 'operation',
  );
  const later = a.manager.createChannel('even', { negotiated: true, id: 0 }, 0);
  assert.equal(later.state, 'open');
  assert.equal(a.manager.createChannel('dcep', {}, 0).id, 2);
});

test('labels and protocols: empty, long (65535 bytes) and non-ASCII', () => {
  const { a, b, connect, pump } = fakePair();
  connect();
  const long = `${'ü'.repeat(32767)}x`;
  const cases = [
    ['', ''],
    ['😀 ü ✓ 中文', 'プロトコル'],
    [long, long],
  ] as const;
  for (const [label, protocol] of cases) a.manager.createChannel(label, { protocol }, 0);
  pump();
  assert.deepEqual(
    announced(b.events).map((c) => [c.label, c.protocol]),
    cases.map(([l, p]) => [l, p]),
  );
  assert.throws(
    () => a.manager.createChannel(`${long}x`, {}, 0),
    (e: DataChannelError) => e.kind === 'type',
  );
  assert.throws(
    () => a.manager.createChannel('l', { protocol: `${long}x` }, 0),
    (e: DataChannelError) => e.kind === 'type',
  );
});

test('strings and binary, including empty ones of both kinds, keep their type', () => {
  const { a, b, connect, pump } = fakePair();
  const ch = a.manager.createChannel('m', {}, 0);
  connect();
  const remote = announced(b.events)[0]!;
  const sent: (string | Uint8Array)[] = [
    'text',
    '',
    new Uint8Array([1, 2, 3]),
    new Uint8Array(0),
    'ünïcödé 😀',
    new Uint8Array(70_000).fill(5).subarray(0, 65536),
  ];
  for (const m of sent) ch.send(m, 0);
  const wire = a.assoc.sends.filter((s) => s.ppid !== PPID_DCEP);
  assert.deepEqual(
    wire.map((s) => s.ppid),
    [PPID_STRING, PPID_STRING_EMPTY, PPID_BINARY, PPID_BINARY_EMPTY, PPID_STRING, PPID_BINARY],
  );
  // An empty message is one zero byte on the wire (RFC 8831 6.6).
  assert.deepEqual([...wire[1]!.data], [0]);
  assert.deepEqual([...wire[3]!.data], [0]);
  pump();
  assert.deepEqual(messages(b.events, remote), sent);
  assert.equal(remote.messagesReceived, sent.length);
  assert.equal(ch.messagesSent, sent.length);
  assert.equal(ch.bytesSent, 4 + 3 + Buffer.byteLength('ünïcödé 😀') + 65536);
});

test('a message over the peer’s max-message-size is refused; the limit is updatable', () => {
  const [assocA] = FakeAssociation.pair();
  const manager = new DataChannelManager({ remoteMaxMessageSize: 1000 });
  manager.attach(assocA, 'client', 0);
  assocA.connect();
  for (let ev = assocA.pollEvent(); ev; ev = assocA.pollEvent()) manager.handleSctpEvent(ev, 0);
  const ch = manager.createChannel('big', {}, 0);
  ch.send(new Uint8Array(1000), 0);
  assert.throws(
    () => ch.send(new Uint8Array(1001), 0),
    (e: DataChannelError) => e.kind === 'type',
  );
  assert.throws(
    () => ch.send('é'.repeat(501), 0),
    (e: DataChannelError) => e.kind === 'type',
  );
  assert.equal(ch.bufferedAmount, 1000);
  manager.remoteMaxMessageSize = 0; // RFC 8841: no limit
  ch.send(new Uint8Array(200_000), 0);
  assert.equal(new DataChannelManager().remoteMaxMessageSize, 65536);
});

test('bufferedAmount follows sends and the association’s sent events; low event on crossing', () => {
  const { a, connect, drainEvents } = fakePair();
  const ch = a.manager.createChannel('flow', {}, 0);
  connect();
  ch.bufferedAmountLowThreshold = 250;
  for (let i = 0; i < 5; i++) ch.send(new Uint8Array(100), 0);
  ch.send('', 0); // counts zero bytes though one goes on the wire
  assert.equal(ch.bufferedAmount, 500);
  const low = () => types(a.events, ch).filter((t) => t === 'bufferedamountlow').length;
  a.assoc.transmit(2);
  drainEvents();
  assert.equal(ch.bufferedAmount, 300);
  assert.equal(low(), 0);
  a.assoc.transmit(1);
  drainEvents();
  assert.equal(ch.bufferedAmount, 200);
  assert.equal(low(), 1);
  a.assoc.transmit(1);
  drainEvents();
  assert.equal(ch.bufferedAmount, 100);
  assert.equal(low(), 1, 'fires only when crossing from above');
  a.assoc.transmit();
  drainEvents();
  assert.equal(ch.bufferedAmount, 0);
  assert.equal(low(), 1);
  // With threshold 0 the event marks the buffer emptying.
  ch.bufferedAmountLowThreshold = 0;
  ch.send(new Uint8Array(10), 0);
  a.assoc.transmit();
  drainEvents();
  assert.equal(low(), 2);
});

test('bufferedAmount drains even when the association drops queued data without sent events', () => {
  const { a, connect, drainEvents } = fakePair();
  const ch = a.manager.createChannel('lossy', { ordered: false, maxRetransmits: 0 }, 0);
  const other = a.manager.createChannel('other', {}, 0);
  connect();
  ch.send(new Uint8Array(300), 0);
  other.send(new Uint8Array(50), 0);
  a.assoc.abandonQueued();
  other.send(new Uint8Array(20), 0);
  a.assoc.transmit();
  drainEvents();
  assert.equal(ch.bufferedAmount, 0);
  assert.equal(other.bufferedAmount, 0);
  assert.ok(types(a.events, ch).includes('bufferedamountlow'));
});

test('sending on a channel that is not open throws invalid-state', () => {
  const { a, connect, pump } = fakePair();
  const ch = a.manager.createChannel('x', {}, 0);
  assert.throws(
    () => ch.send('a', 0),
    (e: DataChannelError) => e.kind === 'invalid-state',
  );
  connect();
  ch.close(0);
  assert.equal(ch.state, 'closing');
  assert.throws(
    () => ch.send('a', 0),
    (e: DataChannelError) => e.kind === 'invalid-state',
  );
  pump();
  assert.equal(ch.state, 'closed');
  assert.throws(() => ch.send('a', 0), DataChannelError);
});

test('closing one channel resets its stream on both sides and leaves the others working', () => {
  const { a, b, connect, pump } = fakePair();
  const keep = a.manager.createChannel('keep', {}, 0);
  const gone = a.manager.createChannel('gone', {}, 0);
  connect();
  const [keepB, goneB] = announced(b.events);
  gone.send('last words', 0);
  gone.close(0);
  assert.equal(gone.state, 'closing');
  pump();
  assert.equal(gone.state, 'closed');
  assert.equal(goneB!.state, 'closed');
  assert.deepEqual(types(a.events, gone), ['open', 'bufferedamountlow', 'close']);
  assert.deepEqual(types(b.events, goneB), ['datachannel', 'open', 'message', 'closing', 'close']);
  assert.deepEqual(messages(b.events, goneB!), ['last words']);
  assert.deepEqual(a.assoc.resets, [[gone.id]]);
  assert.deepEqual(b.assoc.resets, [[gone.id]]);
  assert.equal(a.manager.getChannel(gone.id!), undefined);
  assert.equal(b.manager.getChannel(gone.id!), undefined);

  keep.send('still here', 0);
  keepB!.send('me too', 0);
  pump();
  assert.deepEqual(messages(b.events, keepB!), ['still here']);
  assert.deepEqual(messages(a.events, keep), ['me too']);
  assert.equal(keep.state, 'open');
});

test('the closing side resets only after its queued messages have gone out', () => {
  const { a, b, connect, drainEvents, pump } = fakePair();
  const ch = a.manager.createChannel('flush', {}, 0);
  connect();
  for (let i = 0; i < 3; i++) ch.send(`m${i}`, 0);
  ch.close(0);
  assert.deepEqual(a.assoc.resets, []);
  a.assoc.transmit(2);
  drainEvents();
  assert.deepEqual(a.assoc.resets, []);
  a.assoc.transmit(1);
  drainEvents();
  assert.deepEqual(a.assoc.resets, [[0]]);
  pump();
  assert.deepEqual(messages(b.events, announced(b.events)[0]!), ['m0', 'm1', 'm2']);
  assert.equal(ch.state, 'closed');
});

test('both sides closing the same channel at once still ends closed on both', () => {
  const { a, b, connect, pump } = fakePair();
  const ch = a.manager.createChannel('both', {}, 0);
  connect();
  const remote = announced(b.events)[0]!;
  ch.close(0);
  remote.close(0);
  pump();
  assert.equal(ch.state, 'closed');
  assert.equal(remote.state, 'closed');
  assert.equal(types(a.events, ch).filter((t) => t === 'close').length, 1);
  assert.equal(types(b.events, remote).filter((t) => t === 'close').length, 1);
});

test('closing a channel before the association connects closes it at once', () => {
  const { a, b, connect } = fakePair();
  const ch = a.manager.createChannel('never', {}, 0);
  const neg = a.manager.createChannel('neg', { negotiated: true, id: 4 }, 0);
  ch.close(0);
  neg.close(0);
  connect();
  assert.equal(ch.state, 'closed');
  assert.equal(neg.state, 'closed');
  assert.deepEqual(types(a.events), ['close', 'close']);
  assert.deepEqual(announced(b.events), []);
  assert.equal(a.manager.createChannel('reuse', { negotiated: true, id: 4 }, 0).state, 'open');
});

test('association closed: every channel closes, with an error when it failed', () => {
  for (const error of [false, true]) {
    const { a, b, connect, pump } = fakePair();
    const open = a.manager.createChannel('open', {}, 0);
    connect();
    const remote = announced(b.events)[0]!;
    const closing = a.manager.createChannel('closing', {}, 0);
    pump();
    closing.close(0);
    a.assoc.close(error, error ? 'peer aborted' : 'shutdown');
    pump();
    for (const [ch, events] of [
      [open, a.events],
      [remote, b.events],
    ] as const) {
      assert.equal(ch.state, 'closed');
      const tail = types(events, ch).slice(error ? -2 : -1);
      assert.deepEqual(tail, error ? ['error', 'close'] : ['close']);
    }
    const failure = a.events.find((e) => e.type === 'error');
    if (error) assert.ok(failure?.type === 'error' && failure.kind === 'sctp-failure');
    assert.equal(closing.state, 'closed');
    assert.throws(
      () => a.manager.createChannel('late', {}, 0),
      (e: DataChannelError) => e.kind === 'invalid-state',
    );
  }
});

test('channels waiting for the association close with it when it fails to connect', () => {
  const { a } = fakePair();
  const ch = a.manager.createChannel('waiting', {}, 0);
  a.assoc.close(true, 'handshake timeout');
  for (let ev = a.assoc.pollEvent(); ev; ev = a.assoc.pollEvent()) a.manager.handleSctpEvent(ev, 0);
  assert.equal(ch.state, 'closed');
  assert.deepEqual(
    [...Array(2)].map(() => a.manager.pollEvent()?.type),
    ['error', 'close'],
  );
});

test('hostile OPENs: bad type, truncated, wrong parity, id in use; nothing else is disturbed', () => {
  const { a, b, connect, pump } = fakePair();
  const ch = a.manager.createChannel('victim', {}, 0);
  connect();
  const remote = announced(b.events)[0]!;
  const before = b.events.length;

  const badType = encodeDcepOpen(openParams('bad'));
  badType[1] = 0x05;
  const truncated = encodeDcepOpen(openParams('truncated')).subarray(0, 14);
  b.assoc.inject(2, PPID_DCEP, badType); // our parity at B is odd: 2 is A's, but malformed
  b.assoc.inject(4, PPID_DCEP, truncated);
  b.assoc.inject(5, PPID_DCEP, encodeDcepOpen(openParams('wrong parity'))); // B's own parity
  b.assoc.inject(9, PPID_DCEP, Uint8Array.of(0x07, 1, 2, 3)); // unknown DCEP type: ignored
  b.assoc.inject(11, PPID_DCEP, new Uint8Array(0));
  b.assoc.inject(13, PPID_STRING, new TextEncoder().encode('no channel here'));
  pump();
  assert.equal(announced(b.events).length, 1, 'no channel was created');
  assert.deepEqual(b.assoc.resets, [[2], [4], [5]]);
  assert.deepEqual(b.events.slice(before), []);
  // The refused streams were reset; the victim channel still works both ways.
  ch.send('ok?', 0);
  remote.send('ok!', 0);
  pump();
  assert.deepEqual(messages(b.events, remote), ['ok?']);
  assert.deepEqual(messages(a.events, ch), ['ok!']);
  // A refused id can be used once its reset is done.
  assert.equal(b.manager.createChannel('after', { negotiated: true, id: 5 }, 0).state, 'open');

  // An OPEN on a stream already in use closes that channel (RFC 8832 6), and only that one.
  const other = a.manager.createChannel('other', {}, 0);
  pump();
  const otherB = announced(b.events).at(-1)!;
  b.assoc.inject(otherB.id!, PPID_DCEP, encodeDcepOpen(openParams('again')));
  pump();
  assert.equal(otherB.state, 'closed');
  assert.equal(other.state, 'closed');
  assert.equal(remote.state, 'open');
  assert.equal(ch.state, 'open');
});

test('a refused OPEN closes the opener’s channel', () => {
  const { a, b, connect, pump } = fakePair();
  connect();
  // B opens on an even id, which is A's parity: A must refuse it by resetting the stream.
  b.assoc.send(0, PPID_DCEP, encodeDcepOpen(openParams('bad parity')), {}, 0);
  pump();
  assert.deepEqual(announced(a.events), []);
  assert.deepEqual(a.assoc.resets, [[0]]);
  assert.equal(a.manager.createChannel('fine', {}, 0).id, 0);
});

test('deprecated partial PPIDs are joined until the final PPID', () => {
  const { a, connect, pump } = fakePair();
  const ch = a.manager.createChannel('old peer', {}, 0);
  connect();
  const enc = new TextEncoder();
  const id = ch.id!;
  a.assoc.inject(id, PPID_STRING_PARTIAL, enc.encode('hel'));
  a.assoc.inject(id, PPID_STRING_PARTIAL, enc.encode('lo '));
  a.assoc.inject(id, PPID_STRING, enc.encode('world'));
  a.assoc.inject(id, PPID_BINARY_PARTIAL, Uint8Array.of(1, 2));
  a.assoc.inject(id, PPID_BINARY, Uint8Array.of(3));
  a.assoc.inject(id, 99, Uint8Array.of(0)); // not a WebRTC PPID: dropped
  pump();
  assert.deepEqual(messages(a.events, ch), ['hello world', Uint8Array.of(1, 2, 3)]);
});

test('partial messages beyond the receive limit are dropped whole', () => {
  const [assocA] = FakeAssociation.pair();
  const manager = new DataChannelManager({ maxReceiveMessageSize: 10 });
  manager.attach(assocA, 'client', 0);
  const ch = manager.createChannel('n', { negotiated: true, id: 1 }, 0);
  assocA.connect();
  assocA.inject(1, PPID_BINARY_PARTIAL, new Uint8Array(8));
  assocA.inject(1, PPID_BINARY_PARTIAL, new Uint8Array(8));
  assocA.inject(1, PPID_BINARY, new Uint8Array(8));
  assocA.inject(1, PPID_BINARY, new Uint8Array(4));
  const got: DataChannelEvent[] = [];
  for (let ev = assocA.pollEvent(); ev; ev = assocA.pollEvent()) manager.handleSctpEvent(ev, 0);
  for (let ev = manager.pollEvent(); ev; ev = manager.pollEvent()) got.push(ev);
  assert.deepEqual(messages(got, ch), [new Uint8Array(4)]);
});

test('createChannel validates its init as the W3C API does', () => {
  const m = new DataChannelManager();
  const kind = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return e instanceof DataChannelError ? e.kind : 'other';
    }
    return 'none';
  };
  assert.equal(
    kind(() => m.createChannel('x', { maxRetransmits: 1, maxPacketLifeTime: 1 }, 0)),
    'type',
  );
  assert.equal(
    kind(() => m.createChannel('x', { maxRetransmits: -1 }, 0)),
    'type',
  );
  assert.equal(
    kind(() => m.createChannel('x', { maxPacketLifeTime: 65536 }, 0)),
    'type',
  );
  assert.equal(
    kind(() => m.createChannel('x', { negotiated: true }, 0)),
    'type',
  );
  assert.equal(
    kind(() => m.createChannel('x', { negotiated: true, id: 65535 }, 0)),
    'type',
  );
  assert.equal(
    kind(() => m.createChannel('x', { negotiated: true, id: 1.5 }, 0)),
    'type',
  );
  assert.equal(
    kind(() => m.createChannel('x', { priority: 'urgent' as never }, 0)),
    'type',
  );
  assert.equal(
    kind(() => m.createChannel('x', { id: 3 }, 0)),
    'none',
  ); // id ignored unless negotiated
  assert.equal(
    kind(() => m.createChannel('x', { negotiated: true, id: 65534 }, 0)),
    'none',
  );
});

test('ids stay lowest free first across many channels, negotiated ids and closes', () => {
  const { a, b, connect, pump } = fakePair();
  connect();
  const negotiated = a.manager.createChannel('n', { negotiated: true, id: 4 }, 0);
  b.manager.createChannel('n', { negotiated: true, id: 4 }, 0);
  const opened = Array.from({ length: 6 }, (_, i) => a.manager.createChannel(`c${i}`, {}, 0));
  pump();
  assert.deepEqual(
    opened.map((c) => c.id),
    [0, 2, 6, 8, 10, 12],
  );
  opened[3]!.close(0);
  opened[1]!.close(0);
  pump();
  assert.deepEqual(
    ['x', 'y', 'z'].map((label) => a.manager.createChannel(label, {}, 0).id),
    [2, 8, 14],
  );
  negotiated.close(0);
  pump();
  assert.equal(negotiated.state, 'closed');
  assert.equal(a.manager.createChannel('w', {}, 0).id, 4);
});

test('stream ids run out at the negotiated stream count', () => {
  const { a, b, connect } = fakePair({ streamsA: 8, streamsB: 6 });
  const before = [0, 1, 2, 3].map((i) => a.manager.createChannel(`c${i}`, {}, 0));
  const tooHigh = a.manager.createChannel('neg', { negotiated: true, id: 6 }, 0);
  connect();
  assert.equal(a.manager.maxChannels, 6);
  assert.deepEqual(
    before.map((c) => c.id),
    [0, 2, 4, null],
  );
  assert.equal(before[3]!.state, 'closed');
  const failure = a.events.find((e) => e.type === 'error' && e.channel === before[3]);
  assert.ok(failure?.type === 'error' && failure.kind === 'no-stream-id');
  assert.equal(tooHigh.state, 'closed');
  assert.throws(
    () => a.manager.createChannel('more', {}, 0),
    (e: DataChannelError) => e.kind === 'operation',
  );
  assert.throws(
    () => a.manager.createChannel('neg', { negotiated: true, id: 6 }, 0),
    (e: DataChannelError) => e.kind === 'operation',
  );
  // The peer still has its odd ids.
  assert.deepEqual(
    [1, 2, 3].map(() => b.manager.createChannel('b', {}, 0).id),
    [1, 3, 5],
  );
});

test('a manager attached to an already connected association opens its channels at once', () => {
  const [assocA, assocB] = FakeAssociation.pair();
  assocA.connect();
  const m = new DataChannelManager();
  const early = m.createChannel('early', {}, 0);
  m.attach(assocA, 'server', 0);
  assert.equal(early.id, 1);
  assert.equal(early.state, 'open');
  assert.equal(m.pollEvent()?.type, 'open');
  assert.throws(() => m.attach(assocB, 'server', 0), DataChannelError);
  assert.deepEqual([...m.channels()], [early]);
});

test('an OPEN reusing an id the peer just closed waits until our side of the close is done', () => {
  const { a, b, connect, drainEvents, pump } = fakePair();
  connect();
  const fromB = b.manager.createChannel('first', {}, 0);
  pump();
  const old = announced(a.events)[0]!;
  assert.equal(old.id, 1);
  fromB.close(0);
  b.assoc.transmit(); // B's reset reaches A, which answers with its own reset, still queued
  drainEvents();
  assert.equal(old.state, 'closing');
  // The peer already considers id 1 free and opens a new channel on it.
  a.assoc.inject(1, PPID_DCEP, encodeDcepOpen(openParams('second')));
  drainEvents();
  assert.equal(announced(a.events).length, 1, 'not yet: stream 1 is still being reset');
  pump();
  assert.equal(old.state, 'closed');
  const reused = announced(a.events)[1];
  assert.ok(reused);
  assert.deepEqual([reused.label, reused.id, reused.state], ['second', 1, 'open']);
  assert.equal(a.manager.getChannel(1), reused);
});

test('random input on random streams never throws and leaves a working channel alone', () => {
  const valid = encodeDcepOpen(openParams('fuzz'));
  const payload = fc.oneof(
    fc.uint8Array({ maxLength: 40 }),
    // Mutations of a valid OPEN reach deeper into the decoder.
    fc
      .tuple(fc.nat({ max: valid.length - 1 }), fc.nat({ max: 255 }), fc.nat({ max: valid.length }))
      .map(([at, byte, cut]) => {
        const m = valid.slice(0, Math.max(cut, 1));
        if (at < m.length) m[at] = byte;
        return m;
      }),
  );
  const input = fc.record({
    streamId: fc.nat({ max: 12 }),
    ppid: fc.oneof(fc.integer({ min: 50, max: 57 }), fc.nat()),
    data: payload,
    event: fc.constantFrom('message', 'message', 'message', 'stream-reset', 'reset-complete'),
  });
  fc.assert(
    fc.property(fc.array(input, { maxLength: 30 }), (inputs) => {
      const { a, b, connect, pump } = fakePair();
      const keep = a.manager.createChannel('keep', { negotiated: true, id: 20 }, 0);
      const keepB = b.manager.createChannel('keep', { negotiated: true, id: 20 }, 0);
      connect();
      for (const i of inputs) {
        const ev =
          i.event === 'message'
            ? { type: 'message' as const, streamId: i.streamId, ppid: i.ppid, data: i.data }
            : { type: i.event, streamIds: [i.streamId] };
        a.manager.handleSctpEvent(ev, 0);
      }
      pump();
      keep.send('still fine', 0);
      keepB.send('both ways', 0);
      pump();
      assert.deepEqual(messages(b.events, keepB), ['still fine']);
      assert.deepEqual(messages(a.events, keep), ['both ways']);
    }),
    { numRuns: 300 },
  );
});

test('a manager takes one association, none once closed, and lets it go when it closes', () => {
  const [assoc, other] = FakeAssociation.pair();
  const manager = new DataChannelManager();
  manager.attach(assoc, 'client', 0);
  assert.equal(manager.association, assoc);
  assert.throws(
    () => manager.attach(other, 'client', 0),
    (e: DataChannelError) => e.kind === 'invalid-state' && /already attached/.test(e.message),
  );
  manager.handleSctpEvent({ type: 'closed', reason: 'gone', error: false }, 0);
  // Closed channels an application still holds keep the manager, not the association.
  assert.equal(manager.association, undefined);
  assert.throws(
    () => manager.attach(other, 'client', 0),
    (e: DataChannelError) => e.kind === 'invalid-state' && /closed/.test(e.message),
  );
});
