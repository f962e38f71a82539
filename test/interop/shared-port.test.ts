/**
 * The Node extra `tsrtc.sharedPort` on the wire against peers nobody in this project wrote:
 * several tsrtc connections of this process on one UDP port, each connected to its own
 * Chromium (one page) or node-datachannel connection, all in the private network namespace.
 *
 * Half of the tsrtc connections never hear of their peer's candidates and learn its address
 * from its first checks only, as a server does: the shared port routes those checks by the
 * ufrag in their USERNAME. The other half reach their peer's candidates (Chromium's behind mDNS
 * names) and so claim the peer's address by sending to it first. The offerer alternates, so
 * tsrtc is the controlling and the controlled agent on the same port.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import type { RTCPeerConnection } from '../../src/api/peer-connection.js';
import { chromiumForThisFile, chromiumUnavailable, namespaceUnavailable } from './chromium.js';
import { chromiumRemotes, inProcessRemote, type RemotePeer } from './remote-peer.js';
import { InteropSession } from './session.js';
import { loadNativeStack, loadTsrtc, type NodeStack, releaseNativeStacks } from './stacks.js';

const LABEL = 'echo';
/** Small messages per connection and round, sent back to back with the large ones. */
const SMALL_MESSAGES = 20;
/** Sizes sent as text and as binary by every connection in every round. */
const LARGE_SIZES = [64 * 1024, 256 * 1024];

const tsrtc = await loadTsrtc();
const chromium = chromiumForThisFile();
after(releaseNativeStacks);

interface SharedPortSuiteOptions {
  remoteName: string;
  /** Why the remote cannot run here (the suite fails with this), or false. */
  remoteUnavailable: string | false;
  connections: number;
  /** Why the remote cannot take part in an ICE restart, or false. */
  iceRestartUnsupported: string | false;
  /** A fixed port, or 0 for the one the OS picks for each address. */
  sharedPort(): Promise<number>;
  openRemotes(count: number): Promise<RemotePeer[]>;
}

/** One tsrtc connection on the shared port and how it was set up. */
interface Link {
  index: number;
  session: InteropSession;
  localOffers: boolean;
  hearsRemoteCandidates: boolean;
}

sharedPortSuite({
  remoteName: 'chromium',
  remoteUnavailable: chromiumUnavailable(),
  connections: 6,
  iceRestartUnsupported: false,
  sharedPort: freePort,
  openRemotes: async (count) => {
    return chromiumRemotes(await chromium(), count);
  },
});

const ndc = await loadNativeStack('node-datachannel');
sharedPortSuite({
  remoteName: 'node-datachannel',
  remoteUnavailable: namespaceUnavailable(),
  connections: 4,
  // libdatachannel refuses a description with new ICE credentials ("Invalid ICE settings from
  // remote SDP").
  iceRestartUnsupported: 'node-datachannel does not support ICE restarts',
  sharedPort: async () => 0,
  openRemotes: async (count) => Array.from({ length: count }, () => inProcessRemote(ndc)),
});

