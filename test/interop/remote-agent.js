// The far end of an interop test: one W3C RTCPeerConnection, driven by JSON commands and
// reporting what happens as JSON events. The same file runs inside Chromium (served to the page)
// and in Node over the native stacks (node-datachannel, @roamhq/wrtc), so every remote peer
// behaves the same way and the scenario suite can treat them alike.
//
// Plain JavaScript, W3C API only: it must run unchanged in a browser page.

/**
 * @typedef {{ RTCPeerConnection: any }} W3CGlobals
 * @typedef {(event: Record<string, unknown>) => void} Emit
 */

export class InteropAgent {
  /** @param {W3CGlobals} w3c @param {Emit} emit */
  constructor(w3c, emit) {
    this.w3c = w3c;
    this.emit = emit;
    /** @type {any} */
    this.pc = undefined;
    /** @type {Map<string, any>} */
    this.channels = new Map();
    /** Remote candidates that arrived before the remote description. */
    this.pendingCandidates = [];
  }

  /** @param {Record<string, unknown>} [config] */
  createPeer(config) {
    const pc = new this.w3c.RTCPeerConnection(config ?? {});
    this.pc = pc;
    pc.addEventListener('icecandidate', (e) => {
      const c = e.candidate;
      this.emit({
        type: 'candidate',
        candidate: c?.candidate
          ? { candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex }
          : null,
      });
    });
    pc.addEventListener('connectionstatechange', () =>
      this.emit({ type: 'connection-state', state: pc.connectionState }),
    );
    pc.addEventListener('iceconnectionstatechange', () =>
      this.emit({ type: 'ice-state', state: pc.iceConnectionState }),
    );
    pc.addEventListener('datachannel', (e) => this.adopt(e.channel));
  }

  /** @param {string} label @param {Record<string, unknown>} [init] */
  createDataChannel(label, init) {
    this.adopt(this.pc.createDataChannel(label, init ?? {}));
  }

  async createOffer() {
    const offer = await this.pc.createOffer();
    await this.pc.setLocalDescription(offer);
    return this.localDescription();
  }

  /** @param {{ type: string, sdp: string }} offer */
  async acceptOffer(offer) {
    await this.pc.setRemoteDescription(offer);
    await this.flushCandidates();
    const answer = await this.pc.createAnswer();
    await this.pc.setLocalDescription(answer);
    return this.localDescription();
  }

  /** @param {{ type: string, sdp: string }} answer */
  async acceptAnswer(answer) {
    await this.pc.setRemoteDescription(answer);
    await this.flushCandidates();
  }

  /** @param {{ candidate: string, sdpMid: string | null, sdpMLineIndex: number | null } | null} c */
  async addIceCandidate(c) {
    if (!this.pc.remoteDescription) {
      this.pendingCandidates.push(c);
      return;
    }
    await this.addNow(c);
  }

  /** @param {string} label */
  closeChannel(label) {
    this.channels.get(label)?.close();
  }

  /** @param {string} label */
  channelInfo(label) {
    const ch = this.channels.get(label);
    if (!ch) return null;
    return {
      label: ch.label,
      id: ch.id,
      readyState: ch.readyState,
      ordered: ch.ordered,
      maxRetransmits: ch.maxRetransmits,
      maxPacketLifeTime: ch.maxPacketLifeTime,
      negotiated: ch.negotiated,
      protocol: ch.protocol,
    };
  }

  connectionInfo() {
    const pc = this.pc;
    return {
      connectionState: pc.connectionState,
      iceConnectionState: pc.iceConnectionState,
      signalingState: pc.signalingState,
      maxMessageSize: pc.sctp ? pc.sctp.maxMessageSize : null,
      remoteSdp: pc.remoteDescription ? pc.remoteDescription.sdp : null,
      localSdp: pc.localDescription ? pc.localDescription.sdp : null,
    };
  }

  closePeer() {
    this.pc?.close();
  }

  localDescription() {
    const d = this.pc.localDescription;
    return { type: d.type, sdp: d.sdp };
  }

