/**
 * A connected RTCPeerConnection whose UDP port receives garbage from a third party: random
 * bytes, STUN requests with wrong credentials, and datagrams that look like DTLS records,
 * handshakes and alerts. None of it may throw, fire an error, change a state or disturb the
 * data already flowing on the connection.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { test } from 'node:test';
import { buildCheckRequest } from '../../src/ice/messages.js';
import { decodeStun } from '../../src/stun/index.js';
import { Prng } from '../sim/prng.js';
import { collect, connectedPair } from './peers.js';

/** Datagrams that pass the first-byte demultiplexing (RFC 7983) into each protocol. */
function hostileDatagram(rng: Prng, i: number): Uint8Array {
  const d = rng.bytes(rng.int(1, 1300));
  switch (i % 5) {
    case 0: // STUN: type, length, magic cookie, then noise or a binding request body
      d[0] = 0x00;
      if (d.length > 1) d[1] = 0x01;
      if (d.length >= 8) d.set([0x21, 0x12, 0xa4, 0x42], 4);
      break;
    case 1: // DTLS application data, epoch 1, DTLS 1.2
      d[0] = 23;
      if (d.length >= 5) d.set([0xfe, 0xfd, 0x00, 0x01], 1);
      break;
    case 2: // DTLS handshake, epoch 0 (a ClientHello out of nowhere)
      d[0] = 22;
      if (d.length >= 5) d.set([0xfe, 0xfd, 0x00, 0x00], 1);
      break;
    case 3: // DTLS alert
      d[0] = 21;
      if (d.length >= 3) d.set([0xfe, 0xfd], 1);
      break;
    default: // anything at all
      break;
  }
  return d;
}

test('garbage sent to a connected peer changes nothing and data keeps flowing', async () => {
  const { a, b, local, remote, close } = await connectedPair('hostile');
  try {
    const pair = a.sctp?.transport.iceTransport.getSelectedCandidatePair();
    assert.ok(pair, 'a has a selected candidate pair');
    const target = { address: pair.local.address!, port: pair.local.port! };

    const events: string[] = [];
    for (const [name, target] of [
      ['a', a],
      ['b', b],
      ['local', local],
      ['remote', remote],
    ] as const) {
      for (const type of ['error', 'close', 'closing', 'connectionstatechange']) {
        target.addEventListener(type, () => events.push(`${name}:${type}`));
      }
    }

    const attacker = createSocket('udp4');
    await new Promise<void>((resolve) => attacker.bind(0, '127.0.0.1', resolve));
    // A check with the right credentials is answered: the flood below reaches the connection.
    const ufrag = (sdp: string) => /a=ice-ufrag:(\S+)/.exec(sdp)![1];
    const pwd = /a=ice-pwd:(\S+)/.exec(a.localDescription!.sdp)![1];
    const answered = new Promise<Uint8Array>((resolve) =>
      attacker.once('message', (m) => resolve(new Uint8Array(m))),
    );
    attacker.send(
      buildCheckRequest({
        transactionId: new Uint8Array(12).fill(7),
        username: `${ufrag(a.localDescription!.sdp)}:${ufrag(b.localDescription!.sdp)}`,
        priority: 1,
        role: 'controlled',
        tieBreaker: 1n,
        useCandidate: false,
        key: new TextEncoder().encode(pwd),
      }),
      target.port,
      target.address,
    );
    const response = decodeStun(await answered);
    assert.ok(response.ok && response.message.class === 'success', 'the check is answered');

    const rng = new Prng(7675);
    const received = collect(remote, 200);
    for (let i = 0; i < 2000; i++) {
      attacker.send(hostileDatagram(rng, i), target.port, target.address);
      if (i % 10 === 0) local.send(`message ${i / 10}`);
      if (i % 100 === 99) await new Promise((r) => setImmediate(r));
    }
    const got = await received;
    attacker.close();

    assert.deepEqual(
      got,
      Array.from({ length: 200 }, (_, i) => `message ${i}`),
    );
    // And the other way, after the flood.
    const back = collect(local, 1);
    remote.send('still here');
    assert.deepEqual(await back, ['still here']);
    assert.equal(a.connectionState, 'connected');
    assert.equal(b.connectionState, 'connected');
    assert.equal(local.readyState, 'open');
    assert.deepEqual(events, []);
  } finally {
    close();
  }
});
