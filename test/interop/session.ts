import type {
  DataChannelInit,
  DataChannelLike,
  IceCandidateInit,
  IceCandidateLike,
  PeerConnectionLike,
  SessionDescriptionInit,
} from '../../demo/w3c.js';
import { EventLog } from './event-log.js';
import type { RemotePeer } from './remote-peer.js';
import type { NodeStack } from './stacks.js';

/** What happens on the local side's channels, in order. */
export interface LocalChannelEvent {
  type: 'open' | 'closing' | 'close' | 'error' | 'message';
  label: string;
  data?: unknown;
}

export interface SessionOptions {
  /**
   * False: the remote never learns the local peer's candidates (neither trickled nor in the
   * description). The only way to connect is then for the local peer to reach one of the
   * remote's candidates, which checks that it can resolve them.
   */
  signalLocalCandidates?: boolean;
  /**
   * False: the local peer never learns the remote's candidates, as a server that hears of its
   * clients only from their connectivity checks (peer-reflexive candidates).
   */
  signalRemoteCandidates?: boolean;
  /** The local peer's configuration. */
  config?: Record<string, unknown>;
}

/**
 * One connection between a local peer (a W3C RTCPeerConnection in this process: tsrtc) and a
 * remote echo agent, with the signaling between them: descriptions through the remote's API,
 * candidates trickled both ways (the end-of-candidates included).
 */
export class InteropSession {
  readonly events = new EventLog<LocalChannelEvent>();
  readonly channels = new Map<string, DataChannelLike>();
  readonly connectionStates: string[] = [];
  /** Candidates the local peer gathered, as signaled. */
  readonly localCandidates: string[] = [];
  /** Candidates the remote peer gathered, as signaled. */
  readonly remoteCandidates: string[] = [];
  private readonly messages = new Map<string, unknown[]>();
  private queuedRemoteCandidates: (IceCandidateInit | null)[] | undefined = [];
  /** Candidates either side refused, with the reason. */
  readonly signalingErrors: string[] = [];

  private readonly signalLocalCandidates: boolean;
  private readonly signalRemoteCandidates: boolean;

  constructor(
    readonly stack: NodeStack,
    readonly pc: PeerConnectionLike,
    readonly remote: RemotePeer,
    opts: SessionOptions = {},
  ) {
    this.signalLocalCandidates = opts.signalLocalCandidates ?? true;
    this.signalRemoteCandidates = opts.signalRemoteCandidates ?? true;
    pc.addEventListener('datachannel', (e) =>
      this.track((e as Event & { channel: DataChannelLike }).channel),
    );
    pc.addEventListener('connectionstatechange', () =>
      this.connectionStates.push(pc.connectionState),
    );
    pc.addEventListener('icecandidate', (e) => {
      const c = (e as Event & { candidate: IceCandidateLike | null }).candidate;
      const init = c?.candidate
        ? { candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex }
        : null;
      if (init) this.localCandidates.push(init.candidate);
      if (init && !this.signalLocalCandidates) return;
      remote.addIceCandidate(init).catch((err) => this.signalingErrors.push(String(err)));
    });
    remote.events.forEach((e) => {
      if (e.type !== 'candidate') return;
      if (e.candidate) this.remoteCandidates.push(e.candidate.candidate);
      if (!this.signalRemoteCandidates) return;
      if (this.queuedRemoteCandidates) this.queuedRemoteCandidates.push(e.candidate ?? null);
      else this.addRemoteCandidate(e.candidate ?? null);
    });
  }

  static async open(
    stack: NodeStack,
    remote: RemotePeer,
    opts: SessionOptions = {},
  ): Promise<InteropSession> {
    await remote.createPeer({});
    const pc = new stack.RTCPeerConnection(opts.config ?? {});
    return new InteropSession(stack, pc, remote, opts);
  }

  /** Creates a channel on the local peer and watches it. */
  createChannel(label: string, init: DataChannelInit = {}): DataChannelLike {
    const ch = this.pc.createDataChannel(label, init);
    this.track(ch);
    return ch;
  }

  /** The local channel with this label once it is open (created here or announced by the peer). */
  async openChannel(label: string): Promise<DataChannelLike> {
    await this.events.waitFor(
      (e) => e.label === label && e.type === 'open',
      `local channel "${label}" to open`,
    );
    return this.channels.get(label)!;
  }

  /** Messages received so far on a local channel. */
  received(label: string): unknown[] {
    let list = this.messages.get(label);
    if (!list) {
      list = [];
      this.messages.set(label, list);
    }
    return list;
  }

  /** Waits until `count` messages have arrived on a local channel in all, and returns them. */
  async receivedCount(label: string, count: number, timeoutMs = 30_000): Promise<unknown[]> {
    const list = this.received(label);
    if (list.length < count) {
      await this.events
        .waitFor(
          () => list.length >= count,
          `${count} messages on "${label}" (have ${list.length})`,
          timeoutMs,
        )
        .catch((err: Error) => {
          throw new Error(`${err.message}; remote reported: ${this.remoteTrouble()}`);
        });
    }
    return list.slice(0, count);
  }

