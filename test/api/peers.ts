/**
 * Two tsrtc RTCPeerConnections in one process over real UDP on loopback, with the signalling
 * an application would write: descriptions and trickled candidates passed across directly.
 */
import type { RTCConfiguration } from '../../src/api/configuration.js';
import type { RTCDataChannel } from '../../src/api/data-channel.js';
import type { RTCPeerConnectionIceEvent } from '../../src/api/events.js';
import { RTCPeerConnection } from '../../src/api/peer-connection.js';

/** Host candidates on loopback only: works on any machine and never leaves it. */
export const LOOPBACK: RTCConfiguration = { tsrtc: { addresses: { addresses: ['127.0.0.1'] } } };

/** Node extras every peer of this test file gets (see useTsrtcOptions). */
let fileOptions: RTCConfiguration['tsrtc'] = {};

/**
 * Makes every peer this module creates in this test file use these Node extras as well: the
 * worker-mode files run the same suites with `{ worker: true }`.
 */
export function useTsrtcOptions(options: RTCConfiguration['tsrtc']): void {
  fileOptions = options;
}

export function newPeer(config: RTCConfiguration = {}): RTCPeerConnection {
  return new RTCPeerConnection({
    ...LOOPBACK,
    ...config,
    tsrtc: { ...LOOPBACK.tsrtc, ...fileOptions, ...config.tsrtc },
  });
}

/** Runs `body` with a fresh peer and closes it afterwards, whether `body` passed or threw. */
export async function withPeer(
  body: (pc: RTCPeerConnection) => unknown,
  config: RTCConfiguration = {},
): Promise<void> {
  const pc = newPeer(config);
  try {
    await body(pc);
  } finally {
    pc.close();
  }
}

/** Runs `body` with two fresh peers and closes both afterwards, whether `body` passed or threw. */
export async function withPair(
  body: (a: RTCPeerConnection, b: RTCPeerConnection) => unknown,
): Promise<void> {
  const a = newPeer();
  const b = newPeer();
  try {
    await body(a, b);
  } finally {
    a.close();
    b.close();
  }
}

/** Forwards each side's candidates to the other as they are gathered. */
export function trickle(a: RTCPeerConnection, b: RTCPeerConnection): void {
  const forward = (to: RTCPeerConnection) => (event: Event) => {
    const e = event as RTCPeerConnectionIceEvent;
    if (e.candidate !== null) {
      to.addIceCandidate(e.candidate).catch(() => {
        // The other side may already be closed when the test ends.
      });
    }
  };
  a.addEventListener('icecandidate', forward(b));
  b.addEventListener('icecandidate', forward(a));
}

/** One offer/answer exchange, `offerer` making the offer. */
export async function negotiate(offerer: RTCPeerConnection, answerer: RTCPeerConnection) {
  await offerer.setLocalDescription(await offerer.createOffer());
  await answerer.setRemoteDescription(offerer.localDescription!);
  await answerer.setLocalDescription(await answerer.createAnswer());
  await offerer.setRemoteDescription(answerer.localDescription!);
}

export function waitFor<T extends Event = Event>(
  target: EventTarget,
  type: string,
  predicate: (e: T) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      target.removeEventListener(type, listener);
      reject(new Error(`timed out waiting for ${type}`));
    }, timeoutMs);
    const listener = (e: Event) => {
      if (!predicate(e as T)) return;
      clearTimeout(timer);
      target.removeEventListener(type, listener);
      resolve(e as T);
    };
    target.addEventListener(type, listener);
  });
}

export async function waitForState(
  pc: RTCPeerConnection,
  state: RTCPeerConnection['connectionState'],
  timeoutMs = 10_000,
): Promise<void> {
  if (pc.connectionState === state) return;
  await waitFor(pc, 'connectionstatechange', () => pc.connectionState === state, timeoutMs);
}

export async function waitOpen(dc: RTCDataChannel, timeoutMs = 10_000): Promise<void> {
  if (dc.readyState === 'open') return;
  await waitFor(dc, 'open', () => true, timeoutMs);
}

/** A connected pair with one channel created by `a` (the offerer) and its remote twin on `b`. */
export async function connectedPair(
  label = 'chat',
  init: Parameters<RTCPeerConnection['createDataChannel']>[1] = {},
  config: RTCConfiguration = {},
): Promise<{
  a: RTCPeerConnection;
  b: RTCPeerConnection;
  local: RTCDataChannel;
  remote: RTCDataChannel;
  close(): void;
}> {
  const a = newPeer(config);
  const b = newPeer(config);
  trickle(a, b);
  const local = a.createDataChannel(label, init);
  const remoteP = waitFor<Event & { channel: RTCDataChannel }>(b, 'datachannel');
  await negotiate(a, b);
  const remote = (await remoteP).channel;
  await Promise.all([waitOpen(local), waitOpen(remote)]);
  return {
    a,
    b,
    local,
    remote,
    close() {
      a.close();
      b.close();
    },
  };
}

/** Runs `body` with a connected pair and closes it afterwards, whether `body` passed or threw. */
export async function withConnectedPair(
  body: (p: Awaited<ReturnType<typeof connectedPair>>) => unknown,
): Promise<void> {
  const p = await connectedPair();
  try {
    await body(p);
  } finally {
    p.close();
  }
}

/** The next `count` messages on a channel. */
export function collect(dc: RTCDataChannel, count: number, timeoutMs = 10_000): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const got: unknown[] = [];
    if (count === 0) {
      resolve(got);
      return;
    }
    const timer = setTimeout(() => {
      dc.removeEventListener('message', listener);
      reject(new Error(`timed out with ${got.length} of ${count} messages`));
    }, timeoutMs);
    const listener = (e: Event) => {
      got.push((e as MessageEvent).data);
      if (got.length === count) {
        clearTimeout(timer);
        dc.removeEventListener('message', listener);
        resolve(got);
      }
    };
    dc.addEventListener('message', listener);
  });
}

/** Polls until `check` holds (for state reached through several events). */
export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
