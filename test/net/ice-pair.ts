/**
 * Two IceDrivers on real sockets, wired by the test as signalling would be: credentials up
 * front, candidates trickled as SDP strings (serialized, then parsed on the other side).
 */
import { type IceEvent, parseCandidate, serializeCandidate } from '../../src/ice/index.js';
import { IceDriver, type IceDriverOptions } from '../../src/net/index.js';

/** Records a driver's events and lets a test wait for one, with a deadline. */
export class EventLog {
  readonly events: IceEvent[] = [];
  readonly errors: Error[] = [];
  private waiters: { pred: () => boolean; resolve: () => void }[] = [];

  push(e: IceEvent): void {
    this.events.push(e);
    this.wake();
  }

  pushError(e: Error): void {
    this.errors.push(e);
    this.wake();
  }

  private wake(): void {
    for (const w of [...this.waiters]) {
      if (w.pred()) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  }

  of<T extends IceEvent['type']>(type: T): Extract<IceEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<IceEvent, { type: T }> => e.type === type);
  }

  states(): string[] {
    return this.of('state').map((e) => e.state);
  }

  /** Resolves once `pred()` holds; rejects with `what` after `timeoutMs`. */
  until(pred: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const w = {
        pred,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error(`timed out waiting for ${what}; events: ${this.describe()}`));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  describe(): string {
    return this.events
      .filter((e) => e.type !== 'data')
      .map((e) => {
        if (e.type === 'local-candidate') return `cand(${serializeCandidate(e.candidate)})`;
        if (e.type === 'state' || e.type === 'gathering-state') return `${e.type}=${e.state}`;
        return e.type;
      })
      .join(', ');
  }
}

export interface Peer {
  driver: IceDriver;
  log: EventLog;
  /** The candidate lines this peer trickled, as sent. */
  sentCandidates: string[];
}

export interface PeerPair {
  a: Peer;
  b: Peer;
  close(): void;
}

const connected = (s: string) => s === 'connected' || s === 'completed';

/** Builds, wires and starts two drivers (A controlling, B controlled). */
export async function startPair(
  aOpts: Omit<IceDriverOptions, 'role'>,
  bOpts: Omit<IceDriverOptions, 'role'>,
): Promise<PeerPair> {
  const make = (opts: IceDriverOptions): Peer => {
    const log = new EventLog();
    const driver = new IceDriver({ ...opts, onError: (e) => log.pushError(e) });
    return { driver, log, sentCandidates: [] };
  };
  const a = make({ ...aOpts, role: 'controlling' });
  const b = make({ ...bOpts, role: 'controlled' });
  const wire = (from: Peer, to: Peer) => {
    from.driver.onEvent = (e) => {
      from.log.push(e);
      if (e.type === 'local-candidate') {
        const line = serializeCandidate(e.candidate);
        from.sentCandidates.push(line);
        const parsed = parseCandidate(`a=${line}`);
        if (!parsed.ok) throw new Error(`own candidate does not parse: ${line}: ${parsed.error}`);
        to.driver.addRemoteCandidate(parsed.candidate);
      } else if (e.type === 'gathering-state' && e.state === 'complete') {
        to.driver.endOfRemoteCandidates();
      }
    };
  };
  wire(a, b);
  wire(b, a);
  a.driver.setRemoteCredentials(b.driver.localUfrag, b.driver.localPwd);
  b.driver.setRemoteCredentials(a.driver.localUfrag, a.driver.localPwd);
  const pair = {
    a,
    b,
    close() {
      a.driver.close();
      b.driver.close();
    },
  };
  try {
    await Promise.all([a.driver.start(), b.driver.start()]);
  } catch (err) {
    pair.close();
    throw err;
  }
  return pair;
}

/** Waits for both sides to be connected with a selected pair. */
export async function untilConnected(pair: PeerPair, timeoutMs = 10_000): Promise<void> {
  for (const p of [pair.a, pair.b]) {
    await p.log.until(
      () => connected(p.driver.state) && p.log.of('selected-pair').length > 0,
      'connected with a selected pair',
      timeoutMs,
    );
  }
}

/** Sends `count` numbered datagrams from one peer and waits until the other got all of them. */
export async function exchange(from: Peer, to: Peer, count: number, size = 200): Promise<void> {
  const before = to.log.of('data').length;
  for (let i = 0; i < count; i++) {
    const msg = new Uint8Array(size);
    msg.fill(i & 0xff);
    msg[0] = 0xaa; // not STUN (first two bits would be 0), as DTLS/RTP are not
    new DataView(msg.buffer).setUint16(1, i);
    if (!from.driver.send(msg)) throw new Error('send refused: no selected pair');
  }
  await to.log.until(() => to.log.of('data').length - before >= count, `${count} datagrams`);
  const got = to.log
    .of('data')
    .slice(before)
    .map((e) => new DataView(e.data.buffer, e.data.byteOffset, e.data.byteLength).getUint16(1))
    .sort((x, y) => x - y);
  const want = Array.from({ length: count }, (_, i) => i);
  if (got.join() !== want.join()) throw new Error(`datagrams differ: ${got.join()}`);
}
