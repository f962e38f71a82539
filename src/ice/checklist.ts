/**
 * Candidates as the agent holds them, candidate pairs, and one generation's checklist
 * (RFC 8445 6.1.2): formation, ordering by pair priority, pruning, freezing and the choice of
 * the next pair to check.
 */
import type { Address } from '../stun/index.js';
import type { IceCandidate } from './candidate.js';
import { pairPriority } from './priority.js';
import type { IceRole } from './types.js';

export interface LocalCandidate {
  /** As signalled (its address may be an mDNS name). */
  candidate: IceCandidate;
  /** The socket checks from this candidate are sent from. */
  base: Address;
  /** The transport address itself (for srflx/prflx: the mapped address). */
  address: Address;
}

export interface RemoteCandidate {
  candidate: IceCandidate;
  /** Resolved transport address. */
  address: Address;
}

export type PairState = 'frozen' | 'waiting' | 'in-progress' | 'succeeded' | 'failed';

export interface CandidatePair {
  local: LocalCandidate;
  remote: RemoteCandidate;
  generation: Generation;
  foundation: string;
  priority: bigint;
  state: PairState;
  /** A check on this pair succeeded, or it was built from a successful check (valid list). */
  valid: boolean;
  nominated: boolean;
  /** The pair the valid list got from this pair's successful check (itself or a prflx one). */
  validPair?: CandidatePair;
  /** Controlled: the peer nominated this pair before it was valid here. */
  nominateOnSuccess: boolean;
  /** Controlling: the next check on this pair carries USE-CANDIDATE. */
  useCandidate: boolean;
  inTriggeredQueue: boolean;
  /** Key of the check transaction in flight, if any. */
  transaction?: string;
}

/** An authenticated check that arrived before the remote credentials (RFC 8838 / 8445 7.3.1.3). */
export interface EarlyCheck {
  remote: Address;
  local: Address;
  priority: number;
  useCandidate: boolean;
}

export function sameAddress(a: Address, b: Address): boolean {
  return a.port === b.port && a.address === b.address && a.family === b.family;
}

/** One set of credentials (an ICE restart makes a new one) with its candidates and checklist. */
export class Generation {
  remoteUfrag: string | undefined;
  remotePwd: string | undefined;
  remoteKey: Uint8Array | undefined;
  readonly localKey: Uint8Array;
  readonly localCandidates: LocalCandidate[] = [];
  readonly remoteCandidates: RemoteCandidate[] = [];
  /** Ordered by priority, highest first. */
  pairs: CandidatePair[] = [];
  readonly triggered: CandidatePair[] = [];
  readonly earlyChecks: EarlyCheck[] = [];
  endOfRemoteCandidates = false;
  localAddressesDone = false;
  /** Gathering requests not yet answered or timed out. */
  pendingGathers = 0;
  gatheringComplete = false;
  /** Controlling: the pair whose nomination check is in flight or done. */
  nominating: CandidatePair | undefined;
  /** Controlling: a pair ranked above the best valid one was checked ahead of its Ta slot. */
  betterPairChecked = false;
  firstValidAt: number | undefined;
  /** The peer has sent an authenticated check: it has our credentials (its description). */
  peerChecked = false;
  /** Reported 'writable': data may go on the best valid pair until one is selected. */
  writable = false;
  /**
   * When checks could start (both sides' credentials known): the PAC timer (RFC 8863 4) runs
   * from here, whether or not there is any pair to check yet.
   */
  pacStartedAt: number | undefined;
  failed = false;
  /** When nothing was left to check (and no end-of-candidates seen), for the failed timeout. */
  idleSince: number | undefined;

  constructor(
    readonly localUfrag: string,
    readonly localPwd: string,
    localKey: Uint8Array,
  ) {
    this.localKey = localKey;
  }

  findPair(base: Address, remote: Address): CandidatePair | undefined {
    for (const p of this.pairs) {
      if (sameAddress(p.remote.address, remote) && sameAddress(p.local.base, base)) {
        if (p.local.candidate.type === 'host') return p;
      }
    }
    return undefined;
  }

  findRemote(address: Address): RemoteCandidate | undefined {
    return this.remoteCandidates.find((r) => sameAddress(r.address, address));
  }

  findLocalByAddress(base: Address, address: Address): LocalCandidate | undefined {
    return this.localCandidates.find(
      (l) => sameAddress(l.base, base) && sameAddress(l.address, address),
    );
  }

  /**
   * Adds the pair (local, remote) unless an equivalent one exists (same base and remote:
   * RFC 8445 6.1.2.4 pruning keeps only the highest priority). Returns the pair that stands.
   */
  addPair(
    local: LocalCandidate,
    remote: RemoteCandidate,
    role: IceRole,
    state: PairState,
  ): CandidatePair {
    for (const p of this.pairs) {
      if (p.local === local && p.remote === remote) return p;
    }
    const pair: CandidatePair = {
      local,
      remote,
      generation: this,
      foundation: `${local.candidate.foundation}:${remote.candidate.foundation}`,
      priority: computePairPriority(local, remote, role),
      state,
      valid: false,
      nominated: false,
      nominateOnSuccess: false,
      useCandidate: false,
      inTriggeredQueue: false,
    };
    this.insertSorted(pair);
    return pair;
  }

