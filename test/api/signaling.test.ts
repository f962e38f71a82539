import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RTCPeerConnectionIceErrorEvent } from '../../src/api/events.js';
import { RTCIceCandidate } from '../../src/api/ice-candidate.js';
import { RTCPeerConnection } from '../../src/api/peer-connection.js';
import { RTCError } from '../../src/api/rtc-error.js';
import { RTCSessionDescription } from '../../src/api/session-description.js';
import {
  collect,
  LOOPBACK,
  negotiate,
  newPeer,
  trickle,
  waitFor,
  waitOpen,
  withConnectedPair,
  withPair,
  withPeer,
} from './peers.js';

const tick = () => new Promise((r) => setImmediate(r));

async function rejectsNamed(p: Promise<unknown>, name: string): Promise<unknown> {
  let caught: unknown;
  await assert.rejects(p, (e: unknown) => {
    caught = e;
    assert.equal((e as Error).name, name, String(e));
    return true;
  });
  return caught;
}

/** The observable state, to check that a failed call changed nothing. */
function snapshot(pc: RTCPeerConnection) {
  return {
    signalingState: pc.signalingState,
    local: pc.localDescription?.sdp,
    remote: pc.remoteDescription?.sdp,
    pendingLocal: pc.pendingLocalDescription?.sdp,
    pendingRemote: pc.pendingRemoteDescription?.sdp,
    currentRemote: pc.currentRemoteDescription?.sdp,
  };
}

describe('negotiationneeded and signalingstatechange', () => {
  test('the first channel fires negotiationneeded once, in a later task', () =>
    withPeer(async (pc) => {
      let fired = 0;
      pc.onnegotiationneeded = () => fired++;
      pc.createDataChannel('a');
      assert.equal(fired, 0, 'not synchronously');
      pc.createDataChannel('b');
      await tick();
      await tick();
      assert.equal(fired, 1);
      pc.createDataChannel('c');
      await tick();
      await tick();
      assert.equal(fired, 1, 'later channels need no negotiation of their own');
    }));

  test('negotiationneeded waits for the operations chain and for stable', () =>
    withPair(async (a, b) => {
      const events: string[] = [];
      a.onnegotiationneeded = () => events.push('negotiationneeded');
      a.onsignalingstatechange = () => events.push(`signaling:${a.signalingState}`);
      const offer = a.createOffer();
      a.createDataChannel('x'); // while createOffer is in the chain
      await offer;
      await tick();
      await tick();
      assert.deepEqual(events, ['negotiationneeded']);
      events.length = 0;
      await a.setLocalDescription();
      events.push('sld resolved');
      await b.setRemoteDescription(a.localDescription!);
      await b.setLocalDescription();
      await a.setRemoteDescription(b.localDescription!);
      events.push('srd resolved');
      await tick();
      await tick();
      assert.deepEqual(events, [
        'signaling:have-local-offer',
        'sld resolved',
        'signaling:stable',
        'srd resolved',
      ]);
      // The channel is negotiated now: no further negotiationneeded.
    }));

  test('signalingstatechange fires before the promise resolves; rollback returns to stable', () =>
    withPeer(async (pc) => {
      pc.createDataChannel('x');
      const order: string[] = [];
      pc.onsignalingstatechange = () => order.push(pc.signalingState);
      const offer = await pc.createOffer();
      assert.equal(offer.type, 'offer');
      assert.match(offer.sdp!, /m=application 9 UDP\/DTLS\/SCTP webrtc-datachannel/);
      const p = pc.setLocalDescription(offer).then(() => order.push('resolved'));
      assert.equal(pc.signalingState, 'stable', 'applied in a later task');
      await p;
      assert.equal(pc.pendingLocalDescription?.type, 'offer');
      assert.equal(pc.currentLocalDescription, null);
      await pc.setLocalDescription({ type: 'rollback' });
      assert.deepEqual(order, ['have-local-offer', 'resolved', 'stable']);
      assert.equal(pc.localDescription, null);
      assert.equal(pc.pendingLocalDescription, null);
    }));

  test('the operations chain runs calls made without awaiting in call order', () =>
    withPair(async (a, b) => {
      a.createDataChannel('x');
      const order: string[] = [];
      const sld = a.setLocalDescription().then(() => order.push(`sld:${a.signalingState}`));
      const rollback = a
        .setLocalDescription({ type: 'rollback' })
        .then(() => order.push(`rollback:${a.signalingState}`));
      const offer = a.createOffer().then((o) => {
        order.push('offer');
        return o;
      });
      await Promise.all([sld, rollback, offer]);
      assert.deepEqual(order, ['sld:have-local-offer', 'rollback:stable', 'offer']);
      // One side's whole exchange queued up front.
      const o = await offer;
      const steps = [a.setLocalDescription(o), b.setRemoteDescription(o), b.setLocalDescription()];
      await Promise.all(steps);
      await a.setRemoteDescription(b.localDescription!);
      assert.equal(a.signalingState, 'stable');
      assert.equal(b.signalingState, 'stable');
    }));

  test('the implicit setLocalDescription() makes an offer in stable and an answer after one', () =>
    withPair(async (a, b) => {
      a.createDataChannel('x');
      await a.setLocalDescription();
      assert.equal(a.localDescription?.type, 'offer');
      await b.setRemoteDescription(a.localDescription!);
      assert.equal(b.signalingState, 'have-remote-offer');
      await b.setLocalDescription();
      assert.equal(b.localDescription?.type, 'answer');
      assert.equal(b.signalingState, 'stable');
      assert.match(b.localDescription!.sdp, /a=setup:active/);
      await a.setRemoteDescription(b.localDescription!);
      assert.equal(a.currentRemoteDescription?.type, 'answer');
      assert.equal(a.canTrickleIceCandidates, true);
    }));

  test('localDescription gains the candidates gathered after it was set', () =>
    withPeer(async (pc) => {
      pc.createDataChannel('x');
      const seen: (string | null)[] = [];
      const ended = new Promise<void>((resolve) => {
        pc.onicecandidate = (e) => {
          seen.push(e.candidate === null ? null : e.candidate.candidate);
          if (e.candidate === null) resolve();
        };
      });
      const gathering: string[] = [];
      pc.onicegatheringstatechange = () => gathering.push(pc.iceGatheringState);
      await pc.setLocalDescription();
      await ended;
      assert.deepEqual(gathering, ['gathering', 'complete']);
      assert.ok(seen.length >= 3, seen.join('|'));
      const [host] = seen;
      assert.match(host!, /^candidate:\S+ 1 udp \d+ 127\.0\.0\.1 \d+ typ host/);
      assert.equal(seen.at(-2), '', 'the end-of-candidates indication precedes null');
      assert.ok(pc.localDescription!.sdp.includes(`a=${host}`));
      assert.match(pc.localDescription!.sdp, /a=end-of-candidates/);
      const local = pc.sctp === null ? undefined : pc.sctp.transport.iceTransport;
      assert.equal(local, undefined, 'no SCTP transport before an answer');
    }));
});

