import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DataChannelLike } from '../../demo/w3c.js';
import { Prng } from '../sim/prng.js';
import type { RemotePeer } from './remote-peer.js';
import { InteropSession } from './session.js';
import type { NodeStack } from './stacks.js';

/**
 * The interop scenarios, one suite for every remote peer: the local stack (tsrtc) against a
 * remote echo agent, once with each side making the offer. The offerer opens the channels
 * before the offer; the answerer opens one more once connected.
 */
export interface InteropSuiteOptions {
  /** The local stack, or why it is unavailable. */
  local: NodeStack | string;
  remoteName: string;
  /** Why the remote cannot run here (the suite fails with this), or false. */
  remoteUnavailable: string | false;
  openRemote(): Promise<RemotePeer>;
}

/** Message sizes every reliable channel must echo byte-exact, as text and as binary. */
export const ECHO_SIZES = [1, 1024, 16 * 1024, 64 * 1024, 256 * 1024];
const NEGOTIATED_ID = 100;
const UNORDERED_COUNT = 32;
/** Closing a connection: generous, because some stacks notice only through consent checks. */
const CLOSE_SEEN_TIMEOUT_MS = 40_000;

export function interopSuite(o: InteropSuiteOptions): void {
  // A tsrtc without RTCPeerConnection is the one reason to skip; anything else fails.
  const skip = typeof o.local === 'string' ? o.local : false;
  const localName = typeof o.local === 'string' ? 'tsrtc' : o.local.name;
  for (const localOffers of [true, false]) {
    const offerer = localOffers ? `${localName} (local)` : `${o.remoteName} (remote)`;
    describe(`${localName} ↔ ${o.remoteName}, ${offerer} offers`, { skip }, () => {
      defineScenarios(o, localOffers);
    });
  }
}

