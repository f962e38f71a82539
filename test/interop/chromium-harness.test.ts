import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { before, describe, test } from 'node:test';
import { MdnsService } from '../../src/net/index.js';
import { type ChromiumSession, chromiumForThisFile, chromiumUnavailable } from './chromium.js';
import { chromiumRemote } from './remote-peer.js';
import { interopSuite } from './scenarios.js';
import { loadNativeStack } from './stacks.js';

// Checks of the Chromium harness itself, with peers nobody here wrote: its mDNS host names
// resolving from Node inside the namespace, Chromium talking to itself, and the whole interop
// suite with @roamhq/wrtc in tsrtc's place. If these fail, tsrtc's Chromium interop results
// mean nothing.
const unavailable = chromiumUnavailable();

/**
 * The checks the agent page exposes (see remote-agent.js). page.evaluate runs its function in
 * the page, so each call spells out the lookup there.
 */
interface PageChecks {
  loopbackEcho(): Promise<{ echo: string; candidates: string[] }>;
  gatherCandidates(): Promise<string[]>;
}

const launched = chromiumForThisFile();
function browser(): Promise<ChromiumSession> {
  if (unavailable) return Promise.reject(new Error(unavailable));
  return launched();
}

describe('the Chromium harness', () => {
  let chromium: ChromiumSession;
  before(async () => {
    chromium = await browser();
  });

  test('Chromium hides its host addresses behind mDNS names that resolve from Node', async () => {
    const page = await chromium.newAgentPage();
    const mdns = MdnsService.acquire();
    try {
      // First in the file: Chromium's mDNS responder sends at most one packet a second, and
      // every connection queues announcements and goodbyes. The page keeps its peer connection
      // open: Chromium answers for a name only while the connection that registered it lives.
      const candidates = await page.evaluate(() =>
        (globalThis as unknown as { interopChecks: PageChecks }).interopChecks.gatherCandidates(),
      );
      const hosts = candidates.map((c) => c.split(' ')[4]!);
      assert.ok(hosts.length > 0, 'Chromium gathered candidates');
      for (const h of hosts) assert.match(h, /^[0-9a-f-]{36}\.local$/, `${h} is an mDNS name`);
      const addresses = await Promise.all(
        hosts.map((h) => mdns.resolve(h, { timeoutMs: 15_000, retransmitMs: 250 })),
      );
      for (const [i, a] of addresses.entries()) {
        assert.ok(a !== undefined && isIP(a) !== 0, `${hosts[i]} resolved (got ${a})`);
        assert.match(a, /^(10\.77\.0\.[12]|fd77::[12])$/, 'a namespace address');
      }
    } finally {
      mdns.release();
      await page.close();
    }
  });

  test('two peer connections inside Chromium connect and echo over a data channel', async () => {
    const page = await chromium.newAgentPage();
    try {
      const result = await page.evaluate(() =>
        (globalThis as unknown as { interopChecks: PageChecks }).interopChecks.loopbackEcho(),
      );
      assert.equal(result.echo, 'echo: ping');
      assert.ok(result.candidates.length > 0, 'Chromium gathered host candidates');
    } finally {
      await page.close();
    }
  });
});

interopSuite({
  local: await loadNativeStack('wrtc'),
  remoteName: 'chromium',
  remoteUnavailable: unavailable,
  openRemote: async () => chromiumRemote(await browser()),
});
