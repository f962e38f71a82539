import { after } from 'node:test';
import {
  type ChromiumSession,
  chromiumUnavailable,
  launchChromium,
  namespaceUnavailable,
} from './chromium.js';
import { chromiumRemote, inProcessRemote } from './remote-peer.js';
import { interopSuite } from './scenarios.js';
import { loadNativeStack, loadTsrtc, releaseNativeStacks } from './stacks.js';

// The interop suite with tsrtc's transports on worker threads (the Node extra `tsrtc.worker`),
// against Chromium and node-datachannel: what crosses between the threads must not change what
// reaches the wire or what the W3C objects report.
const local = await loadTsrtc({ worker: true });
let chromium: Promise<ChromiumSession> | undefined;

after(async () => {
  await releaseNativeStacks();
  await chromium?.then(
    (c) => c.close(),
    () => {},
  );
});

interopSuite({
  local,
  remoteName: 'chromium',
  remoteUnavailable: chromiumUnavailable(),
  openRemote: async () => {
    chromium ??= launchChromium();
    return chromiumRemote(await chromium);
  },
});

const ndc = await loadNativeStack('node-datachannel');
interopSuite({
  local,
  remoteName: 'node-datachannel',
  remoteUnavailable: namespaceUnavailable(),
  openRemote: async () => inProcessRemote(ndc),
});
