/**
 * The Node extra `tsrtc.pathMtuDiscovery`: on loopback every size gets through, so after the
 * probes the data goes in packets larger than the 1,200-byte default, as the transport's
 * bytes per packet show; without it they stay at the default.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import type { RTCDataChannel } from '../../src/api/data-channel.js';
import type { RTCPeerConnection } from '../../src/api/peer-connection.js';
import { connectedPair, waitFor } from './peers.js';

/** Bytes per datagram `pc` sent while `run` ran, from its transport's stats. */
async function bytesPerPacket(pc: RTCPeerConnection, run: () => Promise<void>): Promise<number> {
  const transport = async () =>
    [...(await pc.getStats()).values()].find((s) => s.type === 'transport') as Record<
      string,
      unknown
    >;
  const before = await transport();
  await run();
  const after = await transport();
  const bytes = (after.bytesSent as number) - (before.bytesSent as number);
  const packets = (after.packetsSent as number) - (before.packetsSent as number);
  return bytes / packets;
}

/** Sends `count` messages of `size` random bytes and waits until all arrived intact. */
async function transfer(from: RTCDataChannel, to: RTCDataChannel, count: number, size: number) {
  to.binaryType = 'arraybuffer';
  const sent = Array.from({ length: count }, () => randomBytes(size));
  const got: Buffer[] = [];
  const all = waitFor(to, 'message', (e) => {
    got.push(Buffer.from((e as MessageEvent).data as ArrayBuffer));
    return got.length === count;
  });
  for (const m of sent) from.send(m);
  await all;
  for (let i = 0; i < count; i++) assert.ok(got[i]!.equals(sent[i]!), `message ${i} intact`);
}

describe('path MTU discovery', () => {
  for (const on of [true, false]) {
    test(`${on ? 'with' : 'without'} it, bulk data goes in ${on ? 'larger' : '1,200-byte'} packets, intact`, async () => {
      const p = await connectedPair('bulk', {}, { tsrtc: { pathMtuDiscovery: on } });
      try {
        // The probes go out when SCTP connects, with the first data: by the end of this
        // transfer their answers are in, whatever the timing.
        await transfer(p.remote, p.local, 4, 200 * 1024);
        const perPacket = await bytesPerPacket(p.a, () =>
          transfer(p.local, p.remote, 16, 64 * 1024),
        );
        // DTLS adds 37 bytes to each SCTP packet; SACKs are few.
        if (on) assert.ok(perPacket > 1300, `${perPacket.toFixed(0)} bytes per packet`);
        else assert.ok(perPacket <= 1237, `${perPacket.toFixed(0)} bytes per packet`);
      } finally {
        p.close();
      }
    });
  }
});