  /** Offer/answer in the given direction, then wait until both sides are connected. */
  async negotiate(localOffers: boolean): Promise<void> {
    const { pc, remote } = this;
    if (localOffers) {
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      const answer = await remote.acceptOffer(this.signaled(pc.localDescription!));
      await pc.setRemoteDescription(this.heard(answer));
    } else {
      const offer = await remote.createOffer();
      await pc.setRemoteDescription(this.heard(offer));
      // The implicit form, where the stack has it: setLocalDescription creates the answer.
      if (this.stack.implicitSetLocalDescription) await pc.setLocalDescription();
      else await pc.setLocalDescription(await pc.createAnswer());
      await remote.acceptAnswer(this.signaled(pc.localDescription!));
    }
    this.flushRemoteCandidates();
    await Promise.all([
      remote.events
        .waitFor(
          (e) => e.type === 'connection-state' && e.state === 'connected',
          `${remote.name} to reach connectionState "connected"`,
        )
        .catch((err: Error) => {
          throw new Error(`${err.message}; ${this.describe()}`);
        }),
      this.untilLocalState('connected'),
    ]);
  }

  /** Waits until the local peer's connectionState is `state`. */
  untilLocalState(state: string, timeoutMs = 20_000): Promise<void> {
    if (this.pc.connectionState === state) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const on = () => {
        if (this.pc.connectionState !== state) return;
        clearTimeout(timer);
        this.pc.removeEventListener('connectionstatechange', on);
        resolve();
      };
      const timer = setTimeout(() => {
        this.pc.removeEventListener('connectionstatechange', on);
        reject(new Error(`local connectionState never became "${state}"; ${this.describe()}`));
      }, timeoutMs);
      this.pc.addEventListener('connectionstatechange', on);
    });
  }

  /** What went wrong on the remote side, for failure messages. */
  remoteTrouble(): string {
    const bad = this.remote.events
      .all()
      .filter((e) => e.type.endsWith('error'))
      .map((e) => `${e.type} ${e.label ?? e.where ?? ''} ${e.size ?? ''} ${e.error}`);
    return bad.length === 0 ? 'no errors' : bad.join('; ');
  }

  describe(): string {
    const states = this.remote.events
      .all()
      .filter((e) => e.type === 'connection-state' || e.type === 'ice-state')
      .map((e) => `${e.type}=${e.state}`);
    return [
      `local states [${this.connectionStates.join(', ')}]`,
      `remote states [${states.join(', ')}]`,
      `local candidates [${this.localCandidates.join(' | ')}]`,
      `remote candidates [${this.remoteCandidates.join(' | ')}]`,
      `signaling errors [${this.signalingErrors.join('; ')}]`,
      `remote errors: ${this.remoteTrouble()}`,
    ].join('; ');
  }

  /** The remote's description as the local peer gets it. */
  private heard(d: SessionDescriptionInit): SessionDescriptionInit {
    const p = plain(d);
    return this.signalRemoteCandidates ? p : { type: p.type, sdp: withoutCandidates(p.sdp) };
  }

  /** The local description as the remote gets it. */
  private signaled(d: SessionDescriptionInit): SessionDescriptionInit {
    const p = plain(d);
    return this.signalLocalCandidates ? p : { type: p.type, sdp: withoutCandidates(p.sdp) };
  }

  async dispose(): Promise<void> {
    this.pc.close();
    await this.remote.dispose();
  }

  private track(ch: DataChannelLike): void {
    const label = ch.label;
    this.channels.set(label, ch);
    ch.binaryType = 'arraybuffer';
    const inbox = this.received(label);
    const log = (type: LocalChannelEvent['type']) => () => this.events.push({ type, label });
    ch.addEventListener('open', log('open'));
    ch.addEventListener('closing', log('closing'));
    ch.addEventListener('close', log('close'));
    ch.addEventListener('error', (e) =>
      this.events.push({ type: 'error', label, data: (e as Event & { error?: unknown }).error }),
    );
    ch.addEventListener('message', (e) => {
      const data = (e as MessageEvent).data;
      inbox.push(data);
      this.events.push({ type: 'message', label, data });
    });
    if (ch.readyState === 'open') this.events.push({ type: 'open', label });
  }

  private flushRemoteCandidates(): void {
    const queued = this.queuedRemoteCandidates ?? [];
    this.queuedRemoteCandidates = undefined;
    for (const c of queued) this.addRemoteCandidate(c);
  }

  private addRemoteCandidate(c: IceCandidateInit | null): void {
    let init: Partial<IceCandidateInit> | null = c;
    if (c && !this.stack.acceptsNullCandidateFields) {
      // Null and absent mean the same (RTCIceCandidateInit's defaults); some bindings take
      // only absent.
      init = { candidate: c.candidate };
      if (c.sdpMid !== null) init.sdpMid = c.sdpMid;
      if (c.sdpMLineIndex !== null) init.sdpMLineIndex = c.sdpMLineIndex;
    }
    this.pc
      .addIceCandidate(init as IceCandidateInit | null)
      .catch((err) => this.signalingErrors.push(`addIceCandidate(${c?.candidate}): ${err}`));
  }
}

/** A description as plain data: stacks' description objects may keep their fields in getters. */
function plain(d: SessionDescriptionInit): SessionDescriptionInit {
  return { type: d.type, sdp: d.sdp };
}

function withoutCandidates(sdp: string): string {
  return sdp
    .split('\r\n')
    .filter((line) => !line.startsWith('a=candidate:'))
    .join('\r\n');
}
