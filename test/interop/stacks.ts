import type { PeerConnectionConstructor } from '../../demo/w3c.js';

/**
 * The W3C RTCPeerConnection implementations available in this process: tsrtc (the one under
 * test) and the native stacks' Node bindings, which also serve to check the interop suite
 * itself against known-good peers. Where a binding departs from the spec in a way the suite
 * would notice, the flags below say so, and the suite checks that point only where the spec is
 * followed.
 */
export interface NodeStack {
  readonly name: string;
  readonly RTCPeerConnection: PeerConnectionConstructor;
  /** Whether the stack reports ordered/maxRetransmits of channels the other side opened. */
  readonly reportsRemoteChannelParameters: boolean;
  /** Whether a reliable channel's maxRetransmits reads null, as the spec says. */
  readonly reliableMaxRetransmitsIsNull: boolean;
  /** Whether setLocalDescription() without a description creates one, as the spec says. */
  readonly implicitSetLocalDescription: boolean;
  /**
   * Whether messages that arrive on a channel the peer opened, before the binding has handed
   * that channel to JavaScript, still come out in order.
   */
  readonly ordersEarlyMessages: boolean;
  /** Whether addIceCandidate takes null sdpMid/sdpMLineIndex, as RTCIceCandidateInit allows. */
  readonly acceptsNullCandidateFields: boolean;
}

export type NativeStackName = 'node-datachannel' | 'wrtc';

/**
 * tsrtc's W3C API, or the reason to skip while it does not export RTCPeerConnection yet. A
 * tsrtc that fails to load is a failure, not a reason to skip.
 */
export async function loadTsrtc(
  mode: { worker?: boolean; pathMtuDiscovery?: boolean } = {},
): Promise<NodeStack | string> {
  const mod = (await import('../../src/index.js')) as Record<string, unknown>;
  if (typeof mod.RTCPeerConnection !== 'function') {
    return 'tsrtc does not export RTCPeerConnection yet';
  }
  const Base = mod.RTCPeerConnection as new (config?: { tsrtc?: object }) => object;
  // Node extras (worker threads, path MTU discovery) set in every connection's configuration.
  const extras = Object.keys(mode).filter((k) => mode[k as keyof typeof mode]);
  const Ctor =
    extras.length > 0
      ? class extends Base {
          constructor(config: { tsrtc?: object } = {}) {
            super({ ...config, tsrtc: { ...config.tsrtc, ...mode } });
          }
        }
      : Base;
  return {
    name: extras.length > 0 ? `tsrtc (${extras.join(', ')})` : 'tsrtc',
    RTCPeerConnection: Ctor as unknown as PeerConnectionConstructor,
    reportsRemoteChannelParameters: true,
    reliableMaxRetransmitsIsNull: true,
    implicitSetLocalDescription: true,
    ordersEarlyMessages: true,
    acceptsNullCandidateFields: true,
  };
}

/**
 * A native stack's W3C binding. Both are devDependencies, so failing to load one throws.
 * node-datachannel's polyfill serves as a remote peer only: as the local stack it departs from
 * the W3C API further than the suite allows for (ids and readyState read at creation, DataView
 * payloads sent empty).
 */
export async function loadNativeStack(name: NativeStackName): Promise<NodeStack> {
  if (name === 'node-datachannel') {
    const mod = await import('node-datachannel/polyfill');
    return {
      name,
      RTCPeerConnection: mod.RTCPeerConnection as unknown as PeerConnectionConstructor,
      // Its polyfill builds channels opened by the peer without their parameters.
      reportsRemoteChannelParameters: false,
      reliableMaxRetransmitsIsNull: true,
      implicitSetLocalDescription: true,
      ordersEarlyMessages: true,
      acceptsNullCandidateFields: true,
    };
  }
  const mod = (await import('@roamhq/wrtc')) as unknown as {
    default: { RTCPeerConnection: PeerConnectionConstructor };
  };
  return {
    name,
    RTCPeerConnection: mod.default.RTCPeerConnection,
    reportsRemoteChannelParameters: true,
    // It reports libwebrtc's internal 65535 for "unset" and requires an explicit description.
    reliableMaxRetransmitsIsNull: false,
    implicitSetLocalDescription: false,
    // Its binding hands over the messages libwebrtc queued before the 'datachannel' event
    // racing with the next ones: a later message sometimes comes out first. Seen between two
    // @roamhq/wrtc peers too (about 1 run in 30 with sends right after open), so not the
    // sender's doing.
    ordersEarlyMessages: false,
    // Its binding throws "Expected a 32-bit integer" for sdpMLineIndex: null.
    acceptsNullCandidateFields: false,
  };
}

/** Lets the process exit once tests are done: node-datachannel keeps native threads alive. */
export async function releaseNativeStacks(): Promise<void> {
  const mod = await import('node-datachannel');
  mod.default.cleanup();
}