function sharedPortSuite(o: SharedPortSuiteOptions): void {
  describe(`${o.connections} tsrtc connections on one shared port ↔ ${o.remoteName}`, () => {
    let port: number;
    let links: Link[] = [];
    before(async () => {
      if (o.remoteUnavailable) throw new Error(`${o.remoteName}: ${o.remoteUnavailable}`);
      if (typeof tsrtc === 'string') throw new Error(tsrtc);
      port = await o.sharedPort();
      const remotes = await o.openRemotes(o.connections);
      // All at once: the shared port sees the checks and handshakes of every connection mixed.
      const settled = await Promise.allSettled(
        remotes.map((r, index) => connect(tsrtc, r, index, port, o)),
      );
      links = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      const failed = settled.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    });
    after(async () => {
      await Promise.all(links.map((l) => l.session.dispose()));
    });

    test('every connection has its host candidates and its selected pair on the shared port', async () => {
      const portsByAddress = new Map<string, Set<number>>();
      for (const l of links) {
        const hosts = hostCandidates(l.session.localCandidates);
        assert.ok(hosts.length > 0, `connection ${l.index} gathered host candidates`);
        for (const h of hosts) {
          const ports = portsByAddress.get(h.address) ?? new Set();
          ports.add(h.port);
          portsByAddress.set(h.address, ports);
        }
        const selected = await selectedLocalCandidate(l.session);
        assert.ok(
          hosts.some((h) => h.address === selected.address && h.port === selected.port),
          `connection ${l.index} sends from ${selected.address}:${selected.port}, one of its host candidates`,
        );
      }
      for (const [address, ports] of portsByAddress) {
        const list = [...ports];
        assert.equal(list.length, 1, `one port for every connection on ${address}, not ${list}`);
        if (port !== 0) assert.equal(list[0], port, `the port on ${address}`);
      }
    });

    test('concurrent tagged traffic, 64 KiB and 256 KiB included, echoes back on its own connection only', async () => {
      await exchange(links, 'concurrent');
    });

    test('one connection closing leaves the others working', async () => {
      const [closing, ...rest] = links;
      const close = async () => {
        closing!.session.pc.close();
        // Its goodbye went out through the shared socket before the connection let go of it.
        await closing!.session.remote.events.waitFor(
          (e) => e.type === 'channel-close' && e.label === LABEL,
          `${o.remoteName} to see connection ${closing!.index} close`,
        );
      };
      await Promise.all([exchange(rest, 'during-close'), close()]);
      await exchange(rest, 'after-close');
    });

    test('a connection restarting ICE gets a new ufrag and keeps working, and so do the others', {
      skip: o.iceRestartUnsupported,
    }, async () => {
      // One that learns its peer's address from the peer's checks only: after the restart
      // they carry the new ufrag.
      const restarting = links.findLast((l) => !l.hearsRemoteCandidates)!;
      // The first connection was closed by the test before.
      const others = links.slice(1).filter((l) => l !== restarting);
      const s = restarting.session;
      const oldUfrag = ufragOf(s.pc.localDescription!.sdp);
      const restart = async () => {
        (s.pc as unknown as RTCPeerConnection).restartIce();
        await s.negotiate(true);
        const newUfrag = ufragOf(s.pc.localDescription!.sdp);
        assert.notEqual(newUfrag, oldUfrag, 'the restart changed the local ufrag');
        await untilSelectedPairOfGeneration(s, newUfrag);
        // The peer gathers afresh for a restart (Chromium does): checks from its new sockets
        // come from addresses this process never sent to, which only the new ufrag routes here.
        await untilReachedFromNewCandidates(s, ufragOf(s.pc.remoteDescription!.sdp));
      };
      await Promise.all([exchange(others, 'during-restart'), restart()]);
      await exchange([restarting, ...others], 'after-restart');
      const selected = await selectedLocalCandidate(s);
      assert.ok(
        port === 0 || selected.port === port,
        `after the restart connection ${restarting.index} still sends from the shared port ${port}, not ${selected.port}`,
      );
      assert.equal(s.pc.connectionState, 'connected', s.describe());
    });
  });
}

/** A port that was free on every address a moment ago: a dual-stack socket got it. */
async function freePort(): Promise<number> {
  const s = createSocket({ type: 'udp6' });
  s.bind(0, '::');
  await once(s, 'listening');
  const port = s.address().port;
  s.close();
  return port;
}

/** A tsrtc connection on the shared port, connected to `remote` with an open channel. */
async function connect(
  stack: NodeStack,
  remote: RemotePeer,
  index: number,
  sharedPort: number,
  o: SharedPortSuiteOptions,
): Promise<Link> {
  const localOffers = index % 2 === 0;
  const hearsRemoteCandidates = index < o.connections / 2;
  const session = await InteropSession.open(stack, remote, {
    config: { tsrtc: { sharedPort } },
    signalRemoteCandidates: hearsRemoteCandidates,
  });
  try {
    if (localOffers) session.createChannel(LABEL);
    else await remote.createDataChannel(LABEL);
    await session.negotiate(localOffers);
    await session.openChannel(LABEL);
    await remote.events.waitFor(
      (e) => e.type === 'channel-open' && e.label === LABEL,
      `${remote.name}'s channel to open`,
    );
  } catch (err) {
    await session.dispose();
    const how = `${localOffers ? 'tsrtc' : remote.name} offering, remote candidates ${hearsRemoteCandidates ? 'signaled' : 'withheld'}`;
    throw new Error(`connection ${index} (${how}): ${(err as Error).message}`);
  }
  return { index, session, localOffers, hearsRemoteCandidates };
}

/**
 * Every link sends a burst of small and large messages, text and binary, each tagged with its
 * round, connection and number, and must get exactly its own back, in order, byte-exact.
 */
async function exchange(links: Link[], round: string): Promise<void> {
  await Promise.all(
    links.map(async (l) => {
      const ch = l.session.channels.get(LABEL)!;
      const first = l.session.received(LABEL).length;
      const sent = messagesFor(`${round} c${l.index}`);
      for (const m of sent) ch.send(m);
      const all = await l.session.receivedCount(LABEL, first + sent.length);
      const echoed = all.slice(first);
      for (const [i, m] of sent.entries()) {
        assert.ok(
          sameMessage(echoed[i], m),
          `connection ${l.index}, round ${round}: echo ${i} is ${describeMessage(echoed[i])}, sent ${describeMessage(m)}`,
        );
      }
    }),
  );
}