describe('bad input leaves the connection as it was', () => {
  test('malformed SDP: RTCError sdp-syntax-error naming the line', () =>
    withPair(async (a, b) => {
      a.createDataChannel('x');
      await a.setLocalDescription();
      const good = a.localDescription!.sdp;
      const lines = good.split('\r\n');
      const at = lines.findIndex((l) => l.startsWith('m='));
      lines[at] = 'm=application notaport UDP/DTLS/SCTP webrtc-datachannel';
      const before = snapshot(b);
      const err = await rejectsNamed(
        b.setRemoteDescription({ type: 'offer', sdp: lines.join('\r\n') }),
        'OperationError',
      );
      assert.ok(err instanceof RTCError);
      assert.equal(err.errorDetail, 'sdp-syntax-error');
      assert.equal(err.sdpLineNumber, at + 1);
      assert.match(err.message, /line/);
      assert.deepEqual(snapshot(b), before);
      // Still usable afterwards.
      await b.setRemoteDescription({ type: 'offer', sdp: good });
      assert.equal(b.signalingState, 'have-remote-offer');
    }));

  test('a description without ICE credentials or fingerprint: InvalidAccessError', () =>
    withPair(async (a, b) => {
      a.createDataChannel('x');
      await a.setLocalDescription();
      const good = a.localDescription!.sdp;
      const before = snapshot(b);
      for (const drop of [/^a=ice-ufrag:/, /^a=ice-pwd:/, /^a=fingerprint:/]) {
        const sdp = good
          .split('\r\n')
          .filter((l) => !drop.test(l))
          .join('\r\n');
        await rejectsNamed(b.setRemoteDescription({ type: 'offer', sdp }), 'InvalidAccessError');
        assert.deepEqual(snapshot(b), before);
      }
    }));

  test('descriptions in the wrong state: InvalidStateError; munged local SDP: InvalidModificationError', () =>
    withPair(async (a, b) => {
      a.createDataChannel('x');
      const offer = await a.createOffer();
      await rejectsNamed(a.createAnswer(), 'InvalidStateError');
      await rejectsNamed(
        a.setRemoteDescription({ type: 'answer', sdp: offer.sdp! }),
        'InvalidStateError',
      );
      await rejectsNamed(a.setLocalDescription({ type: 'rollback' }), 'InvalidStateError');
      await rejectsNamed(
        a.setLocalDescription({
          type: 'offer',
          sdp: offer.sdp!.replace('a=max-message-size:262144', 'a=max-message-size:1'),
        }),
        'InvalidModificationError',
      );
      assert.equal(a.signalingState, 'stable');
      await assert.rejects(
        a.setRemoteDescription({ type: 'bogus' as 'offer', sdp: offer.sdp! }),
        TypeError,
      );
      await a.setLocalDescription(offer);
      // An answer with other m-sections than the offer's.
      await b.setRemoteDescription(offer);
      const answer = await b.createAnswer();
      const wrongMid = answer.sdp!.replace(/a=mid:0/g, 'a=mid:9').replace('BUNDLE 0', 'BUNDLE 9');
      const before = snapshot(a);
      await rejectsNamed(
        a.setRemoteDescription({ type: 'answer', sdp: wrongMid }),
        'InvalidAccessError',
      );
      assert.deepEqual(snapshot(a), before);
      await a.setRemoteDescription(answer);
      assert.equal(a.signalingState, 'stable');
    }));

  test('malformed signalling messages: TypeError, nothing changes', () =>
    withPeer(async (pc) => {
      const before = snapshot(pc);
      await assert.rejects(pc.setRemoteDescription(null as never), TypeError);
      await assert.rejects(pc.setRemoteDescription({} as never), TypeError);
      await assert.rejects(pc.setRemoteDescription({ sdp: 'v=0' } as never), TypeError);
      await assert.rejects(pc.setLocalDescription({ type: 'nonsense' as 'offer' }), TypeError);
      await assert.rejects(pc.addIceCandidate('candidate:1' as never), TypeError);
      const err = await rejectsNamed(
        pc.setRemoteDescription({ type: 'offer', sdp: 'hello' }),
        'OperationError',
      );
      assert.equal((err as RTCError).errorDetail, 'sdp-syntax-error');
      assert.equal((err as RTCError).sdpLineNumber, 1);
      assert.deepEqual(snapshot(pc), before);
      assert.equal(pc.signalingState, 'stable');
    }));

  test('addIceCandidate: each spec error, state unchanged', () =>
    withPair(async (a, b) => {
      const cand = 'candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host';
      await rejectsNamed(b.addIceCandidate({ candidate: cand, sdpMid: '0' }), 'InvalidStateError');
      await assert.rejects(b.addIceCandidate({ candidate: cand }), TypeError);
      a.createDataChannel('x');
      await a.setLocalDescription();
      await b.setRemoteDescription(a.localDescription!);
      const before = snapshot(b);
      await rejectsNamed(b.addIceCandidate({ candidate: cand, sdpMid: 'nope' }), 'OperationError');
      await rejectsNamed(
        b.addIceCandidate({ candidate: cand, sdpMLineIndex: 5 }),
        'OperationError',
      );
      await rejectsNamed(
        b.addIceCandidate({ candidate: cand, sdpMid: '0', usernameFragment: 'zzzz' }),
        'OperationError',
      );
      await rejectsNamed(
        b.addIceCandidate({ candidate: 'candidate:garbage', sdpMid: '0' }),
        'OperationError',
      );
      assert.deepEqual(snapshot(b), before);
      await b.addIceCandidate({ candidate: cand, sdpMid: '0' });
      assert.ok(b.remoteDescription!.sdp.includes(`a=${cand}`));
      assert.equal(b.sctp, null);
      // The empty candidate ends trickle; so does null.
      await b.addIceCandidate({ candidate: '', sdpMid: '0' });
      assert.match(b.remoteDescription!.sdp, /a=end-of-candidates/);
      await b.addIceCandidate(null);
      await b.addIceCandidate();
    }));
});