  async flushCandidates() {
    const queued = this.pendingCandidates;
    this.pendingCandidates = [];
    for (const c of queued) await this.addNow(c);
  }

  async addNow(c) {
    try {
      // Stacks differ on how the end of candidates is spelled; the candidate itself is what matters.
      if (c === null) await this.pc.addIceCandidate();
      else await this.pc.addIceCandidate(c);
    } catch (err) {
      if (c !== null)
        this.emit({ type: 'agent-error', where: 'addIceCandidate', error: String(err) });
    }
  }

  /**
   * Every channel echoes what it receives, text as text and binary as binary. A message can
   * arrive before the channel reports open (RFC 8832 lets the side that received
   * DATA_CHANNEL_OPEN send at once, and Chromium may deliver it before its own open event):
   * its echo waits for the open.
   */
  adopt(ch) {
    const label = ch.label;
    this.channels.set(label, ch);
    ch.binaryType = 'arraybuffer';
    /** @type {unknown[]} */
    let early = [];
    const echo = (data) => {
      try {
        ch.send(data);
      } catch (err) {
        const size = typeof data === 'string' ? data.length : data.byteLength;
        this.emit({ type: 'echo-error', label, size, error: String(err) });
      }
    };
    ch.addEventListener('open', () => {
      this.emit({ type: 'channel-open', label, info: this.channelInfo(label) });
      const queued = early;
      early = [];
      for (const data of queued) echo(data);
    });
    ch.addEventListener('close', () => this.emit({ type: 'channel-close', label }));
    ch.addEventListener('error', (e) =>
      this.emit({ type: 'channel-error', label, error: String(e.error ?? e) }),
    );
    ch.addEventListener('message', (e) => {
      if (ch.readyState === 'connecting') early.push(e.data);
      else echo(e.data);
    });
    this.emit({ type: 'channel', label, info: this.channelInfo(label) });
    if (ch.readyState === 'open') {
      this.emit({ type: 'channel-open', label, info: this.channelInfo(label) });
    }
  }
}

/**
 * Two peer connections in one place, connected to each other, echoing over a data channel:
 * the check that a browser and its network work before blaming anything else.
 * @param {W3CGlobals} w3c
 */
export async function loopbackEcho(w3c) {
  const a = new w3c.RTCPeerConnection();
  const b = new w3c.RTCPeerConnection();
  /** @type {string[]} */
  const candidates = [];
  a.addEventListener('icecandidate', (e) => {
    if (e.candidate) candidates.push(e.candidate.candidate);
    b.addIceCandidate(e.candidate ?? undefined);
  });
  b.addEventListener('icecandidate', (e) => a.addIceCandidate(e.candidate ?? undefined));
  b.addEventListener('datachannel', (e) => {
    const ch = e.channel;
    ch.addEventListener('message', (m) => ch.send(`echo: ${m.data}`));
  });
  const ch = a.createDataChannel('loopback');
  await a.setLocalDescription();
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription();
  await a.setRemoteDescription(b.localDescription);
  try {
    const echo = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no echo (${a.connectionState})`)), 20000);
      ch.addEventListener('open', () => ch.send('ping'));
      ch.addEventListener('message', (m) => {
        clearTimeout(timer);
        resolve(m.data);
      });
    });
    return { echo, candidates };
  } finally {
    a.close();
    b.close();
  }
}

/**
 * Gathers host candidates for a data channel offer and returns them, keeping the peer
 * connection open (its mDNS names are answered only while it lives) until `release()`.
 * @param {W3CGlobals} w3c
 */
export async function gatherCandidates(w3c) {
  const pc = new w3c.RTCPeerConnection();
  pc.createDataChannel('gather');
  /** @type {string[]} */
  const gathered = [];
  const done = new Promise((resolve) => {
    pc.addEventListener('icecandidate', (e) => {
      if (e.candidate) gathered.push(e.candidate.candidate);
      else resolve(undefined);
    });
  });
  await pc.setLocalDescription();
  await done;
  globalThis.releaseGathered = () => pc.close();
  return gathered;
}
