/**
 * The Node extra `tsrtc.sharedPort`: many RTCPeerConnections of a server on one UDP port, each
 * talking to its own client through it, over loopback.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import type { RTCDataChannel } from '../../src/api/data-channel.js';
import { RTCPeerConnection } from '../../src/api/peer-connection.js';
import { buildCheckRequest } from '../../src/ice/messages.js';
import { newTransactionId } from '../../src/stun/builder.js';
import { freeLoopbackPort, loopbackPortInUse } from '../net/loopback-port.js';
import { collect, negotiate, newPeer, trickle, until, waitFor, waitOpen } from './peers.js';

interface Link {
  client: RTCPeerConnection;
  server: RTCPeerConnection;
  /** The client's channel and the server's end of it, both open. */
  local: RTCDataChannel;
  remote: RTCDataChannel;
}

/**
 * A client (sockets of its own) offering to a server connection on the shared port. Without
 * `clientCandidates` the server never hears of the client's addresses, as with a browser whose
 * host candidates are hidden behind mDNS names: it learns them from the client's first checks,
 * which the shared port can only route by their ufrag.
 */
async function link(sharedPort: number, clientCandidates = true): Promise<Link> {
  const client = newPeer();
  const server = newPeer({ tsrtc: { sharedPort } });
  if (clientCandidates) {
    trickle(client, server);
  } else {
    server.onicecandidate = (e) => {
      if (e.candidate !== null) client.addIceCandidate(e.candidate).catch(() => {});
    };
  }
  const local = client.createDataChannel('echo');
  const remoteP = waitFor<Event & { channel: RTCDataChannel }>(server, 'datachannel');
  remoteP.catch(() => {}); // awaited below unless negotiation fails first
  try {
    await negotiate(client, server);
    const remote = (await remoteP).channel;
    await Promise.all([waitOpen(local), waitOpen(remote)]);
    return { client, server, local, remote };
  } catch (err) {
    // A link that never came up must not keep the test process alive.
    client.close();
    server.close();
    throw err;
  }
}

/**
 * Every server channel echoes with its own tag, so a message that reached the wrong
 * connection shows in the echo.
 */
function echoTagged(links: Link[]): void {
  links.forEach((l, i) => {
    l.remote.onmessage = (e) => l.remote.send(`s${i}:${(e as MessageEvent).data as string}`);
  });
}

/** Each client sends `rounds` messages and gets them back from its own server connection. */
async function checkEchoes(links: Link[], rounds: number): Promise<void> {
  echoTagged(links);
  await Promise.all(
    links.map(async (l, i) => {
      const got = collect(l.local, rounds);
      for (let r = 0; r < rounds; r++) l.local.send(`m${r}`);
      assert.deepEqual(
        await got,
        Array.from({ length: rounds }, (_, r) => `s${i}:m${r}`),
      );
    }),
  );
}

function closeAll(links: Link[]): void {
  for (const l of links) {
    l.client.close();
    l.server.close();
  }
}

function hostPorts(sdp: string): Set<number> {
  const ports = new Set<number>();
  for (const m of sdp.matchAll(/a=candidate:\S+ 1 udp \d+ \S+ (\d+) typ host/g)) {
    ports.add(Number(m[1]));
  }
  return ports;
}

