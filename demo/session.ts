import {
  type ChannelMessage,
  chatReply,
  ProtocolError,
  parseChannelMessage,
  parseSignalingMessage,
  type SignalingMessage,
} from './messages.js';
import type {
  CandidateLike,
  DataChannelLike,
  IceCandidateInit,
  PeerConnectionConstructor,
  PeerConnectionLike,
} from './w3c.js';

/** Bytes the throughput test sends from server to browser, unless configured otherwise. */
export const THROUGHPUT_BYTES = 16 * 1024 * 1024;
/** Size of each message of the throughput test (the safe size across browsers). */
export const THROUGHPUT_CHUNK = 16 * 1024;
/**
 * Sending pauses when this much is queued in the channel and resumes when bufferedamountlow
 * says it has drained to LOW_WATER: far above a LAN's bandwidth-delay product, so the transport
 * never starves, yet small enough that pings queued behind the test are not delayed by seconds.
 */
const HIGH_WATER = 1024 * 1024;
const LOW_WATER = 256 * 1024;
const PING_INTERVAL_MS = 1000;
/** Every how many pings the server's view of the selected candidate pair is sent again. */
const PAIR_REFRESH_PINGS = 5;

export interface SessionOptions {
  RTCPeerConnection: PeerConnectionConstructor;
  rtcConfiguration: Record<string, unknown>;
  /** Name of the WebRTC stack, shown on the page. */
  stackName: string;
  /** Size of the throughput test. */
  throughputBytes: number;
  /** Sends one signaling message to the browser (dropped once the WebSocket is gone). */
  signal(message: Record<string, unknown>): void;
  log(line: string): void;
}

export interface CandidateInfo {
  type: string | null;
  protocol: string | null;
  address: string | null;
  port: number | null;
}

export interface PairInfo {
  local: CandidateInfo;
  remote: CandidateInfo;
}

const payload = new Uint8Array(THROUGHPUT_CHUNK).map((_, i) => (i * 31 + 7) & 0xff);

/**
 * One browser tab: its signaling, the server-side peer connection, and the "demo" data channel
 * (chat replies, pings for the round-trip time, the throughput test). Every input is untrusted:
 * a refused message gets an error reply and leaves the session as it was, and no handler lets
 * an exception escape.
 */
export class DemoSession {
  readonly #opts: SessionOptions;
  #pc: PeerConnectionLike | undefined;
  #channel: DataChannelLike | undefined;
  /** Signaling is handled one message at a time, in arrival order. */
  #queue: Promise<void> = Promise.resolve();
  #pingTimer: NodeJS.Timeout | undefined;
  #pingSeq = 0;
  readonly #pingsInFlight = new Map<number, number>();
  #throughputRunning = false;
  #closed = false;
  /** Wakes a throughput test that waits for the channel to drain when the session ends. */
  readonly #wakers = new Set<() => void>();

  constructor(opts: SessionOptions) {
    this.#opts = opts;
    opts.signal({ type: 'hello', stack: opts.stackName, throughputBytes: opts.throughputBytes });
  }

  get connectionState(): string {
    return this.#pc?.connectionState ?? 'new';
  }

  /** Takes one WebSocket message. Never throws; refused messages get an error reply. */
  handleSignaling(data: unknown): void {
    let message: SignalingMessage;
    try {
      message = parseSignalingMessage(data);
    } catch (err) {
      this.#refuse(err);
      return;
    }
    this.#queue = this.#queue.then(async () => {
      if (this.#closed) return;
      try {
        if (message.type === 'offer') await this.#acceptOffer(message.sdp);
        else await this.#addCandidate(message.candidate);
      } catch (err) {
        this.#refuse(err);
      }
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#pingTimer);
    for (const wake of this.#wakers) wake();
    try {
      this.#pc?.close();
    } catch (err) {
      this.#opts.log(`closing the peer connection failed: ${String(err)}`);
    }
  }

  #refuse(err: unknown): void {
    const message =
      err instanceof ProtocolError
        ? err.message
        : `${(err as Error)?.name ?? 'Error'}: ${(err as Error)?.message ?? String(err)}`;
    this.#opts.signal({ type: 'error', message });
  }

  async #acceptOffer(sdp: string): Promise<void> {
    const fresh = this.#pc === undefined;
    if (!fresh && this.#pc!.signalingState !== 'stable') {
      throw new ProtocolError(
        `cannot take an offer in signaling state ${this.#pc!.signalingState}`,
      );
    }
    const pc = this.#pc ?? this.#createPeer();
    try {
      await pc.setRemoteDescription({ type: 'offer', sdp });
    } catch (err) {
      // A first offer that fails leaves nothing behind, so the next one starts afresh.
      if (fresh) {
        this.#pc = undefined;
        pc.close();
      }
      throw err;
    }
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    this.#opts.signal({ type: 'answer', sdp: answer.sdp });
  }