describe('createDataChannel validation', () => {
  test('each spec error', () =>
    withPeer((pc) => {
      assert.throws(() => pc.createDataChannel('x', { negotiated: true }), TypeError);
      assert.throws(
        () => pc.createDataChannel('x', { maxRetransmits: 1, maxPacketLifeTime: 1 }),
        TypeError,
      );
      assert.throws(() => pc.createDataChannel('x', { negotiated: true, id: 65535 }), TypeError);
      assert.throws(() => pc.createDataChannel('x', { negotiated: true, id: 70000 }), TypeError);
      assert.throws(() => pc.createDataChannel('x', { negotiated: true, id: -1 }), TypeError);
      assert.throws(() => pc.createDataChannel('x', { maxRetransmits: 65536 }), TypeError);
      assert.throws(() => pc.createDataChannel('x'.repeat(65536)), TypeError);
      assert.throws(() => pc.createDataChannel('x', { protocol: 'é'.repeat(40000) }), TypeError);
      assert.throws(() => pc.createDataChannel('x', { priority: 'urgent' as 'high' }), TypeError);
      const ok = pc.createDataChannel('é'.repeat(30000));
      assert.equal(ok.readyState, 'connecting');
      assert.equal(ok.id, null);
      const neg = pc.createDataChannel('n', { negotiated: true, id: 3 });
      assert.equal(neg.id, 3);
      assert.throws(() => pc.createDataChannel('again', { negotiated: true, id: 3 }), {
        name: 'OperationError',
      });
      const unrel = pc.createDataChannel('u', { ordered: false, maxRetransmits: 2 });
      assert.equal(unrel.ordered, false);
      assert.equal(unrel.maxRetransmits, 2);
      assert.equal(unrel.maxPacketLifeTime, null);
      assert.throws(() => unrel.send('x'), { name: 'InvalidStateError' });
    }));

  test("a message over the peer's max-message-size is a TypeError", () =>
    withPair(async (a, b) => {
      trickle(a, b);
      const ch = a.createDataChannel('x');
      await a.setLocalDescription();
      await b.setRemoteDescription(a.localDescription!);
      await b.setLocalDescription();
      const answer = b.localDescription!.sdp.replace(
        /a=max-message-size:\d+/,
        'a=max-message-size:1000',
      );
      await a.setRemoteDescription({ type: 'answer', sdp: answer });
      assert.equal(a.sctp?.maxMessageSize, 1000);
      await waitOpen(ch);
      assert.throws(() => ch.send('x'.repeat(1001)), TypeError);
      assert.throws(() => ch.send(new Uint8Array(1001)), TypeError);
      ch.send('x'.repeat(1000));
      assert.equal(b.sctp?.maxMessageSize, 262144);
    }));
});