describe('shared UDP port', () => {
  test('20 server connections on one port each reach their own client, in order, intact', async () => {
    const port = await freeLoopbackPort();
    const links: Link[] = [];
    try {
      for (let i = 0; i < 20; i++) links.push(await link(port));
      for (const l of links)
        assert.deepEqual([...hostPorts(l.server.localDescription!.sdp)], [port]);
      await checkEchoes(links, 20);
      // Large messages too: DTLS and SCTP traffic, not only STUN, is routed right.
      await Promise.all(
        links.slice(0, 4).map(async (l) => {
          const blob = randomBytes(200_000);
          l.remote.onmessage = (e) => l.remote.send((e as MessageEvent).data as ArrayBuffer);
          l.local.binaryType = 'arraybuffer';
          const back = collect(l.local, 1);
          l.local.send(blob);
          assert.ok(Buffer.from((await back)[0] as ArrayBuffer).equals(blob));
        }),
      );
    } finally {
      closeAll(links);
    }
    // The last connection gone, the port is free again.
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(await loopbackPortInUse(port), false, 'the port is free again');
  });

  test('a server that learns its clients only from their checks routes them by ufrag', async () => {
    const links: Link[] = [];
    try {
      for (let i = 0; i < 6; i++) links.push(await link(0, false));
      for (const l of links) {
        const pair = [...(await l.server.getStats()).values()].find(
          (r) => r.type === 'candidate-pair' && r.nominated,
        ) as unknown as { remoteCandidateId: string };
        const remote = (await l.server.getStats()).get(pair.remoteCandidateId) as unknown as {
          candidateType: string;
        };
        assert.equal(remote.candidateType, 'prflx');
      }
      await checkEchoes(links, 10);
    } finally {
      closeAll(links);
    }
  });

  test('a connection closing or restarting ICE leaves the others working', async () => {
    const links: Link[] = [];
    try {
      for (let i = 0; i < 4; i++) links.push(await link(0));
      links[0]!.server.close();
      links[0]!.client.close();
      const rest = links.slice(1);
      // Restart from the server's side: its new ufrag is what the shared port must route by.
      const l = rest[0]!;
      const ufrag = (sdp: string) => /a=ice-ufrag:(\S+)/.exec(sdp)![1];
      const before = ufrag(l.server.localDescription!.sdp);
      const checking = waitFor(l.server, 'iceconnectionstatechange', () =>
        ['checking', 'connected', 'completed'].includes(l.server.iceConnectionState),
      );
      l.server.restartIce();
      await negotiate(l.server, l.client);
      assert.notEqual(ufrag(l.server.localDescription!.sdp), before);
      await checking;
      await until(() => ['connected', 'completed'].includes(l.server.iceConnectionState));
      await checkEchoes(rest, 10);
      // The old pair is gone: only checks with the new ufrag keep consent alive, and they do.
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(l.server.connectionState, 'connected');
    } finally {
      closeAll(links);
    }
  });

  test('datagrams for no connection, forged checks included, are dropped without harm', async () => {
    const links: Link[] = [];
    const attacker = createSocket('udp4');
    try {
      for (let i = 0; i < 3; i++) links.push(await link(0));
      attacker.bind(0, '127.0.0.1');
      await once(attacker, 'listening');
      const port = [...hostPorts(links[0]!.server.localDescription!.sdp)][0]!;
      const serverUfrag = /a=ice-ufrag:(\S+)/.exec(links[1]!.server.localDescription!.sdp)![1]!;
      const key = new TextEncoder().encode('not-the-password-at-all!');
      for (let i = 0; i < 600; i++) {
        const kind = i % 3;
        const d =
          kind === 0
            ? randomBytes(1 + (i % 300))
            : buildCheckRequest({
                username: kind === 1 ? `${serverUfrag}:evil` : 'nobody:evil',
                priority: 1,
                role: 'controlling',
                tieBreaker: BigInt(i),
                useCandidate: true,
                transactionId: newTransactionId(),
                key,
              });
        attacker.send(d, port, '127.0.0.1');
      }
      await new Promise((r) => setTimeout(r, 100));
      await checkEchoes(links, 10);
      for (const l of links) assert.equal(l.server.connectionState, 'connected');
    } finally {
      attacker.close();
      closeAll(links);
    }
  });

  test('invalid values and combinations are a TypeError', () => {
    for (const tsrtc of [
      { sharedPort: -1 },
      { sharedPort: 65536 },
      { sharedPort: 1.5 },
      { sharedPort: 0, worker: true },
      { sharedPort: 0, portRange: { min: 40000, max: 40100 } },
    ]) {
      assert.throws(() => new RTCPeerConnection({ tsrtc }), TypeError, JSON.stringify(tsrtc));
    }
  });
});
