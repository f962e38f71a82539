import { after } from 'node:test';
import { namespaceUnavailable } from './chromium.js';
import { inProcessRemote } from './remote-peer.js';
import { interopSuite } from './scenarios.js';
import { loadNativeStack, loadTsrtc, releaseNativeStacks } from './stacks.js';

// tsrtc against the native stacks' Node bindings, in this process: node-datachannel
// (libdatachannel, usrsctp) and @roamhq/wrtc (libwebrtc). native-harness.test.ts runs the same
// suite with @roamhq/wrtc in tsrtc's place, to check the suite itself.
const local = await loadTsrtc();

after(releaseNativeStacks);

for (const name of ['node-datachannel', 'wrtc'] as const) {
  const remote = await loadNativeStack(name);
  interopSuite({
    local,
    remoteName: name,
    remoteUnavailable: namespaceUnavailable(),
    openRemote: async () => inProcessRemote(remote),
  });
}
