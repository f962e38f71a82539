import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RTCDataChannel } from '../../src/api/data-channel.js';
import type { RTCIceCandidateInit } from '../../src/api/ice-candidate.js';
import type { RTCPeerConnection } from '../../src/api/peer-connection.js';
import type { RTCSessionDescriptionInit } from '../../src/api/session-description.js';
import { collect, waitFor, waitForState, waitOpen, withPair } from './peers.js';

type Message = {
  description?: RTCSessionDescriptionInit | null;
  candidate?: RTCIceCandidateInit | null;
};

/**
 * MDN's "perfect negotiation" code, unchanged but for the signalling channel: messages are
 * serialised as JSON and delivered asynchronously, as over a WebSocket.
 */
function perfectNegotiation(pc: RTCPeerConnection, polite: boolean, send: (m: Message) => void) {
  let makingOffer = false;
  let ignoreOffer = false;
  const errors: unknown[] = [];
  pc.onnegotiationneeded = async () => {
    try {
      makingOffer = true;
      await pc.setLocalDescription();
      send({ description: pc.localDescription });
    } catch (err) {
      errors.push(err);
    } finally {
      makingOffer = false;
    }
  };
  pc.onicecandidate = ({ candidate }) => send({ candidate });
  const onmessage = async ({ description, candidate }: Message) => {
    try {
      if (description) {
        const offerCollision =
          description.type === 'offer' && (makingOffer || pc.signalingState !== 'stable');
        ignoreOffer = !polite && offerCollision;
        if (ignoreOffer) return;
        await pc.setRemoteDescription(description);
        if (description.type === 'offer') {
          await pc.setLocalDescription();
          send({ description: pc.localDescription });
        }
      } else if (candidate) {
        try {
          await pc.addIceCandidate(candidate);
        } catch (err) {
          if (!ignoreOffer) throw err;
        }
      }
    } catch (err) {
      errors.push(err);
    }
  };
  return { onmessage, errors };
}

function link(a: RTCPeerConnection, b: RTCPeerConnection) {
  let toB: (m: Message) => void = () => {};
  let toA: (m: Message) => void = () => {};
  const deliver = (f: () => (m: Message) => void) => (m: Message) => {
    const text = JSON.stringify(m);
    setTimeout(() => void f()(JSON.parse(text) as Message), 1);
  };
  const sa = perfectNegotiation(
    a,
    false,
    deliver(() => toB),
  );
  const sb = perfectNegotiation(
    b,
    true,
    deliver(() => toA),
  );
  toB = sb.onmessage;
  toA = sa.onmessage;
  return { errors: () => [...sa.errors, ...sb.errors] };
}

test('perfect negotiation: both peers offer at once, glare resolved by rollback', () =>
  withPair(async (a, b) => {
    const signalling = link(a, b);
    const states: string[] = [];
    b.onsignalingstatechange = () => states.push(b.signalingState);
    // Both create a channel in the same turn: each fires negotiationneeded and offers.
    const ca = a.createDataChannel('from-a');
    const cb = b.createDataChannel('from-b');
    const fromB = waitFor<Event & { channel: RTCDataChannel }>(
      a,
      'datachannel',
      (e) => e.channel.label === 'from-b',
    );
    const fromA = waitFor<Event & { channel: RTCDataChannel }>(
      b,
      'datachannel',
      (e) => e.channel.label === 'from-a',
    );
    await Promise.all([waitForState(a, 'connected'), waitForState(b, 'connected')]);
    await Promise.all([waitOpen(ca), waitOpen(cb)]);
    const [ra, rb] = [(await fromA).channel, (await fromB).channel];
    const got = Promise.all([collect(ra, 1), collect(rb, 1)]);
    ca.send('a says hi');
    cb.send('b says hi');
    assert.deepEqual(await got, [['a says hi'], ['b says hi']]);
    // The polite peer had its own offer rolled back by the impolite one's.
    assert.ok(states.includes('have-local-offer'), `polite states: ${states.join(',')}`);
    assert.ok(states.includes('have-remote-offer'), `polite states: ${states.join(',')}`);
    assert.equal(a.signalingState, 'stable');
    assert.equal(b.signalingState, 'stable');
    assert.deepEqual(signalling.errors(), []);
  }));