describe('configuration', () => {
  test('iceServers, policies and certificates are validated as the spec says', async () => {
    assert.throws(() => new RTCPeerConnection({ iceServers: [{ urls: 'http://x' }] }), {
      name: 'SyntaxError',
    });
    assert.throws(() => new RTCPeerConnection({ iceServers: [{ urls: [] }] }), {
      name: 'SyntaxError',
    });
    assert.throws(() => new RTCPeerConnection({ iceServers: [{ urls: 'turn:example.org' }] }), {
      name: 'InvalidAccessError',
    });
    assert.throws(() => new RTCPeerConnection({ iceTransportPolicy: 'none' as 'all' }), TypeError);
    assert.throws(() => new RTCPeerConnection({ bundlePolicy: 'x' as 'balanced' }), TypeError);
    assert.throws(() => new RTCPeerConnection({ iceCandidatePoolSize: 256 }), TypeError);
    const cert = await RTCPeerConnection.generateCertificate({
      name: 'ECDSA',
      namedCurve: 'P-256',
    });
    const pc = new RTCPeerConnection({
      ...LOOPBACK,
      iceServers: [
        { urls: ['stun:127.0.0.1:3478'] },
        { urls: 'turn:127.0.0.1', username: 'u', credential: 'p' },
      ],
      bundlePolicy: 'max-bundle',
      certificates: [cert],
    });
    try {
      const c = pc.getConfiguration();
      assert.deepEqual(c.iceServers?.[0]?.urls, ['stun:127.0.0.1:3478']);
      assert.equal(c.bundlePolicy, 'max-bundle');
      assert.equal(c.iceTransportPolicy, 'all');
      assert.equal(c.rtcpMuxPolicy, 'require');
      assert.equal(c.certificates?.[0], cert);
      assert.throws(() => pc.setConfiguration({ bundlePolicy: 'balanced' }), {
        name: 'InvalidModificationError',
      });
      pc.setConfiguration({ bundlePolicy: 'max-bundle', iceTransportPolicy: 'relay' });
      assert.equal(pc.getConfiguration().iceTransportPolicy, 'relay');
      pc.createDataChannel('x');
      const offer = await pc.createOffer();
      const fp = cert.getFingerprints()[0]!;
      assert.ok(offer.sdp!.toLowerCase().includes(`a=fingerprint:sha-256 ${fp.value}`));
      pc.close();
      assert.throws(() => pc.setConfiguration({}), { name: 'InvalidStateError' });
    } finally {
      pc.close();
    }
  });
});

