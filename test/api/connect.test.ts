import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import type { RTCDataChannel } from '../../src/api/data-channel.js';
import type { RTCDataChannelEvent } from '../../src/api/events.js';
import type { RTCPeerConnection } from '../../src/api/peer-connection.js';
import {
  RTCDataChannel as ExportedChannel,
  RTCDataChannelEvent as ExportedDcEvent,
  RTCPeerConnection as ExportedPc,
  ice,
  RTCCertificate,
  RTCDtlsTransport,
  RTCError,
  RTCErrorEvent,
  RTCIceCandidate,
  RTCIceTransport,
  RTCPeerConnectionIceEvent,
  RTCSctpTransport,
  RTCSessionDescription,
  stun,
} from '../../src/index.js';
import {
  collect,
  negotiate,
  trickle,
  until,
  waitFor,
  waitForState,
  waitOpen,
  withConnectedPair,
  withPair,
} from './peers.js';

function bytesOf(data: unknown): Uint8Array {
  assert.ok(data instanceof ArrayBuffer, `expected an ArrayBuffer, got ${String(data)}`);
  return new Uint8Array(data);
}

describe('public entry', () => {
  test('exports the W3C globals and the protocol namespaces', () => {
    for (const c of [
      ExportedPc,
      ExportedChannel,
      RTCSessionDescription,
      RTCIceCandidate,
      RTCPeerConnectionIceEvent,
      ExportedDcEvent,
      RTCError,
      RTCErrorEvent,
      RTCCertificate,
      RTCIceTransport,
      RTCDtlsTransport,
      RTCSctpTransport,
    ]) {
      assert.equal(typeof c, 'function');
    }
    assert.equal(typeof ice.parseCandidate, 'function');
    assert.equal(typeof stun, 'object');
    assert.throws(() => new (ExportedChannel as unknown as new () => unknown)(), TypeError);
  });
});

describe('two peers connect', () => {
  for (const offererCreates of [true, false]) {
    test(`with trickle, the ${offererCreates ? 'offerer' : 'answerer'} opening the channel`, () =>
      withPair(async (a, b) => {
        trickle(a, b);
        let channel: RTCDataChannel;
        let twin: Promise<RTCDataChannelEvent>;
        if (offererCreates) {
          channel = a.createDataChannel('x');
          twin = waitFor<RTCDataChannelEvent>(b, 'datachannel');
          await negotiate(a, b);
        } else {
          // Negotiate first with a channel on the offerer, then the answerer opens one.
          a.createDataChannel('first');
          await negotiate(a, b);
          await waitForState(b, 'connected');
          channel = b.createDataChannel('x');
          twin = waitFor<RTCDataChannelEvent>(a, 'datachannel', (e) => e.channel.label === 'x');
        }
        const remote = (await twin).channel;
        assert.equal(remote.label, 'x');
        assert.equal(remote.readyState, 'open');
        await waitOpen(channel);
        await Promise.all([waitForState(a, 'connected'), waitForState(b, 'connected')]);
        assert.equal(
          a.iceConnectionState === 'connected' || a.iceConnectionState === 'completed',
          true,
        );
        assert.equal(a.sctp?.state, 'connected');
        assert.equal(b.sctp?.transport.state, 'connected');
        assert.equal(
          a.sctp?.transport.iceTransport.state === 'connected' ||
            a.sctp?.transport.iceTransport.state === 'completed',
          true,
        );
        assert.ok(channel.id !== null && remote.id === channel.id);
        const got = collect(remote, 1);
        channel.send('ping');
        assert.deepEqual(await got, ['ping']);
        const back = collect(channel, 1);
        remote.send('pong');
        assert.deepEqual(await back, ['pong']);
      }));
  }

  test('with the default address choice (the namespace veth addresses)', {
    skip:
      process.env.NETNS_RUN === '1' ? false : 'needs the private network namespace (NETNS_RUN=1)',
  }, async () => {
    const a = new ExportedPc();
    const b = new ExportedPc();
    try {
      trickle(a, b);
      const ch = a.createDataChannel('default');
      const twin = waitFor<RTCDataChannelEvent>(b, 'datachannel');
      await negotiate(a, b);
      const remote = (await twin).channel;
      await waitOpen(ch);
      const got = collect(remote, 1);
      ch.send('over veth');
      assert.deepEqual(await got, ['over veth']);
      const pair = a.sctp!.transport.iceTransport.getSelectedCandidatePair()!;
      assert.notEqual(pair.local.address, '127.0.0.1');
    } finally {
      a.close();
      b.close();
    }
  });

  test('without trickle: the complete descriptions carry the candidates', () =>
    withPair(async (a, b) => {
      a.createDataChannel('x');
      const twin = waitFor<RTCDataChannelEvent>(b, 'datachannel');
      await a.setLocalDescription();
      if (a.iceGatheringState !== 'complete') {
        await waitFor(a, 'icegatheringstatechange', () => a.iceGatheringState === 'complete');
      }
      assert.match(a.localDescription!.sdp, /a=candidate:.* typ host/);
      assert.match(a.localDescription!.sdp, /a=end-of-candidates/);
      await b.setRemoteDescription(a.localDescription!);
      await b.setLocalDescription();
      if (b.iceGatheringState !== 'complete') {
        await waitFor(b, 'icegatheringstatechange', () => b.iceGatheringState === 'complete');
      }
      await a.setRemoteDescription(b.localDescription!);
      const remote = (await twin).channel;
      await waitOpen(remote);
      assert.equal(remote.label, 'x');
    }));
});

