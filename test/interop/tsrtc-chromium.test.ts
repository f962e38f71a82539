import { chromiumForThisFile, chromiumUnavailable } from './chromium.js';
import { chromiumRemote } from './remote-peer.js';
import { interopSuite, mdnsSuite } from './scenarios.js';
import { loadTsrtc } from './stacks.js';

// tsrtc against Chromium, one browser for the whole file. Chromium hides its host addresses
// behind mDNS names, as it does by default; tsrtc has to resolve them (mdnsSuite makes that the
// only way to connect). chromium-harness.test.ts runs the same suite with @roamhq/wrtc in
// tsrtc's place, to check the suite itself.
const chromium = chromiumForThisFile();

const options = {
  local: await loadTsrtc(),
  remoteName: 'chromium',
  remoteUnavailable: chromiumUnavailable(),
  openRemote: async () => {
    return chromiumRemote(await chromium());
  },
};

// First, while the browser is fresh: Chromium's mDNS responder sends at most one packet a
// second, and every connection adds announcements and goodbyes to its queue.
mdnsSuite(options);
interopSuite(options);