function defineScenarios(o: InteropSuiteOptions, localOffers: boolean): void {
  let s: InteropSession;
  before(async () => {
    if (o.remoteUnavailable) throw new Error(`${o.remoteName}: ${o.remoteUnavailable}`);
    const local = o.local as NodeStack;
    s = await InteropSession.open(local, await o.openRemote());
    const channels: [string, Record<string, unknown>][] = [
      ['reliable', {}],
      ['unordered', { ordered: false, maxRetransmits: 0 }],
      ['close-by-local', {}],
      ['close-by-remote', {}],
    ];
    for (const [label, init] of channels) {
      if (localOffers) s.createChannel(label, init);
      else await s.remote.createDataChannel(label, init);
    }
    const negotiated = { negotiated: true, id: NEGOTIATED_ID };
    s.createChannel('negotiated', negotiated);
    await s.remote.createDataChannel('negotiated', negotiated);
    await s.negotiate(localOffers);
  });
  after(async () => {
    await s?.dispose();
  });

  test('each side accepts every candidate the other signaled', async () => {
    await s.openChannel('reliable');
    const refusedByRemote = s.remote.events
      .all()
      .filter((e) => e.type === 'agent-error' && e.where === 'addIceCandidate')
      .map((e) => e.error);
    assert.deepEqual(s.signalingErrors, [], 'refused here');
    assert.deepEqual(refusedByRemote, [], `refused by ${o.remoteName}`);
    assert.ok(s.remoteCandidates.length > 0, `${o.remoteName} trickled candidates`);
  });

  test('the reliable ordered channel echoes text and binary byte-exact', async (t) => {
    const ch = await s.openChannel('reliable');
    assert.equal(ch.ordered, true);
    if (s.stack.reliableMaxRetransmitsIsNull) assert.equal(ch.maxRetransmits, null);
    const remoteInfo = await s.remote.connectionInfo();
    t.diagnostic(
      `max-message-size: ${o.remoteName} advertises ${advertisedMaxMessageSize(remoteInfo.localSdp)}` +
        `, local sctp.maxMessageSize ${s.pc.sctp?.maxMessageSize}` +
        `, ${o.remoteName} sctp.maxMessageSize ${remoteInfo.maxMessageSize}`,
    );
    await untilRemoteCanReceive(s, 'reliable');
    const prng = new Prng(0x5eed);
    const sent: (string | Uint8Array)[] = [];
    for (const size of ECHO_SIZES) {
      sent.push(asciiText(size, prng));
      sent.push(prng.bytes(size));
    }
    sent.push('UTF-8 text: héllo wörld, ✓, 🚀, 日本語');
    for (const [i, m] of sent.entries()) sendAs(ch, m, i);
    const echoed = await s.receivedCount('reliable', sent.length);
    const listed = (l: unknown[]) => l.map(describeData).join(', ');
    const order = `sent ${listed(sent)}; echoed ${listed(echoed)}`;
    for (const [i, m] of sent.entries()) assertSameMessage(echoed[i], m, `message ${i} (${order})`);
  });

  test('the unordered maxRetransmits:0 channel delivers and echoes', async () => {
    const ch = await s.openChannel('unordered');
    if (localOffers || (o.local as NodeStack).reportsRemoteChannelParameters) {
      assert.equal(ch.ordered, false);
      assert.equal(ch.maxRetransmits, 0);
    }
    await s.remote.events.waitFor(
      (e) => e.type === 'channel-open' && e.label === 'unordered',
      `${o.remoteName}'s unordered channel to open`,
    );
    const info = await s.remote.channelInfo('unordered');
    assert.ok(info, 'the remote has the channel');
    if (!localOffers || s.remote.reportsRemoteChannelParameters) {
      assert.equal(info.ordered, false);
      assert.equal(info.maxRetransmits, 0);
    }
    // On the veth pair nothing is lost, so every message comes back, in some order.
    const sent: string[] = [];
    for (let i = 0; i < UNORDERED_COUNT; i++) sent.push(`unordered ${i} ${'.'.repeat(500)}`);
    for (const m of sent) ch.send(m);
    const echoed = await s.receivedCount('unordered', sent.length);
    assert.deepEqual([...(echoed as string[])].sort(), [...sent].sort());
  });

  test('the negotiated channel opens on both sides with the agreed id and echoes', async () => {
    const ch = await s.openChannel('negotiated');
    assert.equal(ch.negotiated, true);
    assert.equal(ch.id, NEGOTIATED_ID);
    await s.remote.events.waitFor(
      (e) => e.type === 'channel-open' && e.label === 'negotiated',
      `${o.remoteName}'s negotiated channel to open`,
    );
    const info = await s.remote.channelInfo('negotiated');
    assert.equal(info?.negotiated, true);
    assert.equal(info?.id, NEGOTIATED_ID);
    const binary = new Prng(7).bytes(1024);
    ch.send('negotiated hello');
    ch.send(binary);
    const echoed = await s.receivedCount('negotiated', 2);
    assertSameMessage(echoed[0], 'negotiated hello', 'text');
    assertSameMessage(echoed[1], binary, 'binary');
  });

  test('a channel the answerer opens once connected works too', async () => {
    if (localOffers) await s.remote.createDataChannel('late', {});
    else s.createChannel('late', {});
    const ch = await s.openChannel('late');
    const ids = [...s.channels.values()].filter((c) => !c.negotiated).map((c) => c.id);
    assert.equal(new Set(ids).size, ids.length, `channel ids are distinct: ${ids.join(',')}`);
    await untilRemoteCanReceive(s, 'late');
    const binary = new Prng(9).bytes(16 * 1024);
    ch.send('late hello');
    ch.send(binary);
    const echoed = await s.receivedCount('late', 2);
    assertSameMessage(echoed[0], 'late hello', 'text');
    assertSameMessage(echoed[1], binary, 'binary');
  });

  test('closing a channel here closes it on the remote', async () => {
    const ch = await s.openChannel('close-by-local');
    ch.close();
    assert.ok(ch.readyState === 'closing' || ch.readyState === 'closed', ch.readyState);
    await s.events.waitFor(
      (e) => e.type === 'close' && e.label === 'close-by-local',
      'the local close event',
    );
    assert.equal(ch.readyState, 'closed');
    await s.remote.events.waitFor(
      (e) => e.type === 'channel-close' && e.label === 'close-by-local',
      `${o.remoteName} to see the channel close`,
    );
    await assertStillEchoes(s, 'after closing a channel here');
  });

  test('closing a channel on the remote closes it here', async () => {
    const ch = await s.openChannel('close-by-remote');
    await s.remote.closeChannel('close-by-remote');
    await s.events.waitFor(
      (e) => e.type === 'close' && e.label === 'close-by-remote',
      'the local close event for a channel the remote closed',
    );
    assert.equal(ch.readyState, 'closed');
    assert.throws(() => ch.send('too late'), { name: 'InvalidStateError' });
    await assertStillEchoes(s, 'after the remote closed a channel');
  });

  if (localOffers) {
    test('closing this connection is seen by the remote', async (t) => {
      s.pc.close();
      assert.equal(s.pc.connectionState, 'closed');
      assert.equal(s.channels.get('reliable')!.readyState, 'closed');
      await s.remote.events.waitFor(
        (e) => e.type === 'channel-close' && e.label === 'reliable',
        `${o.remoteName} to see its channels close`,
        CLOSE_SEEN_TIMEOUT_MS,
      );
      const states = s.remote.events
        .all()
        .filter((e) => e.type === 'connection-state')
        .map((e) => e.state);
      t.diagnostic(`${o.remoteName} connection states: ${states.join(' → ')}`);
    });
  } else {
    test('closing the remote connection is seen here', async (t) => {
      const ch = await s.openChannel('reliable');
      await s.remote.closePeer();
      await s.events.waitFor(
        (e) => e.type === 'close' && e.label === 'reliable',
        'the local channels to close',
        CLOSE_SEEN_TIMEOUT_MS,
      );
      assert.equal(ch.readyState, 'closed');
      t.diagnostic(`local connection states: ${s.connectionStates.join(' → ')}`);
    });
  }
}