  private insertSorted(pair: CandidatePair): void {
    let i = this.pairs.length;
    while (i > 0 && this.pairs[i - 1]!.priority < pair.priority) i--;
    this.pairs.splice(i, 0, pair);
  }

  /** After a role switch the controlling/controlled sides of every pair priority swap. */
  recomputePriorities(role: IceRole): void {
    for (const p of this.pairs) p.priority = computePairPriority(p.local, p.remote, role);
    this.pairs.sort((a, b) => (a.priority > b.priority ? -1 : a.priority < b.priority ? 1 : 0));
  }

  /** A check succeeded: pairs with the same foundation may go ahead (RFC 8445 7.2.5.3.3). */
  unfreezeFoundation(foundation: string): void {
    for (const p of this.pairs) {
      if (p.state === 'frozen' && p.foundation === foundation) p.state = 'waiting';
    }
  }

  /**
   * A new pair starts Waiting when no pair of its foundation is already waiting or in
   * progress (RFC 8445 6.1.2.6, applied as pairs trickle in); otherwise Frozen.
   */
  initialState(foundation: string): PairState {
    for (const p of this.pairs) {
      if (p.foundation === foundation && (p.state === 'waiting' || p.state === 'in-progress')) {
        return 'frozen';
      }
    }
    return 'waiting';
  }

  /** Failed pairs go back to Waiting for another round of checks. */
  retryFailedPairs(): void {
    for (const p of this.pairs) if (p.state === 'failed') p.state = 'waiting';
  }

  enqueueTriggered(pair: CandidatePair): void {
    if (pair.inTriggeredQueue) return;
    pair.inTriggeredQueue = true;
    this.triggered.push(pair);
  }

  removeTriggered(pair: CandidatePair): void {
    if (!pair.inTriggeredQueue) return;
    const i = this.triggered.indexOf(pair);
    if (i >= 0) this.triggered.splice(i, 1);
    pair.inTriggeredQueue = false;
  }

  /**
   * The pair the next paced check goes to: the triggered queue first, then the highest
   * priority Waiting pair, then (when none waits) the highest priority Frozen one
   * (RFC 8445 6.1.4.2).
   */
  nextPairToCheck(triggeredOnly = false): CandidatePair | undefined {
    while (this.triggered.length > 0) {
      const p = this.triggered.shift()!;
      p.inTriggeredQueue = false;
      // A pair already being checked needs no second check, unless this one nominates; nor
      // does one that succeeded since it was queued (RFC 8445 7.3.1.4): checking it again
      // would take the slot of pairs not yet checked, and its check would trigger the peer's
      // check of it in turn, every Ta.
      if (p.useCandidate) return p;
      if (p.transaction === undefined && p.state !== 'succeeded') return p;
    }
    if (triggeredOnly) return undefined;
    for (const p of this.pairs) if (p.state === 'waiting') return p;
    for (const p of this.pairs) if (p.state === 'frozen') return p;
    return undefined;
  }

  hasCheckWork(): boolean {
    if (this.triggered.length > 0) return true;
    for (const p of this.pairs) if (p.state === 'waiting' || p.state === 'frozen') return true;
    return false;
  }

  /** True when some pair may still succeed (not yet checked, or a check is in flight). */
  hasPendingPairs(): boolean {
    if (this.triggered.length > 0) return true;
    for (const p of this.pairs) {
      if (p.state !== 'succeeded' && p.state !== 'failed') return true;
      if (p.transaction !== undefined) return true;
    }
    return false;
  }

  bestValidPair(): CandidatePair | undefined {
    let best: CandidatePair | undefined;
    for (const p of this.pairs) if (p.valid && (!best || p.priority > best.priority)) best = p;
    return best;
  }

  bestNominatedPair(): CandidatePair | undefined {
    let best: CandidatePair | undefined;
    for (const p of this.pairs) {
      if (p.valid && p.nominated && (!best || p.priority > best.priority)) best = p;
    }
    return best;
  }

  /** Whether a pair ranked above `pair` may still become valid (so nominating now is early). */
  hasBetterPending(pair: CandidatePair): boolean {
    for (const p of this.pairs) {
      if (p.priority <= pair.priority) break;
      if (!p.valid && p.state !== 'failed') return true;
    }
    return false;
  }
}

function computePairPriority(local: LocalCandidate, remote: RemoteCandidate, role: IceRole) {
  const l = local.candidate.priority;
  const r = remote.candidate.priority;
  return role === 'controlling' ? pairPriority(l, r) : pairPriority(r, l);
}
