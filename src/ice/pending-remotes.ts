/**
 * Remote candidates that cannot be paired yet: those naming a ufrag whose credentials have not
 * arrived, and those whose address is an mDNS name the driver is resolving.
 */
import type { IceCandidate } from './candidate.js';

/** Bounds on what a peer can make the agent remember before it can check anything. */
const MAX_HELD = 256;

export type MdnsLookup =
  | { kind: 'resolved'; address: string }
  /** The name did not resolve, or too many candidates wait for it: drop the candidate. */
  | { kind: 'dropped' }
  /** First candidate with this name: the caller emits one 'mdns-query'. */
  | { kind: 'query' }
  | { kind: 'waiting' };

export class PendingRemotes<G> {
  private held: IceCandidate[] = [];
  // Both maps are made on the first mDNS name: most connections never see one, and thousands
  // of idle connections would each keep two empty maps.
  private waiting: Map<string, { generation: G; candidate: IceCandidate }[]> | undefined;
  /** Resolved names (null: the name did not resolve, and its candidates are dropped). */
  private resolved: Map<string, string | null> | undefined;

  hold(c: IceCandidate): void {
    if (this.held.length < MAX_HELD) this.held.push(c);
  }

  /** Removes and returns the held candidates naming `ufrag`. */
  takeHeld(ufrag: string): IceCandidate[] {
    const taken = this.held.filter((c) => c.ufrag === ufrag);
    if (taken.length > 0) this.held = this.held.filter((c) => c.ufrag !== ufrag);
    return taken;
  }

  /** Looks up the candidate's mDNS name, queueing the candidate when the answer is pending. */
  lookupMdns(generation: G, c: IceCandidate): MdnsLookup {
    const name = c.address.toLowerCase();
    const resolved = this.resolved?.get(name);
    if (resolved === null) return { kind: 'dropped' };
    if (resolved !== undefined) return { kind: 'resolved', address: resolved };
    this.waiting ??= new Map();
    let list = this.waiting.get(name);
    const first = list === undefined;
    if (!list) {
      list = [];
      this.waiting.set(name, list);
    }
    if (list.length >= MAX_HELD) return { kind: 'dropped' };
    list.push({ generation, candidate: c });
    return first ? { kind: 'query' } : { kind: 'waiting' };
  }

  /**
   * Records the answer for `hostname` (undefined: it did not resolve) and returns the
   * candidates that were waiting for it; undefined when nothing was.
   */
  resolve(
    hostname: string,
    address: string | undefined,
  ): { generation: G; candidate: IceCandidate }[] | undefined {
    const name = hostname.toLowerCase();
    const list = this.waiting?.get(name);
    if (!list) return undefined;
    this.waiting!.delete(name);
    this.resolved ??= new Map();
    this.resolved.set(name, address ?? null);
    return address === undefined ? [] : list;
  }

  isWaitingFor(generation: G): boolean {
    if (this.waiting === undefined) return false;
    for (const list of this.waiting.values()) {
      for (const w of list) if (w.generation === generation) return true;
    }
    return false;
  }
}
