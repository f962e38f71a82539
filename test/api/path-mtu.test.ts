/**
 * Packet sizes on the wire. Without path MTU discovery every datagram fits IPv6's minimum MTU
 * of 1,280 bytes, as the datagrams handed to the kernel show. The Node extra
 * `tsrtc.pathMtuDiscovery`: on loopback every size gets through, so after the probes the data
 * goes in larger packets, as the transport's bytes per packet show; without it they stay at
 * the default.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Socket } from 'node:dgram';
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

/** The largest UDP payload a 1,280-byte IPv6 path carries: 1,280 - 40 (IPv6) - 8 (UDP). */
const IPV6_MINIMUM_PAYLOAD = 1280 - 40 - 8;

/** Byte length of what node:dgram's send() was given: one buffer or a list of them. */
function datagramLength(msg: unknown): number {
  if (Array.isArray(msg)) return msg.reduce((n: number, part) => n + datagramLength(part), 0);
  if (typeof msg === 'string') return Buffer.byteLength(msg);
  return (msg as ArrayBufferView).byteLength;
}

describe('packet size without path MTU discovery', () => {
  test('over IPv6, every datagram of a connection fits a 1,280-byte path', async () => {
    const original = Socket.prototype.send;
    const sizes: number[] = [];
    Socket.prototype.send = function (this: Socket, msg: unknown, ...rest: unknown[]) {
      sizes.push(datagramLength(msg));
      return (original as (...args: unknown[]) => void).call(this, msg, ...rest);
    } as typeof original;
    try {
      const p = await connectedPair('bulk', {}, { tsrtc: { addresses: { addresses: ['::1'] } } });
      try {
        await transfer(p.local, p.remote, 8, 100 * 1024);
        await transfer(p.remote, p.local, 8, 100 * 1024);
      } finally {
        p.close();
      }
    } finally {
      Socket.prototype.send = original;
    }
    // The handshakes, the data both ways and the acknowledgements all went through send().
    assert.ok(sizes.length > 1400, `${sizes.length} datagrams`);
    const largest = Math.max(...sizes);
    assert.ok(largest <= IPV6_MINIMUM_PAYLOAD, `largest datagram ${largest} bytes`);
    // Full-sized data packets, not a smaller size than the path needs.
    assert.ok(largest > IPV6_MINIMUM_PAYLOAD - 16, `largest datagram ${largest} bytes`);
  });
});

describe('path MTU discovery', () => {
  for (const on of [true, false]) {
    test(`${on ? 'with' : 'without'} it, bulk data goes in ${on ? 'larger' : 'the default'} packets, intact`, async () => {
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
        else
          assert.ok(perPacket <= IPV6_MINIMUM_PAYLOAD, `${perPacket.toFixed(0)} bytes per packet`);
      } finally {
        p.close();
      }
    });
  }
});