describe('data both ways', () => {
  test('strings, binary, empty messages and 256 KiB, byte-exact and in order', () =>
    withConnectedPair(async (p) => {
      p.local.binaryType = 'arraybuffer';
      p.remote.binaryType = 'arraybuffer';
      const big = randomBytes(256 * 1024);
      const bigText = 'é'.repeat(64 * 1024) + 'x'.repeat(100 * 1024);
      for (const [from, to] of [
        [p.local, p.remote],
        [p.remote, p.local],
      ] as const) {
        const got = collect(to, 7);
        from.send('hello');
        from.send('');
        from.send(new Uint8Array(0));
        from.send(Uint8Array.of(1, 2, 3).buffer);
        from.send(new DataView(big.buffer, big.byteOffset + 10, 5));
        from.send(big);
        from.send(bigText);
        const msgs = await got;
        assert.equal(msgs[0], 'hello');
        assert.equal(msgs[1], '');
        assert.equal(bytesOf(msgs[2]).length, 0);
        assert.deepEqual(bytesOf(msgs[3]), Uint8Array.of(1, 2, 3));
        assert.deepEqual(bytesOf(msgs[4]), new Uint8Array(big.subarray(10, 15)));
        assert.ok(Buffer.from(bytesOf(msgs[5])).equals(big));
        assert.equal(msgs[6], bigText);
      }
    }));

  test('binaryType blob delivers Blobs; Blob sends keep their order', () =>
    withConnectedPair(async (p) => {
      assert.equal(p.remote.binaryType, 'blob');
      const got = collect(p.remote, 3);
      p.local.send('a');
      p.local.send(new Blob([Uint8Array.of(9, 8, 7)]));
      p.local.send('c');
      const msgs = await got;
      assert.equal(msgs[0], 'a');
      assert.ok(msgs[1] instanceof Blob);
      assert.deepEqual(
        new Uint8Array(await (msgs[1] as Blob).arrayBuffer()),
        Uint8Array.of(9, 8, 7),
      );
      assert.equal(msgs[2], 'c');
    }));

  test('channel events reach their listeners however these were added', () =>
    withConnectedPair(async (p) => {
      // EventTarget's own method, bypassing anything RTCDataChannel does on the way.
      const viaPrototype = (target: EventTarget, type: string) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no ${type} event`)), 10_000);
          EventTarget.prototype.addEventListener.call(target, type, () => {
            clearTimeout(timer);
            resolve();
          });
        });
      // With the default threshold of 0, each message that leaves the buffer fires the event.
      const localLow = waitFor(p.local, 'bufferedamountlow');
      let handled = 0;
      p.local.onbufferedamountlow = () => handled++;
      const remoteLow = viaPrototype(p.remote, 'bufferedamountlow');
      p.local.send('x');
      p.remote.send('y');
      await Promise.all([localLow, remoteLow]);
      assert.equal(handled, 1);
      // The open event of a channel the peer opens, listened to from the datachannel event.
      const lateOpen = new Promise<void>((resolve, reject) => {
        p.b.ondatachannel = (ev) => viaPrototype(ev.channel, 'open').then(resolve, reject);
      });
      p.a.createDataChannel('late');
      await lateOpen;
    }));

  test('each message event is a MessageEvent whose target is the channel', () =>
    withConnectedPair(async (p) => {
      const e = waitFor<MessageEvent>(p.remote, 'message');
      let viaHandler = 0;
      p.remote.onmessage = function (this: RTCDataChannel, ev: MessageEvent) {
        assert.equal(this, p.remote);
        assert.equal(ev.data, 'm');
        viaHandler++;
      };
      p.local.send('m');
      const ev = await e;
      assert.ok(ev instanceof MessageEvent);
      assert.equal(ev.target, p.remote);
      assert.equal(viaHandler, 1);
    }));
});

describe('channel types', () => {
  const kinds: [string, Parameters<ExportedPc['createDataChannel']>[1]][] = [
    ['reliable ordered', {}],
    ['unordered', { ordered: false }],
    ['maxRetransmits 0', { ordered: false, maxRetransmits: 0 }],
    ['maxPacketLifeTime 500', { maxPacketLifeTime: 500 }],
    ['with protocol', { protocol: 'chat/1' }],
  ];
  test('each type opens on both sides with its parameters and carries data', () =>
    withPair(async (a, b) => {
      trickle(a, b);
      const locals = kinds.map(([label, init]) => a.createDataChannel(label, init));
      const remotes = new Map<string, RTCDataChannel>();
      const all = new Promise<void>((resolve) => {
        b.ondatachannel = (e) => {
          remotes.set(e.channel.label, e.channel);
          if (remotes.size === kinds.length) resolve();
        };
      });
      await negotiate(a, b);
      await all;
      for (const [i, [label, init]] of kinds.entries()) {
        const local = locals[i]!;
        const remote = remotes.get(label)!;
        await waitOpen(local);
        assert.equal(remote.ordered, init?.ordered ?? true, label);
        assert.equal(remote.maxRetransmits, init?.maxRetransmits ?? null, label);
        assert.equal(remote.maxPacketLifeTime, init?.maxPacketLifeTime ?? null, label);
        assert.equal(remote.protocol, init?.protocol ?? '', label);
        assert.equal(remote.negotiated, false);
        assert.equal(remote.id, local.id);
        const got = collect(remote, 1);
        local.send(label);
        assert.deepEqual(await got, [label]);
      }
    }));

  test('negotiated channels pair up by id without a datachannel event', () =>
    withPair(async (a, b) => {
      trickle(a, b);
      const x = a.createDataChannel('neg', { negotiated: true, id: 7 });
      const y = b.createDataChannel('neg', { negotiated: true, id: 7 });
      let announced = 0;
      b.ondatachannel = () => announced++;
      a.ondatachannel = () => announced++;
      assert.equal(x.id, 7);
      assert.equal(x.negotiated, true);
      await negotiate(a, b);
      await Promise.all([waitOpen(x), waitOpen(y)]);
      const got = collect(y, 1);
      x.send('via 7');
      assert.deepEqual(await got, ['via 7']);
      const back = collect(x, 1);
      y.send('back');
      assert.deepEqual(await back, ['back']);
      assert.equal(announced, 0);
    }));
});

describe('closing', () => {
  for (const side of ['creator', 'receiver'] as const) {
    test(`a channel closed by its ${side} closes on both sides`, () =>
      withConnectedPair(async (p) => {
        const [closer, other] = side === 'creator' ? [p.local, p.remote] : [p.remote, p.local];
        const order: string[] = [];
        other.onclosing = () => order.push('closing');
        const otherClosed = waitFor(other, 'close');
        const closerClosed = waitFor(closer, 'close');
        closer.close();
        assert.equal(closer.readyState, 'closing');
        await Promise.all([otherClosed, closerClosed]);
        order.push('close');
        assert.deepEqual(order, ['closing', 'close']);
        assert.equal(closer.readyState, 'closed');
        assert.equal(other.readyState, 'closed');
        assert.throws(() => closer.send('x'), { name: 'InvalidStateError' });
        // The connection carries on: a new channel still opens.
        const again = p.a.createDataChannel('again');
        await waitOpen(again);
      }));
  }

  test('closing the connection is seen by the other side', () =>
    withConnectedPair(async (p) => {
      const remoteClosed = waitFor(p.remote, 'close');
      const dtlsClosed = waitFor(
        p.b.sctp!.transport,
        'statechange',
        () => p.b.sctp!.transport.state === 'closed',
      );
      let localEvents = 0;
      p.local.onclose = () => localEvents++;
      p.a.onconnectionstatechange = () => localEvents++;
      p.a.close();
      assert.equal(p.a.signalingState, 'closed');
      assert.equal(p.a.connectionState, 'closed');
      assert.equal(p.a.iceConnectionState, 'closed');
      assert.equal(p.local.readyState, 'closed');
      assert.equal(p.a.sctp?.state, 'closed');
      await Promise.all([remoteClosed, dtlsClosed]);
      assert.equal(p.remote.readyState, 'closed');
      assert.equal(localEvents, 0, 'close() fires no events on the side that closed');
      await assert.rejects(p.a.createOffer(), { name: 'InvalidStateError' });
      assert.throws(() => p.a.createDataChannel('late'), { name: 'InvalidStateError' });
    }));
});

describe('state events', () => {
  test('ice, dtls and connection states step forward with their events in order', () =>
    withPair(async (a, b) => {
      trickle(a, b);
      const log: string[] = [];
      a.oniceconnectionstatechange = () => log.push(`ice:${a.iceConnectionState}`);
      a.onconnectionstatechange = () => log.push(`pc:${a.connectionState}`);
      a.onsignalingstatechange = () => log.push(`sig:${a.signalingState}`);
      a.createDataChannel('x');
      assert.equal(a.connectionState, 'new');
      assert.equal(a.iceConnectionState, 'new');
      assert.equal(a.iceGatheringState, 'new');
      assert.equal(a.canTrickleIceCandidates, null);
      await negotiate(a, b);
      await waitForState(a, 'connected');
      const dtls = a.sctp!.transport;
      assert.equal(dtls.state, 'connected');
      assert.equal(dtls.getRemoteCertificates().length, 1);
      assert.deepEqual(log.slice(0, 2), ['sig:have-local-offer', 'sig:stable']);
      const rest = log.slice(2);
      assert.ok(rest.indexOf('ice:checking') < rest.indexOf('ice:connected'), rest.join());
      assert.ok(rest.indexOf('pc:connecting') < rest.indexOf('pc:connected'), rest.join());
      assert.ok(
        rest.indexOf('ice:checking') >= 0 && rest.indexOf('pc:connecting') >= 0,
        rest.join(),
      );
      // connected needs DTLS too: ICE is connected before the connection is.
      assert.ok(rest.indexOf('ice:connected') < rest.indexOf('pc:connected'), rest.join());
    }));

  test('transport states come before the channel events they lead to, on both sides', () =>
    withPair(async (a, b) => {
      trickle(a, b);
      const log: string[] = [];
      const watchSctp = (pc: RTCPeerConnection, side: string) => {
        const sctp = pc.sctp!;
        if (sctp.state === 'connected') log.push(`${side} sctp:connected`);
        sctp.onstatechange = () => log.push(`${side} sctp:${sctp.state}`);
      };
      a.onconnectionstatechange = () => log.push(`a pc:${a.connectionState}`);
      b.ondatachannel = (ev) => {
        log.push(`b datachannel:${ev.channel.label}`);
        ev.channel.onopen = () => log.push(`b open:${ev.channel.label}`);
      };
      const early = ['one', 'two', 'three'].map((label) => a.createDataChannel(label));
      for (const dc of early) dc.onopen = () => log.push(`a open:${dc.label}`);
      await a.setLocalDescription(await a.createOffer());
      await b.setRemoteDescription(a.localDescription!);
      await b.setLocalDescription(await b.createAnswer());
      watchSctp(b, 'b');
      await a.setRemoteDescription(b.localDescription!);
      watchSctp(a, 'a');
      await until(() => log.filter((l) => l.startsWith('b open:')).length === 3);
      await until(() => log.filter((l) => l.startsWith('a open:')).length === 3);
      const at = (entry: string) => {
        const i = log.indexOf(entry);
        assert.ok(i >= 0, `${entry} missing from ${log.join()}`);
        return i;
      };
      for (const label of ['one', 'two', 'three']) {
        assert.ok(at('a pc:connected') < at(`a open:${label}`), log.join());
        assert.ok(at('a sctp:connected') < at(`a open:${label}`), log.join());
        assert.ok(at('b sctp:connected') < at(`b datachannel:${label}`), log.join());
        assert.ok(at(`b datachannel:${label}`) < at(`b open:${label}`), log.join());
      }
      assert.deepEqual(
        log.filter((l) => l.startsWith('a open:')),
        ['a open:one', 'a open:two', 'a open:three'],
      );
    }));

  test('a certificate that does not match the fingerprint fails DTLS with an error event', () =>
    withPair(async (a, b) => {
      trickle(a, b);
      a.createDataChannel('x');
      await a.setLocalDescription();
      await b.setRemoteDescription(a.localDescription!);
      await b.setLocalDescription();
      const wrong = b.localDescription!.sdp.replace(
        /a=fingerprint:sha-256 (\S\S)/,
        (_m, first: string) => `a=fingerprint:sha-256 ${first === '00' ? '11' : '00'}`,
      );
      await a.setRemoteDescription({ type: 'answer', sdp: wrong });
      const dtls = a.sctp!.transport;
      const error = waitFor<Event & { error: { errorDetail: string } }>(dtls, 'error');
      await waitForState(a, 'failed');
      assert.equal((await error).error.errorDetail, 'fingerprint-failure');
      assert.equal(dtls.state, 'failed');
    }));
});