/** Text of exactly `size` UTF-8 bytes (printable ASCII). */
function asciiText(size: number, prng: Prng): string {
  const codes = new Uint8Array(size);
  for (let i = 0; i < size; i++) codes[i] = 0x20 + prng.int(0, 94);
  return Buffer.from(codes).toString('latin1');
}

/** Binary goes out in each of the forms send() accepts, views with an offset included. */
function sendAs(ch: DataChannelLike, m: string | Uint8Array, i: number): void {
  if (typeof m === 'string') {
    ch.send(m);
    return;
  }
  switch (i % 3) {
    case 0: {
      ch.send(m.buffer.slice(m.byteOffset, m.byteOffset + m.byteLength) as ArrayBuffer);
      return;
    }
    case 1: {
      const padded = new Uint8Array(m.byteLength + 16);
      padded.set(m, 8);
      ch.send(padded.subarray(8, 8 + m.byteLength));
      return;
    }
    default:
      ch.send(new DataView(m.buffer, m.byteOffset, m.byteLength));
  }
}

function assertSameMessage(got: unknown, want: string | Uint8Array, what: string): void {
  if (typeof want === 'string') {
    assert.equal(typeof got, 'string', `${what}: text came back as ${describeData(got)}`);
    if (got !== want) {
      assert.fail(`${what}: text of ${want.length} chars came back as ${describeData(got)}`);
    }
    return;
  }
  assert.ok(got instanceof ArrayBuffer, `${what}: binary came back as ${describeData(got)}`);
  const bytes = new Uint8Array(got);
  if (Buffer.compare(bytes, want) !== 0) {
    assert.fail(`${what}: ${want.byteLength} bytes came back as ${describeData(got)}, not equal`);
  }
}

function describeData(d: unknown): string {
  if (typeof d === 'string') return `text of ${d.length} chars`;
  if (d instanceof ArrayBuffer) return `ArrayBuffer of ${d.byteLength} bytes`;
  if (d instanceof Uint8Array) return `${d.byteLength} bytes`;
  return Object.prototype.toString.call(d);
}

/**
 * Returns at once, as messages may be sent as soon as the local channel opens (RFC 8832 6);
 * for a remote whose binding can reorder messages that arrive before it announces the channel,
 * waits until it has.
 */
async function untilRemoteCanReceive(s: InteropSession, label: string): Promise<void> {
  if (s.remote.ordersEarlyMessages) return;
  await s.remote.events.waitFor(
    (e) => e.type === 'channel-open' && e.label === label,
    `${s.remote.name}'s "${label}" channel to open`,
  );
}

async function assertStillEchoes(s: InteropSession, what: string): Promise<void> {
  const ch = await s.openChannel('reliable');
  const before = s.received('reliable').length;
  ch.send(what);
  const echoed = await s.receivedCount('reliable', before + 1);
  assert.equal(echoed[before], what);
}

function advertisedMaxMessageSize(sdp: string | null): string {
  const m = sdp?.match(/a=max-message-size:(\d+)/);
  return m ? m[1]! : 'none (65536 by RFC 8841)';
}

/**
 * The remote hides its host addresses behind mDNS names, as Chromium does by default, and never
 * learns the local peer's candidates: the only way to connect is for the local stack to resolve
 * those names and reach them.
 */
export function mdnsSuite(o: InteropSuiteOptions): void {
  const skip = typeof o.local === 'string' ? o.local : false;
  const localName = typeof o.local === 'string' ? 'tsrtc' : o.local.name;
  describe(`${localName} reaches ${o.remoteName}'s mDNS host candidates`, { skip }, () => {
    for (const localOffers of [true, false]) {
      const offerer = localOffers ? localName : o.remoteName;
      test(`with ${offerer} offering and no local candidate signaled`, async () => {
        if (o.remoteUnavailable) throw new Error(`${o.remoteName}: ${o.remoteUnavailable}`);
        const s = await InteropSession.open(o.local as NodeStack, await o.openRemote(), {
          signalLocalCandidates: false,
        });
        try {
          if (localOffers) s.createChannel('mdns');
          else await s.remote.createDataChannel('mdns');
          await s.negotiate(localOffers);
          const ch = await s.openChannel('mdns');
          ch.send('reached through mDNS');
          const [echo] = await s.receivedCount('mdns', 1);
          assert.equal(echo, 'reached through mDNS');
          const { localSdp } = await s.remote.connectionInfo();
          const inSdp = (localSdp ?? '').split('\r\n').filter((l) => l.startsWith('a=candidate:'));
          const hosts = [...s.remoteCandidates, ...inSdp].map((c) => c.split(' ')[4]!);
          assert.ok(hosts.length > 0, `${o.remoteName} signaled candidates`);
          for (const h of hosts) assert.match(h, /\.local$/, `${o.remoteName} hid ${h}`);
        } finally {
          await s.dispose();
        }
      });
    }
  });
}
