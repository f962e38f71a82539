import type { StunMessage } from './message.js';
import { StunClientTransaction, type StunTransactionOptions, sameId } from './transaction.js';

/** A transaction the table runs, with the caller's context (for example the destination). */
export interface StunTableEntry<C> {
  readonly transaction: StunClientTransaction;
  readonly context: C;
}

export interface StunTableTransmit<C> {
  data: Uint8Array;
  context: C;
}

/** Lookup key: the first 6 id bytes, which are random, as a number (no per-packet string). */
function idKey(id: Uint8Array): number {
  const low = ((id[2]! << 24) | (id[3]! << 16) | (id[4]! << 8) | id[5]!) >>> 0;
  return ((id[0]! << 8) | id[1]!) * 2 ** 32 + low;
}

/**
 * Many client transactions at once, found by transaction id: what an ICE agent or TURN client
 * needs. Finished transactions (success, error or timeout) leave the table and come out of
 * pollCompleted() once each.
 */
export class StunTransactionTable<C = undefined> {
  private readonly byKey = new Map<number, StunTableEntry<C>[]>();
  private readonly entries: StunTableEntry<C>[] = [];
  private readonly completed: StunTableEntry<C>[] = [];

  get size(): number {
    return this.entries.length;
  }

  start(
    request: Uint8Array,
    transactionId: Uint8Array,
    context: C,
    now: number,
    opts?: StunTransactionOptions,
  ): StunClientTransaction {
    const transaction = new StunClientTransaction(request, transactionId, now, opts);
    const entry = { transaction, context };
    this.entries.push(entry);
    const key = idKey(transactionId);
    const bucket = this.byKey.get(key);
    if (bucket) bucket.push(entry);
    else this.byKey.set(key, [entry]);
    return transaction;
  }

  /** The pending transaction with this id, if any. */
  get(transactionId: Uint8Array): StunTableEntry<C> | undefined {
    const bucket = this.byKey.get(idKey(transactionId));
    if (!bucket) return undefined;
    for (const e of bucket) if (sameId(e.transaction.transactionId, transactionId)) return e;
    return undefined;
  }

  /**
   * Offers a response; returns the entry it completed, or undefined when it belongs to no
   * pending transaction here (a stray, late or duplicate response).
   */
  handleResponse(m: StunMessage, now: number): StunTableEntry<C> | undefined {
    if (m.transactionId.length !== 12) return undefined;
    const e = this.get(m.transactionId);
    if (!e?.transaction.handleResponse(m, now)) return undefined;
    this.finish(e);
    return e;
  }

  /** Drops a transaction without reporting it (the caller no longer wants the answer). */
  cancel(transactionId: Uint8Array): boolean {
    const e = this.get(transactionId);
    if (!e) return false;
    this.remove(e);
    return true;
  }

  handleTimeout(now: number): void {
    for (let i = 0; i < this.entries.length; ) {
      const e = this.entries[i]!;
      e.transaction.handleTimeout(now);
      if (e.transaction.state === 'pending') i++;
      else this.finish(e);
    }
  }

  nextTimeout(): number | undefined {
    let next: number | undefined;
    for (const e of this.entries) {
      const t = e.transaction.nextTimeout();
      if (t !== undefined && (next === undefined || t < next)) next = t;
    }
    return next;
  }

  pollTransmit(): StunTableTransmit<C> | undefined {
    for (const e of this.entries) {
      const data = e.transaction.pollTransmit();
      if (data) return { data, context: e.context };
    }
    return undefined;
  }

  /** The next transaction that finished (state succeeded, failed or timeout). */
  pollCompleted(): StunTableEntry<C> | undefined {
    return this.completed.shift();
  }

  private finish(e: StunTableEntry<C>): void {
    this.remove(e);
    this.completed.push(e);
  }

  private remove(e: StunTableEntry<C>): void {
    const i = this.entries.indexOf(e);
    if (i >= 0) this.entries.splice(i, 1);
    const key = idKey(e.transaction.transactionId);
    const bucket = this.byKey.get(key);
    if (!bucket) return;
    const j = bucket.indexOf(e);
    if (j >= 0) bucket.splice(j, 1);
    if (bucket.length === 0) this.byKey.delete(key);
  }
}