describe('icecandidateerror', () => {
  test('a server this stack cannot use is reported with the spec fields', async () => {
    const pc = newPeer({
      iceServers: [{ urls: 'turn:127.0.0.1:3478', username: 'u', credential: 'p' }],
    });
    try {
      const error = waitFor<RTCPeerConnectionIceErrorEvent>(pc, 'icecandidateerror');
      pc.createDataChannel('x');
      await pc.setLocalDescription();
      const e = await error;
      assert.ok(e instanceof RTCPeerConnectionIceErrorEvent);
      assert.equal(e.url, 'turn:127.0.0.1:3478');
      assert.equal(e.errorCode, 701);
      assert.match(e.errorText, /turn/);
      assert.equal(e.address, null);
      assert.equal(e.port, null);
    } finally {
      pc.close();
    }
  });
});

describe('RTCSessionDescription and RTCIceCandidate', () => {
  test('every candidate attribute is parsed from the string; toJSON', () => {
    const c = new RTCIceCandidate({
      candidate:
        'candidate:842163049 1 udp 1677729535 203.0.113.7 61665 typ srflx raddr 10.0.0.2 rport 61665 generation 0 ufrag abcd network-cost 999',
      sdpMid: '0',
      sdpMLineIndex: 0,
    });
    assert.equal(c.foundation, '842163049');
    assert.equal(c.component, 'rtp');
    assert.equal(c.protocol, 'udp');
    assert.equal(c.priority, 1677729535);
    assert.equal(c.address, '203.0.113.7');
    assert.equal(c.port, 61665);
    assert.equal(c.type, 'srflx');
    assert.equal(c.relatedAddress, '10.0.0.2');
    assert.equal(c.relatedPort, 61665);
    assert.equal(c.tcpType, null);
    assert.equal(c.usernameFragment, 'abcd');
    assert.deepEqual(JSON.parse(JSON.stringify(c)), {
      candidate: c.candidate,
      sdpMid: '0',
      sdpMLineIndex: 0,
      usernameFragment: 'abcd',
    });
    const tcp = new RTCIceCandidate({
      candidate: 'candidate:1 2 tcp 100 ::1 9 typ host tcptype active',
      sdpMLineIndex: 1,
    });
    assert.equal(tcp.component, 'rtcp');
    assert.equal(tcp.tcpType, 'active');
    assert.equal(tcp.sdpMid, null);
    assert.throws(
      () => new RTCIceCandidate({ candidate: 'candidate:1 1 udp 1 ::1 9 typ host' }),
      TypeError,
    );
    const d = new RTCSessionDescription({ type: 'offer', sdp: 'v=0' });
    assert.deepEqual(d.toJSON(), { type: 'offer', sdp: 'v=0' });
    assert.throws(() => new RTCSessionDescription({ type: 'x' as 'offer' }), TypeError);
  });
});

describe('event handler attributes', () => {
  test('on<event> attributes and addEventListener both see connection events', () =>
    withConnectedPair(async (p) => {
      assert.equal(p.a.ondatachannel, null);
      const seen: string[] = [];
      p.b.ondatachannel = (e) => seen.push(`handler:${e.channel.label}`);
      p.b.addEventListener('datachannel', () => seen.push('listener'));
      const ch = p.a.createDataChannel('second');
      await waitFor(p.b, 'datachannel');
      assert.deepEqual(seen, ['handler:second', 'listener']);
      await waitOpen(ch);
      const got = collect(p.remote, 1);
      p.local.send('still here');
      assert.deepEqual(await got, ['still here']);
      await negotiate(p.a, p.b); // a re-offer keeps everything working
      assert.equal(p.a.signalingState, 'stable');
    }));
});
