import type {
  DataChannelAssociation,
  DataChannelEvent,
  SctpAssociationState,
  SctpEvent,
  SctpSendOptions,
} from '../../src/datachannel/index.js';
import { DataChannelManager, type DtlsRole } from '../../src/datachannel/index.js';

/** What the fake did on the wire, for assertions. */
export interface FakeSend {
  streamId: number;
  ppid: number;
  data: Uint8Array;
  opts: SctpSendOptions | undefined;
}

type Queued =
  | { kind: 'message'; streamId: number; ppid: number; data: Uint8Array }
  | { kind: 'reset'; streamIds: number[] };

/**
 * An in-memory stand-in for SctpAssociation with the same members: messages go to a linked
 * peer, in order, when the test calls transmit(). Reliable and lossless: it checks the data
 * channel layer's logic, not SCTP's.
 */
export class FakeAssociation implements DataChannelAssociation {
  state: SctpAssociationState = 'new';
  inboundStreams: number;
  outboundStreams: number;
  bufferedBytes = 0;
  peer: FakeAssociation | undefined;
  readonly sends: FakeSend[] = [];
  readonly resets: number[][] = [];
  private readonly queue: Queued[] = [];
  private readonly events: SctpEvent[] = [];

  constructor(streams = 1024) {
    this.inboundStreams = streams;
    this.outboundStreams = streams;
  }

  static pair(streamsA = 1024, streamsB = streamsA): [FakeAssociation, FakeAssociation] {
    const a = new FakeAssociation(streamsA);
    const b = new FakeAssociation(streamsB);
    a.peer = b;
    b.peer = a;
    return [a, b];
  }

  /** Both ends connect, with min of the two stream counts, as SCTP negotiates. */
  connect(): void {
    const peer = this.peer!;
    const streams = Math.min(this.outboundStreams, peer.inboundStreams);
    for (const end of [this, peer]) {
      end.inboundStreams = streams;
      end.outboundStreams = streams;
      end.state = 'connected';
      end.events.push({ type: 'connected' });
    }
  }

  send(
    streamId: number,
    ppid: number,
    data: Uint8Array,
    opts: SctpSendOptions | undefined,
    _now: number,
  ): void {
    if (this.state !== 'connected') throw new Error(`association is ${this.state}`);
    if (streamId >= this.outboundStreams) throw new RangeError(`no stream ${streamId}`);
    if (data.length === 0) throw new RangeError('empty message');
    this.sends.push({ streamId, ppid, data, opts });
    this.queue.push({ kind: 'message', streamId, ppid, data });
    this.bufferedBytes += data.length;
  }

  resetStreams(streamIds: number[], _now: number): void {
    if (this.state !== 'connected') throw new Error(`association is ${this.state}`);
    this.resets.push([...streamIds]);
    // Queued behind earlier messages, as a reset request follows the data sent before it.
    this.queue.push({ kind: 'reset', streamIds: [...streamIds] });
  }

  /** Hands up to `count` queued items to the peer; returns how many went. */
  transmit(count = Number.POSITIVE_INFINITY): number {
    let n = 0;
    while (n < count && this.queue.length > 0 && this.state === 'connected') {
      const item = this.queue.shift()!;
      const peer = this.peer!;
      if (item.kind === 'message') {
        this.bufferedBytes -= item.data.length;
        this.events.push({ type: 'sent', streamId: item.streamId, bytes: item.data.length });
        peer.events.push({
          type: 'message',
          streamId: item.streamId,
          ppid: item.ppid,
          data: item.data.slice(),
        });
      } else {
        peer.events.push({ type: 'stream-reset', streamIds: item.streamIds });
        this.events.push({ type: 'reset-complete', streamIds: item.streamIds });
      }
      n++;
    }
    return n;
  }

  /** Drops every queued message without a 'sent' event, as abandoned partial-reliable data. */
  abandonQueued(): void {
    this.queue.length = 0;
    this.bufferedBytes = 0;
  }

  get queued(): number {
    return this.queue.length;
  }

  /** A message arriving from the peer as if it had sent it, for hostile input. */
  inject(streamId: number, ppid: number, data: Uint8Array): void {
    this.events.push({ type: 'message', streamId, ppid, data });
  }

  /** Ends both sides: gracefully (SHUTDOWN) or with an error (ABORT). */
  close(error: boolean, reason = error ? 'aborted' : 'shutdown'): void {
    for (const end of [this, this.peer!]) {
      end.state = 'closed';
      end.queue.length = 0;
      end.events.push({ type: 'closed', reason, error });
    }
  }

  pollEvent(): SctpEvent | undefined {
    return this.events.shift();
  }
}

/** One end: a fake association, its manager and every event the manager produced. */
export interface End {
  assoc: FakeAssociation;
  manager: DataChannelManager;
  events: DataChannelEvent[];
}

/** Two managers over linked fake associations; A is the DTLS client unless told otherwise. */
export function fakePair(opts: { streamsA?: number; streamsB?: number; roleA?: DtlsRole } = {}) {
  const [assocA, assocB] = FakeAssociation.pair(opts.streamsA ?? 1024, opts.streamsB);
  const roleA = opts.roleA ?? 'client';
  const a: End = { assoc: assocA, manager: new DataChannelManager(), events: [] };
  const b: End = { assoc: assocB, manager: new DataChannelManager(), events: [] };
  a.manager.attach(assocA, roleA, 0);
  b.manager.attach(assocB, roleA === 'client' ? 'server' : 'client', 0);

  /** Feeds association events to managers and moves messages until nothing is left to do. */
  const pump = (now = 0) => {
    for (let guard = 0; guard < 100_000; guard++) {
      let moved = 0;
      for (const end of [a, b]) {
        for (let ev = end.assoc.pollEvent(); ev; ev = end.assoc.pollEvent()) {
          end.manager.handleSctpEvent(ev, now);
          moved++;
        }
        for (let ev = end.manager.pollEvent(); ev; ev = end.manager.pollEvent()) {
          end.events.push(ev);
        }
      }
      moved += a.assoc.transmit() + b.assoc.transmit();
      if (moved === 0) return;
    }
    throw new Error('fake association pair did not settle');
  };

  /** Only feeds pending association events to the managers, transmitting nothing. */
  const drainEvents = (now = 0) => {
    for (const end of [a, b]) {
      for (let ev = end.assoc.pollEvent(); ev; ev = end.assoc.pollEvent()) {
        end.manager.handleSctpEvent(ev, now);
      }
      for (let ev = end.manager.pollEvent(); ev; ev = end.manager.pollEvent()) end.events.push(ev);
    }
  };

  const connect = () => {
    assocA.connect();
    pump();
  };

  return { a, b, pump, drainEvents, connect };
}
