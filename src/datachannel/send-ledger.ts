/**
 * What one channel has handed to the association and not yet seen go out, in send order, so
 * that the association's 'sent' events (counted in wire bytes, per stream) can be turned back
 * into user bytes for bufferedAmount. Control messages and empty messages occupy wire bytes
 * but no user bytes; they are stored negated.
 *
 * No object per message: the oldest entry is a field, the others wait in a queue of numbers
 * made when first needed. A connection may hold thousands of channels that each have a
 * message or two pending at a time; those cost no allocation here at all.
 */
import { Fifo } from '../util/fifo.js';

export class SendLedger {
  /** The oldest entry, 0 when there is none. */
  private first = 0;
  /** The entries after `first`. */
  private rest: Fifo<number> | undefined;
  /** Wire bytes still pending across all entries. */
  wireBytes = 0;

  get empty(): boolean {
    return this.first === 0;
  }

  /** Records a message of `wireBytes` (> 0), of which all or none are user bytes. */
  push(wireBytes: number, isUserData: boolean): void {
    const entry = isUserData ? wireBytes : -wireBytes;
    this.wireBytes += wireBytes;
    if (this.first === 0) {
      this.first = entry;
    } else {
      this.rest ??= new Fifo();
      this.rest.push(entry);
    }
  }

  /**
   * Consumes `bytes` wire bytes from the oldest entries and returns how many of them were user
   * bytes. Bytes beyond what is recorded are ignored.
   */
  consume(bytes: number): number {
    let user = 0;
    while (bytes > 0 && this.first !== 0) {
      const entry = this.first;
      const size = Math.abs(entry);
      const take = Math.min(bytes, size);
      if (entry > 0) user += take;
      bytes -= take;
      this.wireBytes -= take;
      if (take === size) this.first = this.rest?.shift() ?? 0;
      else this.first = entry < 0 ? entry + take : entry - take;
    }
    return user;
  }

  /** Drops every entry; returns the user bytes they held. */
  clear(): number {
    let user = Math.max(this.first, 0);
    const rest = this.rest;
    if (rest !== undefined) {
      for (let e = rest.shift(); e !== undefined; e = rest.shift()) if (e > 0) user += e;
    }
    this.first = 0;
    this.wireBytes = 0;
    return user;
  }
}
