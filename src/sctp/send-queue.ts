/**
 * The user message queue: one FIFO per stream, served round-robin so that one busy stream
 * does not starve the others. Without interleaving (plain DATA) a message, once started, is
 * cut to its end before the next stream's turn; with I-DATA (RFC 8260) the turn passes after
 * every chunk, so a large message does not hold up small ones on other streams.
 */
export interface QueuedMessage {
  streamId: number;
  data: Uint8Array;
  /** Bytes already cut into chunks. */
  offset: number;
  abandoned: boolean;
  /** Counted in the queue's started-but-unfinished total. */
  started: boolean;
}

interface StreamQueue<M extends QueuedMessage> {
  streamId: number;
  msgs: (M | undefined)[];
  head: number;
}

export class SendQueue<M extends QueuedMessage> {
  private readonly streams = new Map<number, StreamQueue<M>>();
  /**
   * The streams with messages, in turn order. A stream that runs dry leaves a hole, compacted
   * away once holes are half the ring: shifting the rest down at every removal was quadratic
   * when a thousand channels each sent a message at once.
   */
  private readonly ring: (StreamQueue<M> | undefined)[] = [];
  private holes = 0;
  private pos = 0;
  private current: M | undefined;
  /** Total size of multi-chunk messages begun and not finished (what the peer must buffer). */
  private startedBytes = 0;

  constructor(
    private readonly interleave: boolean,
    /** Largest payload per chunk: a message no larger goes out whole (grows with the PMTU). */
    public maxPayload: number,
    /** How many bytes of partly sent messages the peer can be asked to hold at once. */
    private readonly budget: number,
  ) {}

  push(m: M): void {
    let q = this.streams.get(m.streamId);
    if (!q) {
      q = { streamId: m.streamId, msgs: [], head: 0 };
      this.streams.set(m.streamId, q);
    }
    if (q.head >= q.msgs.length) this.ring.push(q);
    q.msgs.push(m);
  }

  get empty(): boolean {
    return this.ring.length === this.holes;
  }

  hasQueued(streamId: number): boolean {
    const q = this.streams.get(streamId);
    return q !== undefined && q.head < q.msgs.length;
  }

  /** The message the next chunk comes from; stays the same until `update` moves on. */
  peek(): M | undefined {
    if (this.current) return this.current;
    const ring = this.ring;
    const n = ring.length;
    if (n === this.holes) return undefined;
    if (this.pos >= n) this.pos = 0;
    let first = -1;
    for (let i = 0; i < n; i++) {
      const at = (this.pos + i) % n;
      const q = ring[at];
      if (q === undefined) continue;
      if (first < 0) first = at;
      const m = q.msgs[q.head]!;
      // Starting another multi-chunk message must not ask the peer to buffer more than it can.
      if (
        this.interleave &&
        m.offset === 0 &&
        m.data.length > this.maxPayload &&
        this.startedBytes > 0 &&
        this.startedBytes + m.data.length > this.budget
      ) {
        continue;
      }
      this.pos = at;
      this.current = m;
      return m;
    }
    this.pos = first;
    const q = ring[first]!;
    this.current = q.msgs[q.head]!;
    return this.current;
  }

  /** After a chunk was cut from `m`, or `m` was dropped: finish it or pass the turn. */
  update(m: M): void {
    const done = m.abandoned || m.offset >= m.data.length;
    if (!done && !m.started) {
      m.started = true;
      this.startedBytes += m.data.length;
    }
    if (!done) {
      if (this.interleave) {
        this.current = undefined;
        this.pos++;
      }
      return;
    }
    if (m.started) {
      m.started = false;
      this.startedBytes -= m.data.length;
    }
    if (this.current === m) this.current = undefined;
    const q = this.streams.get(m.streamId)!;
    if (q.msgs[q.head] !== m) return;
    q.msgs[q.head++] = undefined;
    if (q.head >= q.msgs.length) {
      q.msgs.length = 0;
      q.head = 0;
      // The finished message is nearly always the one whose turn it is: no search then. The
      // turn stays at the hole, so the next stream in order is next.
      const at = this.ring[this.pos] === q ? this.pos : this.ring.indexOf(q);
      this.ring[at] = undefined;
      this.holes++;
      if (this.holes >= 16 && this.holes * 2 >= this.ring.length) this.compact();
    } else {
      if (q.head >= 1024 && q.head * 2 >= q.msgs.length) {
        q.msgs = q.msgs.slice(q.head);
        q.head = 0;
      }
      this.pos++;
    }
  }

  /** Drops the holes; the turn stays with the same stream (or the one after a hole). */
  private compact(): void {
    const ring = this.ring;
    let w = 0;
    let pos = 0;
    for (let r = 0; r < ring.length; r++) {
      if (r === this.pos) pos = w;
      const q = ring[r];
      if (q !== undefined) ring[w++] = q;
    }
    if (this.pos >= ring.length) pos = w;
    ring.length = w;
    this.holes = 0;
    this.pos = pos;
  }
}