  async #addCandidate(candidate: IceCandidateInit | null): Promise<void> {
    if (this.#pc === undefined) throw new ProtocolError('send an offer before candidates');
    await this.#pc.addIceCandidate(candidate);
  }

  #createPeer(): PeerConnectionLike {
    const pc = new this.#opts.RTCPeerConnection(this.#opts.rtcConfiguration);
    this.#pc = pc;
    pc.addEventListener('icecandidate', (event) => {
      const c = (event as Event & { candidate: IceCandidateInit | null }).candidate;
      this.#opts.signal({
        type: 'candidate',
        candidate: c && {
          candidate: c.candidate,
          sdpMid: c.sdpMid,
          sdpMLineIndex: c.sdpMLineIndex,
        },
      });
    });
    pc.addEventListener('connectionstatechange', () => {
      this.#opts.log(`peer connection ${pc.connectionState}`);
      if (pc.connectionState === 'failed' || pc.connectionState === 'closed') {
        clearInterval(this.#pingTimer);
      }
    });
    pc.addEventListener('datachannel', (event) => {
      const channel = (event as Event & { channel: DataChannelLike }).channel;
      if (channel.label !== 'demo' || this.#channel !== undefined) {
        channel.close();
        return;
      }
      this.#attachChannel(channel);
    });
    return pc;
  }

  #attachChannel(channel: DataChannelLike): void {
    this.#channel = channel;
    channel.binaryType = 'arraybuffer';
    const onOpen = () => {
      this.#ping();
      this.#pingTimer = setInterval(() => this.#ping(), PING_INTERVAL_MS);
      void this.#sendPair();
    };
    if (channel.readyState === 'open') onOpen();
    else channel.addEventListener('open', onOpen, { once: true });
    channel.addEventListener('close', () => {
      clearInterval(this.#pingTimer);
      for (const wake of this.#wakers) wake();
    });
    channel.addEventListener('message', (event) => {
      try {
        this.#onChannelMessage(parseChannelMessage((event as MessageEvent).data));
      } catch (err) {
        this.#reply({
          type: 'error',
          message: err instanceof ProtocolError ? err.message : String(err),
        });
      }
    });
  }

  /** Sends on the data channel if it is open; a closing channel just drops the message. */
  #reply(message: Record<string, unknown>): void {
    const channel = this.#channel;
    if (channel?.readyState !== 'open') return;
    try {
      channel.send(JSON.stringify(message));
    } catch (err) {
      this.#opts.log(`data channel send failed: ${String(err)}`);
    }
  }

  #onChannelMessage(message: ChannelMessage): void {
    switch (message.type) {
      case 'chat':
        this.#reply({
          type: 'chat',
          text: message.text,
          reply: chatReply(message.text),
          at: new Date().toISOString(),
        });
        return;
      case 'pong': {
        const sentAt = this.#pingsInFlight.get(message.seq);
        if (sentAt === undefined) return;
        this.#pingsInFlight.delete(message.seq);
        this.#reply({ type: 'rtt', ms: performance.now() - sentAt });
        return;
      }
      case 'throughput':
        if (this.#throughputRunning)
          throw new ProtocolError('a throughput test is already running');
        this.#throughputRunning = true;
        void this.#runThroughput().finally(() => {
          this.#throughputRunning = false;
        });
        return;
    }
  }

  #ping(): void {
    const seq = ++this.#pingSeq;
    // Pongs that never come must not pile up.
    for (const old of this.#pingsInFlight.keys()) {
      if (old <= seq - 30) this.#pingsInFlight.delete(old);
    }
    this.#pingsInFlight.set(seq, performance.now());
    this.#reply({ type: 'ping', seq });
    if (seq % PAIR_REFRESH_PINGS === 0) void this.#sendPair();
  }

  async #sendPair(): Promise<void> {
    const pc = this.#pc;
    if (!pc) return;
    const pair = await selectedPair(pc);
    if (pair) this.#reply({ type: 'pair', pair });
  }

  /**
   * Sends the test's bytes in THROUGHPUT_CHUNK messages as fast as the channel takes them,
   * keeping between LOW_WATER and HIGH_WATER bytes queued so that memory stays bounded and the
   * transport never starves.
   */
  async #runThroughput(): Promise<void> {
    const channel = this.#channel;
    if (!channel) return;
    try {
      channel.bufferedAmountLowThreshold = LOW_WATER;
      const total = this.#opts.throughputBytes;
      this.#reply({ type: 'throughput-start', bytes: total, chunk: THROUGHPUT_CHUNK });
      const started = performance.now();
      let sent = 0;
      while (sent < total) {
        if (this.#closed || channel.readyState !== 'open') return;
        if (channel.bufferedAmount > HIGH_WATER) {
          await this.#drained(channel);
          continue;
        }
        const n = Math.min(THROUGHPUT_CHUNK, total - sent);
        channel.send(n === THROUGHPUT_CHUNK ? payload : payload.subarray(0, n));
        sent += n;
      }
      const ms = performance.now() - started;
      this.#reply({ type: 'throughput-end', bytes: sent, ms });
      this.#opts.log(`throughput test: ${sent} bytes queued in ${ms.toFixed(0)} ms`);
    } catch (err) {
      this.#opts.log(`throughput test stopped: ${String(err)}`);
      this.#reply({ type: 'error', message: `throughput test stopped: ${String(err)}` });
    }
  }

  /** Resolves on bufferedamountlow, on close, or after a short poll interval as a fallback. */
  #drained(channel: DataChannelLike): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        channel.removeEventListener('bufferedamountlow', done);
        this.#wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, 200);
      channel.addEventListener('bufferedamountlow', done);
      this.#wakers.add(done);
    });
  }
}

