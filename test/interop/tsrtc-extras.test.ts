import { after } from 'node:test';
import { chromiumForThisFile, chromiumUnavailable, namespaceUnavailable } from './chromium.js';
import { chromiumRemote, inProcessRemote } from './remote-peer.js';
import { interopSuite } from './scenarios.js';
import { loadNativeStack, loadTsrtc, releaseNativeStacks } from './stacks.js';

// The interop suite with tsrtc's Node extras on, against Chromium and node-datachannel:
// transports on worker threads (`tsrtc.worker`: what crosses between the threads must not change
// what reaches the wire or what the W3C objects report) and path MTU discovery
// (`tsrtc.pathMtuDiscovery`: probes of up to 1,412-byte SCTP packets must not disturb a peer,
// whether it answers them or not).
const local = await loadTsrtc({ worker: true, pathMtuDiscovery: true });
const chromium = chromiumForThisFile();
after(releaseNativeStacks);

interopSuite({
  local,
  remoteName: 'chromium',
  remoteUnavailable: chromiumUnavailable(),
  openRemote: async () => {
    return chromiumRemote(await chromium());
  },
});

const ndc = await loadNativeStack('node-datachannel');
interopSuite({
  local,
  remoteName: 'node-datachannel',
  remoteUnavailable: namespaceUnavailable(),
  openRemote: async () => inProcessRemote(ndc),
});