function messagesFor(tag: string): (string | Uint8Array)[] {
  const out: (string | Uint8Array)[] = [];
  for (let i = 0; i < SMALL_MESSAGES; i++) out.push(taggedText(`${tag} m${out.length}`, 64));
  for (const size of LARGE_SIZES) {
    out.push(taggedText(`${tag} m${out.length}`, size));
    out.push(taggedBytes(`${tag} m${out.length}`, size));
  }
  return out;
}

/** `size` bytes of ASCII: the tag, a '|', random letters. */
function taggedText(tag: string, size: number): string {
  const head = `${tag}|`;
  return (
    head +
    randomBytes(size)
      .toString('base64')
      .slice(0, size - head.length)
  );
}

/** `size` bytes: the tag in ASCII, a '|', random bytes. */
function taggedBytes(tag: string, size: number): Uint8Array {
  const out = new Uint8Array(randomBytes(size));
  const head = Buffer.from(`${tag}|`);
  out.set(head);
  return out;
}

function sameMessage(got: unknown, want: string | Uint8Array): boolean {
  if (typeof want === 'string') return got === want;
  return got instanceof ArrayBuffer && Buffer.from(got).equals(want);
}

/** A message by its tag and size, which tell where it came from. */
function describeMessage(m: unknown): string {
  if (typeof m === 'string') return `text "${m.slice(0, m.indexOf('|'))}" (${m.length} B)`;
  if (m instanceof ArrayBuffer || m instanceof Uint8Array) {
    const bytes = Buffer.from(m instanceof ArrayBuffer ? new Uint8Array(m) : m);
    const head = bytes.subarray(0, 40).toString('latin1');
    return `binary "${head.slice(0, head.indexOf('|'))}" (${bytes.length} B)`;
  }
  return String(m);
}

interface HostCandidate {
  address: string;
  port: number;
}

/** The UDP host candidates among candidate lines ("candidate:f 1 udp prio address port typ host"). */
function hostCandidates(lines: string[]): HostCandidate[] {
  return lines
    .map((c) => c.split(' '))
    .filter((f) => f[2]?.toLowerCase() === 'udp' && f[7] === 'host')
    .map((f) => ({ address: f[4]!, port: Number(f[5]) }));
}

interface CandidateStats {
  address: string;
  port: number;
  usernameFragment: string | null;
}

/** The local candidate of the pair the connection sends on, from its stats. */
async function selectedLocalCandidate(s: InteropSession): Promise<CandidateStats> {
  const stats = new Map(
    [...(await s.pc.getStats()).values()].map((r) => {
      const report = r as { id: string };
      return [report.id, r as Record<string, unknown>];
    }),
  );
  const transport = [...stats.values()].find((r) => r.type === 'transport');
  const pair = stats.get(transport?.selectedCandidatePairId as string);
  assert.ok(pair, `a selected candidate pair; ${s.describe()}`);
  return stats.get(pair.localCandidateId as string) as unknown as CandidateStats;
}

/** Waits until the connection sends on a pair of the ICE generation whose ufrag is `ufrag`. */
function untilSelectedPairOfGeneration(s: InteropSession, ufrag: string): Promise<void> {
  return eventually(async () => {
    const { usernameFragment } = await selectedLocalCandidate(s);
    if (usernameFragment === ufrag) return undefined;
    return `the selected pair stayed on ufrag ${usernameFragment}, not ${ufrag}; ${s.describe()}`;
  });
}

/**
 * Waits until the connection's current ICE generation knows its peer at the port of one of the
 * candidates the peer gathered with `remoteUfrag`: checks from there reached the connection,
 * though the candidates themselves were withheld from it.
 */
function untilReachedFromNewCandidates(s: InteropSession, remoteUfrag: string): Promise<void> {
  return eventually(async () => {
    const gathered = s.remoteCandidates
      .filter((c) => c.includes(` ufrag ${remoteUfrag} `))
      .map((c) => Number(c.split(' ')[5]));
    const known = [...(await s.pc.getStats()).values()]
      .map((r) => r as { type: string; port?: number })
      .filter((r) => r.type === 'remote-candidate')
      .map((r) => r.port);
    if (gathered.some((p) => known.includes(p))) return undefined;
    return `no check from the peer's new candidates (ports ${gathered}) reached the connection, which knows ports ${known}; ${s.describe()}`;
  });
}

/**
 * Calls `missing` until it returns undefined; what it last returned (what is still missing)
 * is the error once `timeoutMs` has passed.
 */
async function eventually(
  missing: () => Promise<string | undefined>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const what = await missing();
    if (what === undefined) return;
    if (Date.now() > deadline) throw new Error(what);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function ufragOf(sdp: string): string {
  return /a=ice-ufrag:(\S+)/.exec(sdp)![1]!;
}
