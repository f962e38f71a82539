import { after } from 'node:test';
import { namespaceUnavailable } from './chromium.js';
import { inProcessRemote } from './remote-peer.js';
import { interopSuite } from './scenarios.js';
import { loadNativeStack, releaseNativeStacks } from './stacks.js';

// The interop suite itself, checked with peers nobody here wrote on both sides: @roamhq/wrtc
// (libwebrtc) in tsrtc's place against node-datachannel (libdatachannel, usrsctp). If this
// fails, tsrtc's results against node-datachannel mean nothing.
after(releaseNativeStacks);

interopSuite({
  local: await loadNativeStack('wrtc'),
  remoteName: 'node-datachannel',
  remoteUnavailable: namespaceUnavailable(),
  openRemote: async () => inProcessRemote(await loadNativeStack('node-datachannel')),
});
