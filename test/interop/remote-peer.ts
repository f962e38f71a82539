import type { Page } from 'playwright-core';
import type { DataChannelInit, IceCandidateInit, SessionDescriptionInit } from '../../demo/w3c.js';
import type { ChromiumSession } from './chromium.js';
import { EventLog } from './event-log.js';
import { InteropAgent } from './remote-agent.js';
import type { NodeStack } from './stacks.js';

/** What a remote agent reports (see remote-agent.js). */
export interface AgentEvent {
  type:
    | 'candidate'
    | 'connection-state'
    | 'ice-state'
    | 'channel'
    | 'channel-open'
    | 'channel-close'
    | 'channel-error'
    | 'echo-error'
    | 'agent-error';
  label?: string;
  state?: string;
  candidate?: IceCandidateInit | null;
  info?: RemoteChannelInfo | null;
  error?: string;
  size?: number;
  where?: string;
}

export interface RemoteChannelInfo {
  label: string;
  id: number | null;
  readyState: string;
  ordered: boolean;
  maxRetransmits: number | null;
  maxPacketLifeTime: number | null;
  negotiated: boolean;
  protocol: string;
}

export interface RemoteConnectionInfo {
  connectionState: string;
  iceConnectionState: string;
  signalingState: string;
  maxMessageSize: number | null;
  remoteSdp: string | null;
  localSdp: string | null;
}

/** Carries agent method calls to wherever the agent lives, as JSON. */
interface AgentTransport {
  invoke(method: string, args: unknown[]): Promise<unknown>;
  dispose(): Promise<void>;
}

/**
 * A peer that nobody in this project wrote (Chromium, libdatachannel, libwebrtc), running the
 * echo agent: every channel it has echoes every message back. Tests drive it through these
 * methods and watch `events`.
 */
export class RemotePeer {
  readonly events = new EventLog<AgentEvent>();

  constructor(
    readonly name: string,
    /** Whether the stack reports ordered/maxRetransmits of channels the other side opened. */
    readonly reportsRemoteChannelParameters: boolean,
    /** Whether messages that arrive before its 'datachannel' event keep their order. */
    readonly ordersEarlyMessages: boolean,
    private transport: AgentTransport | undefined = undefined,
  ) {}

  attach(transport: AgentTransport): void {
    this.transport = transport;
  }

  createPeer(config: Record<string, unknown> = {}): Promise<void> {
    return this.call('createPeer', config) as Promise<void>;
  }
  createDataChannel(label: string, init: DataChannelInit = {}): Promise<void> {
    return this.call('createDataChannel', label, init) as Promise<void>;
  }
  createOffer(): Promise<SessionDescriptionInit> {
    return this.call('createOffer') as Promise<SessionDescriptionInit>;
  }
  acceptOffer(offer: SessionDescriptionInit): Promise<SessionDescriptionInit> {
    return this.call('acceptOffer', offer) as Promise<SessionDescriptionInit>;
  }
  acceptAnswer(answer: SessionDescriptionInit): Promise<void> {
    return this.call('acceptAnswer', answer) as Promise<void>;
  }
  addIceCandidate(c: IceCandidateInit | null): Promise<void> {
    return this.call('addIceCandidate', c) as Promise<void>;
  }
  closeChannel(label: string): Promise<void> {
    return this.call('closeChannel', label) as Promise<void>;
  }
  channelInfo(label: string): Promise<RemoteChannelInfo | null> {
    return this.call('channelInfo', label) as Promise<RemoteChannelInfo | null>;
  }
  connectionInfo(): Promise<RemoteConnectionInfo> {
    return this.call('connectionInfo') as Promise<RemoteConnectionInfo>;
  }
  closePeer(): Promise<void> {
    return this.call('closePeer') as Promise<void>;
  }
  async dispose(): Promise<void> {
    await this.transport?.dispose();
    this.transport = undefined;
  }

  private call(method: string, ...args: unknown[]): Promise<unknown> {
    if (!this.transport) return Promise.reject(new Error(`${this.name}: agent disposed`));
    return this.transport.invoke(method, args);
  }
}

/**
 * A remote peer in this process, over a native stack's W3C binding. Arguments and results go
 * through JSON, as they do to a page, so an in-process peer cannot see more than Chromium can.
 */
export function inProcessRemote(stack: NodeStack): RemotePeer {
  const remote = new RemotePeer(
    stack.name,
    stack.reportsRemoteChannelParameters,
    stack.ordersEarlyMessages,
  );
  const agent = new InteropAgent({ RTCPeerConnection: stack.RTCPeerConnection }, (e) =>
    remote.events.push(JSON.parse(JSON.stringify(e)) as AgentEvent),
  );
  const methods = agent as unknown as Record<string, (...a: unknown[]) => unknown>;
  remote.attach({
    async invoke(method, args) {
      const result = await methods[method]!.apply(agent, JSON.parse(JSON.stringify(args)));
      return result === undefined ? undefined : JSON.parse(JSON.stringify(result));
    },
    async dispose() {
      agent.closePeer();
    },
  });
  return remote;
}

/** A remote peer in a fresh Chromium page; events come back through an exposed function. */
export async function chromiumRemote(session: ChromiumSession): Promise<RemotePeer> {
  const [remote] = await chromiumRemotes(session, 1);
  return remote!;
}

/**
 * `count` remote peers in one fresh Chromium page, each an agent with a connection of its own,
 * as a page that holds several connections to one server. The page closes with the last of
 * them; until then disposing of one closes its connection only.
 */
export async function chromiumRemotes(
  session: ChromiumSession,
  count: number,
): Promise<RemotePeer[]> {
  const remotes = Array.from({ length: count }, () => new RemotePeer('chromium', true, true));
  const page: Page = await session.newAgentPage();
  await page.exposeFunction('__interopEmit', (index: number, e: AgentEvent) =>
    remotes[index]!.events.push(e),
  );
  await page.evaluate((n) => {
    const w = globalThis as unknown as {
      InteropAgent: new (w3c: unknown, emit: (e: unknown) => void) => unknown;
      RTCPeerConnection: unknown;
      __interopEmit: (index: number, e: unknown) => void;
      __agents: unknown[];
    };
    w.__agents = Array.from(
      { length: n },
      (_, index) =>
        new w.InteropAgent({ RTCPeerConnection: w.RTCPeerConnection }, (e) =>
          w.__interopEmit(index, e),
        ),
    );
  }, count);
  let open = count;
  remotes.forEach((remote, index) => {
    const invoke = (method: string, args: unknown[]) =>
      page.evaluate(
        ([i, m, a]) => {
          const agent = (
            globalThis as unknown as {
              __agents: Record<string, (...args: unknown[]) => unknown>[];
            }
          ).__agents[i as number]!;
          return agent[m as string]!.apply(agent, a as unknown[]);
        },
        [index, method, args] as const,
      );
    remote.attach({
      invoke,
      async dispose() {
        open--;
        if (open > 0) await invoke('closePeer', []).catch(() => {});
        else await page.close().catch(() => {});
      },
    });
  });
  return remotes;
}