function candidateInfo(c: CandidateLike | Record<string, unknown> | undefined): CandidateInfo {
  const r = (c ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  return {
    // RTCIceCandidate has `type`; a candidate's stats entry has `candidateType`.
    type: str(r.candidateType) ?? str(r.type),
    protocol: str(r.protocol),
    address: str(r.address) ?? str(r.ip),
    port: typeof r.port === 'number' ? r.port : null,
  };
}

/**
 * The server's view of the candidate pair in use: from RTCIceTransport when the stack exposes
 * it, else from the stats (the transport's selectedCandidatePairId, or the nominated pair).
 */
export async function selectedPair(pc: PeerConnectionLike): Promise<PairInfo | null> {
  try {
    const pair = pc.sctp?.transport?.iceTransport?.getSelectedCandidatePair?.();
    if (pair) return { local: candidateInfo(pair.local), remote: candidateInfo(pair.remote) };
  } catch {
    // fall through to the stats
  }
  try {
    const stats = [...(await pc.getStats()).values()] as Record<string, unknown>[];
    const byId = new Map(stats.map((s) => [s.id, s]));
    const transport = stats.find((s) => s.type === 'transport' && s.selectedCandidatePairId);
    const pair =
      (transport && byId.get(transport.selectedCandidatePairId)) ??
      stats.find((s) => s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded');
    if (!pair) return null;
    return {
      local: candidateInfo(byId.get(pair.localCandidateId)),
      remote: candidateInfo(byId.get(pair.remoteCandidateId)),
    };
  } catch {
    return null;
  }
}
