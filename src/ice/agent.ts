/**
 * The ICE agent (RFC 8445 full ICE, RFC 8838 trickle, RFC 7675 consent), sans-IO: the driver
 * feeds it datagrams, addresses and time, and drains transmits and events.
 */
import { isIP } from 'node:net';
import {
  type Address,
  decodeStun,
  getErrorCode,
  getIceControlled,
  getIceControlling,
  getPriority,
  getUsername,
  getXorMappedAddress,
  hasUseCandidate,
  isStunMessage,
  newTransactionId,
  StunClientTransaction,
  type StunMessage,
  type StunMessageTemplate,
  StunMethod,
  shortTermKey,
  unknownComprehensionRequired,
  verifyFingerprint,
  verifyMessageIntegrity,
} from '../stun/index.js';
import { Fifo } from '../util/fifo.js';
import { type IceCandidate, isMdnsName } from './candidate.js';
import {
  type Base,
  copyCandidate,
  hostCandidate,
  localPrflxCandidate,
  remotePrflxCandidate,
  srflxCandidate,
  stunUrl,
  toAddress,
} from './candidate-factory.js';
import {
  type CandidatePair,
  Generation,
  type LocalCandidate,
  type RemoteCandidate,
  sameAddress,
} from './checklist.js';
import { ConsentTracker } from './consent.js';
import { randomMdnsHostname, randomPwd, randomTieBreaker, randomUfrag } from './credentials.js';
import {
  buildCheckError,
  buildCheckRequest,
  buildCheckSuccess,
  buildCheckUnknownAttributes,
  buildGatherRequest,
  checkRequestTemplate,
} from './messages.js';
import { PendingRemotes } from './pending-remotes.js';
import { candidatePriority, localPreference } from './priority.js';
import type {
  IceAgentOptions,
  IceEvent,
  IceGatheringState,
  IceRole,
  IceTransmit,
  IceTransportState,
} from './types.js';

type TransactionEntry =
  | {
      kind: 'check' | 'consent';
      tx: StunClientTransaction;
      pair: CandidatePair;
      base: Address;
      remote: Address;
      useCandidate: boolean;
      role: IceRole;
      /** The PRIORITY sent: a local prflx candidate learned from the response gets it. */
      priority: number;
      /**
       * Superseded by a triggered check (RFC 8445 7.3.1.4): no more retransmissions and no
       * failure on timeout, but a late response still counts.
       */
      cancelled: boolean;
    }
  | {
      kind: 'gather';
      tx: StunClientTransaction;
      generation: Generation;
      base: Base;
      remote: Address;
    };

/** Bounds on what a peer can make the agent remember. */
const MAX_EARLY_CHECKS = 64;
const MAX_REMOTE_CANDIDATES = 256;

/** The earlier of a deadline and a candidate for it. */
function earliest(t: number | undefined, x: number): number {
  return t === undefined || x < t ? x : t;
}

/** The 12-byte id as a 12-character string, for a Map key. */
function transactionKey(id: Uint8Array): string {
  return String.fromCharCode(
    id[0]!,
    id[1]!,
    id[2]!,
    id[3]!,
    id[4]!,
    id[5]!,
    id[6]!,
    id[7]!,
    id[8]!,
    id[9]!,
    id[10]!,
    id[11]!,
  );
}

export class IceAgent {
  private _role: IceRole;
  private _state: IceTransportState = 'new';
  private _gatheringState: IceGatheringState = 'new';
  readonly tieBreaker: bigint;
  private readonly component: number;
  private readonly stunServers: Address[];
  private readonly mdnsHostnames: boolean;
  private readonly ta: number;
  private readonly checkRto: number;
  private readonly checkRc: number;
  private readonly checkRm: number;
  private readonly gatherRc: number;
  private readonly nominationTimeout: number;
  private readonly aggressiveNomination: boolean;
  private readonly failedTimeout: number;
  private readonly pacTimeout: number;

  private gen: Generation;
  /** Older generations, kept while one of their pairs is still the pair in use. */
  private oldGens: Generation[] = [];
  private readonly bases: Base[] = [];
  private localAddressesDone = false;
  private readonly gatherJobs: { generation: Generation; base: Base; server: Address }[] = [];
  private readonly transactions = new Map<string, TransactionEntry>();
  private readonly transmits = new Fifo<IceTransmit>();
  private readonly events = new Fifo<IceEvent>();
  private readonly pending = new PendingRemotes<Generation>();
  /** The pair nomination chose (RFC 8445 8.1.1); checking stops in its generation. */
  private selected: CandidatePair | undefined;
  /**
   * The pair data goes on, which consent is kept on and which is reported as selected: the
   * selected pair or, until there is one, the best valid pair of a writable generation. As in
   * browsers, the transport is 'connected' from the first usable pair, not from the nomination.
   */
  private current: CandidatePair | undefined;
  private readonly consent: ConsentTracker;
  /** The consent request of the current pair, encoded once, and what it was encoded for. */
  private consentRequest:
    | {
        pair: CandidatePair;
        role: IceRole;
        useCandidate: boolean;
        priority: number;
        template: StunMessageTemplate;
      }
    | undefined;
  /** Remotes data is accepted from: address → ports (no string building per datagram). */
  private readonly dataRemotes = new Map<string, Set<number>>();
  private lastPacedAt: number;
  private lastNow: number;
  private closed = false;

  constructor(opts: IceAgentOptions) {
    this._role = opts.role;
    this.tieBreaker = BigInt.asUintN(64, opts.tieBreaker ?? randomTieBreaker());
    this.component = opts.component ?? 1;
    this.stunServers = (opts.stunServers ?? []).slice();
    this.mdnsHostnames = opts.mdnsHostnames ?? false;
    this.ta = opts.ta ?? 50;
    this.checkRto = opts.checkRto ?? 500;
    this.checkRc = opts.checkRc ?? 5;
    this.checkRm = opts.checkRm ?? 2;
    this.gatherRc = opts.gatherRc ?? 4;
    this.nominationTimeout = opts.nominationTimeout ?? 1000;
    this.aggressiveNomination = opts.aggressiveNomination ?? false;
    this.failedTimeout = opts.failedTimeout ?? 30_000;
    this.pacTimeout = opts.pacTimeout ?? 39_500;
    this.consent = new ConsentTracker(
      opts.consentInterval ?? 5000,
      opts.disconnectedTimeout ?? 3000,
      opts.consentTimeout ?? 30_000,
      opts.random ?? Math.random,
    );
    this.lastNow = opts.now;
    this.lastPacedAt = opts.now - this.ta;
    this.gen = this.newGeneration(opts.localUfrag, opts.localPwd);
  }

  get role(): IceRole {
    return this._role;
  }
  get state(): IceTransportState {
    return this._state;
  }
  get gatheringState(): IceGatheringState {
    return this._gatheringState;
  }
  get localUfrag(): string {
    return this.gen.localUfrag;
  }
  get localPwd(): string {
    return this.gen.localPwd;
  }

  private newGeneration(ufrag?: string, pwd?: string): Generation {
    const u = ufrag ?? randomUfrag();
    const p = pwd ?? randomPwd();
    const g = new Generation(u, p, shortTermKey(p));
    g.localAddressesDone = this.localAddressesDone;
    return g;
  }

  // ---- Local candidates and gathering --------------------------------------------------

  addLocalAddress(base: Address, now: number): void {
    this.lastNow = now;
    if (this.closed || toAddress(base.address, base.port) === undefined) return;
    if (this.bases.some((b) => sameAddress(b.address, base))) return;
    const index = this.bases.filter((b) => b.address.family === base.family).length;
    const b: Base = {
      address: { address: base.address, port: base.port, family: base.family },
      localPreference: localPreference(base.family, index),
      hostname: undefined,
    };
    if (this.mdnsHostnames) {
      // One name per IP, shared by every socket bound on it (as browsers do).
      const same = this.bases.find((o) => o.address.address === base.address);
      b.hostname = same?.hostname ?? randomMdnsHostname();
      if (!same) this.emit({ type: 'mdns-register', hostname: b.hostname, address: base.address });
    }
    this.bases.push(b);
    this.setGatheringState('gathering');
    this.gen.gatheringComplete = false;
    this.gatherFrom(this.gen, b);
    this.checkGatheringComplete(this.gen);
    this.process(now, false);
  }

  endOfLocalAddresses(now: number): void {
    this.lastNow = now;
    if (this.closed) return;
    this.localAddressesDone = true;
    this.gen.localAddressesDone = true;
    this.setGatheringState('gathering');
    this.checkGatheringComplete(this.gen);
    this.process(now, false);
  }

  /** Host candidate for `base` in `g`, paired with g's remotes, and srflx requests queued. */
  private gatherFrom(g: Generation, b: Base): void {
    const candidate = hostCandidate(b, this.component, g.localUfrag);
    const local: LocalCandidate = { candidate, base: b.address, address: b.address };
    g.localCandidates.push(local);
    this.emit({ type: 'local-candidate', candidate: copyCandidate(candidate) });
    for (const r of g.remoteCandidates) this.pairUp(g, local, r);
    for (const server of this.stunServers) {
      if (server.family !== b.address.family) continue;
      g.pendingGathers++;
      this.gatherJobs.push({ generation: g, base: b, server });
    }
  }

  private startGather(job: { generation: Generation; base: Base; server: Address }, now: number) {
    const id = newTransactionId();
    const tx = new StunClientTransaction(buildGatherRequest(id), id, now, {
      rto: this.checkRto,
      rc: this.gatherRc,
      rm: 2,
    });
    const entry: TransactionEntry = {
      kind: 'gather',
      tx,
      generation: job.generation,
      base: job.base,
      remote: job.server,
    };
    this.transactions.set(transactionKey(id), entry);
    this.flushTransaction(entry);
  }

  private onGatherDone(
    entry: Extract<TransactionEntry, { kind: 'gather' }>,
    response: StunMessage | undefined,
  ) {
    const g = entry.generation;
    g.pendingGathers--;
    const b = entry.base;
    const server = entry.remote;
    const mapped = response?.class === 'success' ? getXorMappedAddress(response) : undefined;
    if (!mapped) {
      const err = response ? getErrorCode(response) : undefined;
      this.emit({
        type: 'candidate-error',
        address: b.hostname ?? b.address.address,
        port: b.address.port,
        url: stunUrl(server),
        errorCode: err?.code ?? 701,
        errorText: err?.reason ?? (response ? 'no mapped address' : 'STUN server unreachable'),
      });
    } else if (
      !sameAddress(mapped, b.address) &&
      !g.localCandidates.some((l) => l.candidate.type === 'srflx' && sameAddress(l.address, mapped))
    ) {
      const candidate = srflxCandidate(b, mapped, server, this.component, g.localUfrag);
      // Not paired: a srflx candidate's pairs are redundant with its base's (RFC 8445 6.1.2.4).
      g.localCandidates.push({ candidate, base: b.address, address: mapped });
      if (g === this.gen)
        this.emit({ type: 'local-candidate', candidate: copyCandidate(candidate) });
    }
    this.checkGatheringComplete(g);
  }

  private checkGatheringComplete(g: Generation): void {
    if (g.gatheringComplete || !g.localAddressesDone || g.pendingGathers > 0) return;
    g.gatheringComplete = true;
    if (g === this.gen) this.setGatheringState('complete');
  }

  private setGatheringState(s: IceGatheringState): void {
    if (this._gatheringState === s) return;
    this._gatheringState = s;
    this.emit({ type: 'gathering-state', state: s });
  }

  // ---- Remote credentials and candidates ----------------------------------------------

  setRemoteCredentials(ufrag: string, pwd: string, now: number): void {
    this.lastNow = now;
    if (this.closed) return;
    let g = this.gen;
    if (g.remoteUfrag !== undefined) {
      if (g.remoteUfrag === ufrag && g.remotePwd === pwd) return;
      // New remote credentials on a generation that has some: the peer restarted ICE first.
      this.restartGeneration(now);
      g = this.gen;
    }
    g.remoteUfrag = ufrag;
    g.remotePwd = pwd;
    g.remoteKey = shortTermKey(pwd);
    g.pacStartedAt ??= now;
    for (const c of this.pending.takeHeld(ufrag)) this.addRemoteTo(g, c);
    for (const e of g.earlyChecks.splice(0)) {
      this.onAuthenticatedCheck(g, e.remote, e.local, e.priority, e.useCandidate);
    }
    this.process(now, false);
  }

  addRemoteCandidate(c: IceCandidate, now: number): void {
    this.lastNow = now;
    if (this.closed || !c || c.component !== this.component || c.transport !== 'udp') return;
    if (
      typeof c.address !== 'string' ||
      !Number.isInteger(c.port) ||
      c.port < 1 ||
      c.port > 65535
    ) {
      return;
    }
    let g: Generation | undefined = this.gen;
    if (c.ufrag !== undefined && c.ufrag !== g.remoteUfrag) {
      g = this.oldGens.find((o) => o.remoteUfrag === c.ufrag);
      // A generation whose credentials have not arrived yet (or a stale one): hold it.
      if (!g) {
        this.pending.hold(c);
        return;
      }
    }
    this.addRemoteTo(g, c);
    this.process(now, false);
  }

  private addRemoteTo(g: Generation, c: IceCandidate): void {
    let address = c.address;
    if (isMdnsName(address)) {
      const r = this.pending.lookupMdns(g, c);
      if (r.kind === 'query') this.emit({ type: 'mdns-query', hostname: c.address });
      if (r.kind !== 'resolved') return;
      address = r.address;
    }
    // Other host names are the signalling layer's to resolve; an unresolved one is dropped.
    const a = toAddress(address, c.port);
    if (a) this.addResolvedRemote(g, c, a);
  }

  resolveMdns(hostname: string, address: string | undefined, now: number): void {
    this.lastNow = now;
    if (this.closed || typeof hostname !== 'string') return;
    const ip = address !== undefined && isIP(address) !== 0 ? address : undefined;
    const waiting = this.pending.resolve(hostname, ip);
    if (!waiting) return;
    for (const w of waiting) {
      if (w.generation !== this.gen && !this.oldGens.includes(w.generation)) continue;
      const a = toAddress(ip!, w.candidate.port);
      if (a) this.addResolvedRemote(w.generation, w.candidate, a);
    }
    this.process(now, false);
  }

  private addResolvedRemote(g: Generation, c: IceCandidate, address: Address): void {
    const existing = g.findRemote(address);
    if (existing) {
      // A peer-reflexive candidate turned out to be a signalled one: take its type and
      // priority (RFC 8838 11).
      if (existing.candidate.type === 'prflx' && c.type !== 'prflx') {
        existing.candidate = copyCandidate(c);
        g.recomputePriorities(this._role);
      }
      return;
    }
    if (g.remoteCandidates.length >= MAX_REMOTE_CANDIDATES) return;
    const remote: RemoteCandidate = { candidate: copyCandidate(c), address };
    g.remoteCandidates.push(remote);
    for (const l of g.localCandidates) this.pairUp(g, l, remote);
    g.idleSince = undefined;
  }

  private pairUp(g: Generation, local: LocalCandidate, remote: RemoteCandidate): void {
    if (local.candidate.type !== 'host' || local.base.family !== remote.address.family) return;
    const foundation = `${local.candidate.foundation}:${remote.candidate.foundation}`;
    g.addPair(local, remote, this._role, g.initialState(foundation));
  }

  endOfRemoteCandidates(now: number): void {
    this.lastNow = now;
    if (this.closed) return;
    this.gen.endOfRemoteCandidates = true;
    this.process(now, false);
  }

  // ---- Restart ---------------------------------------------------------------------------

  restart(now: number, ufrag?: string, pwd?: string): void {
    this.lastNow = now;
    if (this.closed) return;
    this.restartGeneration(now, ufrag, pwd);
    this.process(now, false);
  }

  private restartGeneration(now: number, ufrag?: string, pwd?: string): void {
    if (this.current && this.consent.expired) {
      this.selected = undefined;
      this.current = undefined;
      this.consentRequest = undefined;
      this.dataRemotes.clear();
    }
    const keep = (this.selected ?? this.current)?.generation;
    for (const g of [this.gen, ...this.oldGens]) if (g !== keep) this.cancelTransactions(g);
    this.oldGens = keep ? [keep] : [];
    this.gen = this.newGeneration(ufrag, pwd);
    this.gatherJobs.length = 0;
    if (this.bases.length > 0 || this.localAddressesDone) this.setGatheringState('gathering');
    for (const b of this.bases) this.gatherFrom(this.gen, b);
    this.checkGatheringComplete(this.gen);
    this.lastNow = now;
  }

  private cancelTransactions(g: Generation): void {
    for (const [k, e] of this.transactions) {
      const owner = e.kind === 'gather' ? e.generation : e.pair.generation;
      if (owner === g) this.transactions.delete(k);
    }
  }

  // ---- Datagrams -------------------------------------------------------------------------

  handleDatagram(data: Uint8Array, remote: Address, local: Address, now: number): void {
    if (this.closed || data.length === 0) return;
    // RFC 7983: a first byte of 0..3 is STUN; anything else is the application's.
    if (data[0]! > 3) {
      if (this.consent.expired && this.current) return;
      const ports = this.dataRemotes.get(remote.address);
      if (ports === undefined || !ports.has(remote.port)) return;
      this.events.push({ type: 'data', data, local, remote });
      return;
    }
    this.lastNow = now;
    if (!isStunMessage(data)) return;
    const r = decodeStun(data);
    if (!r.ok) return;
    try {
      if (r.message.class === 'request') this.handleRequest(r.message, remote, local);
      else if (r.message.class !== 'indication') this.handleResponse(r.message, remote, local, now);
    } catch {
      // A datagram that trips an unforeseen case is dropped like any other bad input.
      return;
    }
    this.process(now);
  }

  private handleRequest(m: StunMessage, remote: Address, local: Address): void {
    // Checks without valid FINGERPRINT, USERNAME for one of our generations and
    // MESSAGE-INTEGRITY are dropped without a word: an error would only help an attacker.
    if (m.method !== StunMethod.Binding || !verifyFingerprint(m)) return;
    const username = getUsername(m);
    if (username === undefined) return;
    const colon = username.indexOf(':');
    if (colon <= 0) return;
    const ufrag = username.slice(0, colon);
    const g =
      this.gen.localUfrag === ufrag ? this.gen : this.oldGens.find((o) => o.localUfrag === ufrag);
    if (!g || !verifyMessageIntegrity(m, g.localKey)) return;

    const unknown = unknownComprehensionRequired(m);
    if (unknown.length > 0) {
      this.transmit(local, remote, buildCheckUnknownAttributes(m, unknown, g.localKey));
      return;
    }
    const priority = getPriority(m);
    if (priority === undefined) {
      this.transmit(local, remote, buildCheckError(m, 400, 'Bad Request', g.localKey));
      return;
    }
    // Role conflict (RFC 8445 7.3.1.1): the larger tie-breaker is controlling.
    const theirControlling = this._role === 'controlling' ? getIceControlling(m) : undefined;
    const theirControlled = this._role === 'controlled' ? getIceControlled(m) : undefined;
    if (theirControlling !== undefined) {
      if (this.tieBreaker >= theirControlling) {
        this.transmit(local, remote, buildCheckError(m, 487, 'Role Conflict', g.localKey));
        return;
      }
      this.switchRole('controlled');
    } else if (theirControlled !== undefined) {
      if (this.tieBreaker >= theirControlled) this.switchRole('controlling');
      else {
        this.transmit(local, remote, buildCheckError(m, 487, 'Role Conflict', g.localKey));
        return;
      }
    }
    this.transmit(local, remote, buildCheckSuccess(m, remote, g.localKey));
    this.acceptDataFrom(remote);
    const useCandidate = hasUseCandidate(m);
    if (g.remoteKey === undefined) {
      // Answered already; it becomes a pair once the credentials arrive (RFC 8445 7.3.1.3).
      if (g.earlyChecks.length < MAX_EARLY_CHECKS) {
        g.earlyChecks.push({ remote: { ...remote }, local: { ...local }, priority, useCandidate });
      }
      return;
    }
    this.onAuthenticatedCheck(g, remote, local, priority, useCandidate);
  }

  /**
   * Reports 'writable' once this generation has a valid pair and the peer has checked us too:
   * a pair answered only proves the peer has our offer, and data sent before it has the
   * answer (its DTLS not yet set up, its checks not started) would be lost or start timers.
   */
  private checkWritable(g: Generation): void {
    if (g.writable || !g.peerChecked || g.firstValidAt === undefined) return;
    if (g !== this.gen || this.selected !== undefined) return;
    g.writable = true;
    this.emit({ type: 'writable' });
  }

  /** RFC 8445 7.3.1.3-7.3.1.5: learn prflx, trigger a check, note a nomination. */
  private onAuthenticatedCheck(
    g: Generation,
    remote: Address,
    local: Address,
    priority: number,
    useCandidate: boolean,
  ): void {
    if (g.failed) return;
    g.peerChecked = true;
    this.checkWritable(g);
    const localCand = g.localCandidates.find(
      (l) => l.candidate.type === 'host' && sameAddress(l.base, local),
    );
    if (!localCand) return;
    let remoteCand = g.findRemote(remote);
    if (!remoteCand) {
      if (g.remoteCandidates.length >= MAX_REMOTE_CANDIDATES) return;
      remoteCand = {
        candidate: remotePrflxCandidate(remote, priority, this.component),
        address: { address: remote.address, port: remote.port, family: remote.family },
      };
      g.remoteCandidates.push(remoteCand);
      g.idleSince = undefined;
    }
    const pair =
      g.findPair(local, remote) ?? g.addPair(localCand, remoteCand, this._role, 'waiting');
    if (pair.state === 'in-progress' && pair.transaction !== undefined && !pair.useCandidate) {
      // The peer reaches us, so a fresh check (with fresh retransmissions) is worth more than
      // the one in flight: without this, one unlucky run of losses fails a working pair.
      const inFlight = this.transactions.get(pair.transaction);
      if (inFlight?.kind === 'check') inFlight.cancelled = true;
      pair.transaction = undefined;
      pair.state = 'waiting';
    }
    if (pair.state === 'frozen' || pair.state === 'waiting' || pair.state === 'failed') {
      pair.state = 'waiting';
      g.enqueueTriggered(pair);
    }
    if (useCandidate && this._role === 'controlled') {
      if (pair.state === 'succeeded' && pair.validPair) this.nominate(pair.validPair);
      else {
        pair.nominateOnSuccess = true;
        this.checkNominatedPairNow(pair);
      }
    }
  }

  /**
   * Controlled: the peer nominated a pair whose own check is still queued. That check completes
   * the nomination, on a path the peer's check has just crossed.
   */
  private checkNominatedPairNow(pair: CandidatePair): void {
    if (!pair.inTriggeredQueue || pair.transaction !== undefined) return;
    this.checkOutOfTurn(pair, this.lastNow);
  }

  /**
   * Sends a check that decides the nomination at once rather than at the next Ta: pacing it
   * would add Ta to the setup (libwebrtc and libjuice do not wait either). It takes the pacing
   * slot, so the checks that still have to start stay Ta apart.
   */
  private checkOutOfTurn(pair: CandidatePair, now: number): void {
    if (pair.inTriggeredQueue) pair.generation.removeTriggered(pair);
    this.startCheck(pair, 'check', now);
    this.lastPacedAt = now;
  }

  private handleResponse(m: StunMessage, remote: Address, local: Address, now: number): void {
    const key = transactionKey(m.transactionId);
    const entry = this.transactions.get(key);
    if (!entry || !sameAddress(entry.remote, remote)) return;
    if (entry.kind === 'gather') {
      if (!sameAddress(entry.base.address, local)) return;
      if (!entry.tx.handleResponse(m, now)) return;
      this.transactions.delete(key);
      this.onGatherDone(entry, m);
      return;
    }
    const g = entry.pair.generation;
    if (!sameAddress(entry.base, local) || g.remoteKey === undefined) return;
    if (!verifyMessageIntegrity(m, g.remoteKey)) return;
    if (!entry.tx.handleResponse(m, now)) return;
    this.transactions.delete(key);
    if (entry.kind === 'consent' && entry.pair === this.current) {
      // RFC 7675: an authenticated success on the current pair renews consent; the mapped
      // address is of no use here, and an error response leaves consent to expire.
      if (m.class === 'success') this.consent.responded(now);
      return;
    }
    if (entry.pair.transaction === key) entry.pair.transaction = undefined;
    if (m.class === 'success') this.onCheckSuccess(entry, m, now);
    else this.onCheckError(entry, m);
  }

  private onCheckSuccess(
    entry: Extract<TransactionEntry, { kind: 'check' | 'consent' }>,
    m: StunMessage,
    now: number,
  ): void {
    const pair = entry.pair;
    const g = pair.generation;
    const mapped = getXorMappedAddress(m);
    if (!mapped) {
      if (entry.kind === 'check') this.failPair(pair);
      return;
    }
    this.acceptDataFrom(entry.remote);
    // The valid pair's local candidate is the one the mapped address names (RFC 8445
    // 7.2.5.3.1): the same host, a known srflx/prflx, or a new peer-reflexive candidate.
    let local = g.findLocalByAddress(entry.base, mapped);
    if (!local) {
      local = {
        candidate: localPrflxCandidate(entry.base, mapped, entry.priority, this.component),
        base: entry.base,
        address: mapped,
      };
      g.localCandidates.push(local);
    }
    const valid =
      local === pair.local ? pair : g.addPair(local, pair.remote, this._role, 'succeeded');
    if (entry.kind === 'check') {
      pair.state = 'succeeded';
      g.unfreezeFoundation(pair.foundation);
    }
    pair.validPair = valid;
    valid.state = 'succeeded';
    valid.valid = true;
    g.firstValidAt ??= now;
    this.checkWritable(g);
    if (this.current === valid || this.current === pair) this.consent.responded(now);
    const nominatedByUs = entry.useCandidate && this._role === 'controlling';
    const nominatedByPeer =
      this._role === 'controlled' && (pair.nominateOnSuccess || valid.nominateOnSuccess);
    if (nominatedByUs || nominatedByPeer) this.nominate(valid);
  }

  private onCheckError(
    entry: Extract<TransactionEntry, { kind: 'check' | 'consent' }>,
    m: StunMessage,
  ): void {
    if (entry.kind === 'consent') return;
    const pair = entry.pair;
    // A newer check of this pair is in flight; let it decide.
    if (entry.cancelled && pair.transaction !== undefined) return;
    if (getErrorCode(m)?.code === 487) {
      // RFC 8445 7.2.5.1: take the other role (unless a conflict already switched it) and retry.
      if (entry.role === this._role) {
        this.switchRole(entry.role === 'controlling' ? 'controlled' : 'controlling');
      }
      pair.state = 'waiting';
      pair.generation.enqueueTriggered(pair);
      return;
    }
    this.failPair(pair);
  }

  private failPair(pair: CandidatePair): void {
    pair.state = 'failed';
    pair.valid = false;
    pair.useCandidate = false;
    const g = pair.generation;
    if (g.nominating === pair) g.nominating = undefined;
  }

  /**
   * Sets the role the signaling decided (RFC 8445 6.1.1: the offerer controls), for an agent
   * created before the remote description told it; pair priorities follow the new role.
   */
  setRole(role: IceRole): void {
    this.switchRole(role);
  }

  private switchRole(role: IceRole): void {
    if (this._role === role) return;
    this._role = role;
    for (const g of [this.gen, ...this.oldGens]) {
      g.recomputePriorities(role);
      if (role === 'controlled') {
        g.nominating = undefined;
        for (const p of g.pairs) p.useCandidate = false;
      }
    }
  }

  private nominate(pair: CandidatePair): void {
    pair.nominated = true;
    const g = pair.generation;
    if (g !== this.gen) return;
    const best = g.bestNominatedPair();
    if (!best || best === this.selected) return;
    const sel = this.selected;
    if (sel && sel.generation === g && sel.priority >= best.priority) return;
    this.select(best);
  }

  private select(pair: CandidatePair): void {
    this.selected = pair;
    for (const g of this.oldGens) this.cancelTransactions(g);
    this.oldGens = [];
  }

  private usablePair(): CandidatePair | undefined {
    if (this.closed) return undefined;
    // A nominated pair is used even after consent was lost on the one in use before it: it has
    // just answered a check, so it starts with fresh consent (RFC 7675 binds consent to a pair).
    if (this.selected !== undefined) return this.selected;
    const cur = this.current;
    // Consent lost (RFC 7675 5.1) and no nomination: the transport stays failed on that pair
    // until a restart.
    if (cur !== undefined && this.consent.expired) return cur;
    const g = this.gen;
    const best = g.writable && !g.failed ? g.bestValidPair() : undefined;
    if (best !== undefined) return best;
    // Otherwise the pair in use stays, for consent to judge: a check on it may have failed
    // (say, the nomination's, on a path that has just gone), or an ICE restart begun before
    // the nomination has no pair of its own yet.
    if (cur === undefined) return undefined;
    const alive = cur.generation === g ? !g.failed : this.oldGens.includes(cur.generation);
    return alive ? cur : undefined;
  }

  /**
   * Moves data, consent and the reported selection to the pair they belong on now. A new
   * current pair has just answered a check, so it starts with fresh consent.
   */
  private updateCurrentPair(): void {
    const pair = this.usablePair();
    if (pair === this.current || pair === undefined) {
      if (pair === undefined) this.current = undefined;
      return;
    }
    this.current = pair;
    // The old pair's request (and with it its generation) need not stay alive.
    this.consentRequest = undefined;
    this.consent.start(this.lastNow);
    this.acceptDataFrom(pair.remote.address);
    this.emit({
      type: 'selected-pair',
      local: copyCandidate(pair.local.candidate),
      remote: copyCandidate(pair.remote.candidate),
    });
  }

  private acceptDataFrom(remote: Address): void {
    let ports = this.dataRemotes.get(remote.address);
    if (!ports) {
      ports = new Set();
      this.dataRemotes.set(remote.address, ports);
    }
    ports.add(remote.port);
  }

  // ---- Time ------------------------------------------------------------------------------

  handleTimeout(now: number): void {
    this.lastNow = now;
    if (this.closed) return;
    this.process(now);
  }

  /**
   * Runs everything due at `now`, then updates the state. Signalling inputs (addresses,
   * credentials, candidates) pass `startChecks` false: they often come in bursts within one
   * event-loop turn (a description's candidates, one socket per interface), and the paced check
   * they make due is left to the timeout that nextTimeout() reports as due now, so that the
   * first check goes to the best pair of the whole burst rather than to whichever came first.
   */
  private process(now: number, startChecks = true): void {
    if (this.closed) return;
    this.lastNow = now;
    for (const [k, e] of this.transactions) {
      const t = e.tx.nextTimeout();
      if (t === undefined || t > now) continue;
      e.tx.handleTimeout(now);
      if (e.kind === 'gather' || !e.cancelled) this.flushTransaction(e);
      else e.tx.pollTransmit();
      if (e.tx.state !== 'timeout') continue;
      this.transactions.delete(k);
      if (e.kind === 'gather') this.onGatherDone(e, undefined);
      else if (e.kind === 'check' && !e.cancelled) {
        if (e.pair.transaction === k) e.pair.transaction = undefined;
        this.failPair(e.pair);
      }
    }
    this.maybeNominate(now);
    if (startChecks && now >= this.lastPacedAt + this.ta && this.startPacedWork(now)) {
      this.lastPacedAt = now;
    }
    // Consent runs on the pair in use after whatever this input changed (a nomination).
    this.updateCurrentPair();
    this.runConsent(now);
    this.checkFailure(now);
    this.updateState(now);
  }

  /** Regular nomination (RFC 8445 8.1.1): once checks settle, nominate the best valid pair. */
  private maybeNominate(now: number): void {
    const g = this.gen;
    if (this._role !== 'controlling' || this.aggressiveNomination || g.nominating) return;
    if (this.selected?.generation === g || g.remoteKey === undefined || g.failed) return;
    const best = g.bestValidPair();
    if (!best) return;
    if (g.hasBetterPending(best) && now < (g.firstValidAt ?? now) + this.nominationTimeout) {
      this.checkBetterPairNow(g, best, now);
      return;
    }
    g.nominating = best;
    best.useCandidate = true;
    // It repeats a check that has just succeeded, on a path whose bindings exist.
    this.checkOutOfTurn(best, now);
  }

  /**
   * While the nomination waits for pairs ranked above the best valid one, the first of them
   * still unchecked is checked out of turn: it is typically the one the wait is for, its remote
   * candidate having trickled in after the checks began. Once per generation.
   */
  private checkBetterPairNow(g: Generation, best: CandidatePair, now: number): void {
    if (g.betterPairChecked) return;
    for (const p of g.pairs) {
      if (p.priority <= best.priority) return;
      if (p.transaction !== undefined || (p.state !== 'waiting' && p.state !== 'frozen')) continue;
      g.betterPairChecked = true;
      this.checkOutOfTurn(p, now);
      return;
    }
  }

  private pacedWorkAvailable(): boolean {
    if (this.gatherJobs.length > 0) return true;
    const g = this.gen;
    if (g.remoteKey === undefined || g.failed) return false;
    if (this.selected?.generation === g) return g.triggered.length > 0;
    return g.hasCheckWork();
  }

  /** One new transaction per Ta (RFC 8445 14.2): gathering first, then checks. */
  private startPacedWork(now: number): boolean {
    const job = this.gatherJobs.shift();
    if (job) {
      this.startGather(job, now);
      return true;
    }
    const g = this.gen;
    if (g.remoteKey === undefined || g.failed) return false;
    // Once this generation has its pair, only checks the peer triggered are still worth sending.
    const pair = g.nextPairToCheck(this.selected?.generation === g);
    if (!pair) return false;
    this.startCheck(pair, 'check', now);
    return true;
  }

  private startCheck(pair: CandidatePair, kind: 'check' | 'consent', now: number): void {
    const g = pair.generation;
    if (g.remoteKey === undefined || g.remoteUfrag === undefined) return;
    if (kind === 'check') {
      if (pair.transaction !== undefined) this.transactions.delete(pair.transaction);
      pair.state = 'in-progress';
    }
    const id = newTransactionId();
    const useCandidate =
      this._role === 'controlling' &&
      (pair.useCandidate || this.aggressiveNomination || (kind === 'consent' && pair.nominated));
    const base = this.bases.find((b) => sameAddress(b.address, pair.local.base));
    const priority = candidatePriority('prflx', base?.localPreference ?? 0, this.component);
    const request =
      kind === 'consent'
        ? this.consentTemplate(pair, priority, useCandidate).build(id)
        : buildCheckRequest({
            transactionId: id,
            username: `${g.remoteUfrag}:${g.localUfrag}`,
            priority,
            role: this._role,
            tieBreaker: this.tieBreaker,
            useCandidate,
            key: g.remoteKey,
          });
    const tx = new StunClientTransaction(request, id, now, {
      rto: this.checkRto,
      rc: this.checkRc,
      rm: this.checkRm,
    });
    const entry: TransactionEntry = {
      kind,
      tx,
      pair,
      base: pair.local.base,
      remote: pair.remote.address,
      useCandidate,
      role: this._role,
      priority,
      cancelled: false,
    };
    const key = transactionKey(id);
    this.transactions.set(key, entry);
    if (kind === 'check') pair.transaction = key;
    this.flushTransaction(entry);
  }

  /** The current pair's consent request, re-encoded only when what it carries changes. */
  private consentTemplate(
    pair: CandidatePair,
    priority: number,
    useCandidate: boolean,
  ): StunMessageTemplate {
    const c = this.consentRequest;
    const role = this._role;
    if (
      c !== undefined &&
      c.pair === pair &&
      c.role === role &&
      c.useCandidate === useCandidate &&
      c.priority === priority
    ) {
      return c.template;
    }
    const g = pair.generation;
    const template = checkRequestTemplate({
      username: `${g.remoteUfrag}:${g.localUfrag}`,
      priority,
      role,
      tieBreaker: this.tieBreaker,
      useCandidate,
      key: g.remoteKey!,
    });
    this.consentRequest = { pair, role, useCandidate, priority, template };
    return template;
  }

  private runConsent(now: number): void {
    const cur = this.current;
    if (!cur || this.consent.expired) return;
    if (this.consent.update(now)) {
      // RFC 7675 5.1: consent expired, stop sending; the state becomes 'failed'.
      for (const [k, e] of this.transactions) if (e.kind === 'consent') this.transactions.delete(k);
      this.dataRemotes.clear();
      return;
    }
    if (this.consent.takeDue(now)) this.startCheck(cur, 'consent', now);
  }

  /**
   * Checklist failure. With end-of-candidates: every pair failed (RFC 8445 8.1.2), and not
   * before the PAC timer (RFC 8863, 39.5 s from the credentials exchange) expires, even with
   * no pair at all: the peer's checks may still bring peer-reflexive candidates, the only ones
   * a peer whose description carried end-of-candidates but no candidate can offer. Until then
   * failed pairs are checked again, so that a run of losses does not end a working path.
   * Without end-of-candidates (or with valid pairs the peer never nominates): 'failed' once
   * nothing has been left to check for `failedTimeout` (30 s) after the PAC timer expired.
   */
  private checkFailure(now: number): void {
    const g = this.gen;
    if (g.failed || g.remoteKey === undefined || this.selected?.generation === g) return;
    if (g.hasPendingPairs() || g.nominating || this.pending.isWaitingFor(g)) {
      g.idleSince = undefined;
      return;
    }
    const complete = g.endOfRemoteCandidates && g.gatheringComplete;
    const valid = g.bestValidPair() !== undefined;
    if (now < (g.pacStartedAt ?? now) + this.pacTimeout) {
      if (!valid) g.retryFailedPairs();
      return;
    }
    if (g.pairs.length === 0) {
      // No pair was ever formed (say, no common address family).
      if (complete) g.failed = true;
      else if (g.remoteCandidates.length > 0) this.idle(g, now);
      return;
    }
    if (!valid && complete) g.failed = true;
    else this.idle(g, now);
  }

  private idle(g: Generation, now: number): void {
    g.idleSince ??= now;
    if (now - g.idleSince >= this.failedTimeout) g.failed = true;
  }

  private computeState(now: number): IceTransportState {
    if (this.closed) return 'closed';
    const cur = this.current;
    const g = this.gen;
    if (cur) {
      if (this.consent.expired) return 'failed';
      if (this.consent.isDisconnected(now)) return 'disconnected';
      if (cur === this.selected && cur.generation === g && g.endOfRemoteCandidates) {
        return 'completed';
      }
      return 'connected';
    }
    if (g.failed) return 'failed';
    if (
      g.remoteKey !== undefined &&
      (g.remoteCandidates.length > 0 || this.pending.isWaitingFor(g))
    ) {
      return 'checking';
    }
    return 'new';
  }

  private updateState(now: number): void {
    this.updateCurrentPair();
    const s = this.computeState(now);
    if (s === this._state) return;
    // As in browsers, a transport passes through 'connected' on its way to 'completed'.
    if (s === 'completed' && this._state !== 'connected' && this._state !== 'disconnected') {
      this._state = 'connected';
      this.emit({ type: 'state', state: 'connected' });
    }
    this._state = s;
    this.emit({ type: 'state', state: s });
  }

  nextTimeout(): number | undefined {
    if (this.closed) return undefined;
    let t: number | undefined;
    for (const e of this.transactions.values()) {
      const x = e.tx.nextTimeout();
      if (x !== undefined && (t === undefined || x < t)) t = x;
    }
    if (this.pacedWorkAvailable())
      t = earliest(t, Math.max(this.lastPacedAt + this.ta, this.lastNow));
    const g = this.gen;
    if (
      this._role === 'controlling' &&
      !this.aggressiveNomination &&
      !g.nominating &&
      g.firstValidAt !== undefined &&
      this.selected?.generation !== g
    ) {
      const d = g.firstValidAt + this.nominationTimeout;
      if (d > this.lastNow) t = earliest(t, d);
    }
    if (this.current && !this.consent.expired) {
      const c = this.consent.nextTimeout(this.lastNow);
      if (c !== undefined) t = earliest(t, c);
    }
    if (!g.failed && this.selected?.generation !== g) {
      if (g.idleSince !== undefined && g.idleSince + this.failedTimeout > this.lastNow) {
        t = earliest(t, g.idleSince + this.failedTimeout);
      }
      const pac = g.pacStartedAt === undefined ? 0 : g.pacStartedAt + this.pacTimeout;
      if (pac > this.lastNow) t = earliest(t, pac);
    }
    return t;
  }

  // ---- Output ----------------------------------------------------------------------------

  pollTransmit(): IceTransmit | undefined {
    return this.transmits.shift();
  }

  pollEvent(): IceEvent | undefined {
    return this.events.shift();
  }

  /**
   * Whether send() has a pair to send on. RFC 8445 12.1 lets an agent send on any valid pair
   * until a pair is selected, and a DTLS handshake that starts there saves the nomination's
   * round trip.
   */
  get writable(): boolean {
    return this.current !== undefined && !this.consent.expired;
  }

  /** Whether the current pair is the nominated one (not a valid pair used before nomination). */
  get nominated(): boolean {
    return this.current !== undefined && this.current === this.selected;
  }

  send(data: Uint8Array): boolean {
    if (!this.writable || this.closed) return false;
    const pair = this.current!;
    this.transmits.push({ local: pair.local.base, remote: pair.remote.address, data });
    return true;
  }

  close(now: number): void {
    if (this.closed) return;
    this.lastNow = now;
    this.closed = true;
    this.transactions.clear();
    this.consentRequest = undefined;
    this.transmits.clear();
    this.gatherJobs.length = 0;
    this.dataRemotes.clear();
    this.updateState(now);
  }

  getLocalCandidates(): IceCandidate[] {
    return this.gen.localCandidates
      .filter((l) => l.candidate.type !== 'prflx')
      .map((l) => copyCandidate(l.candidate));
  }

  getRemoteCandidates(): IceCandidate[] {
    return this.gen.remoteCandidates.map((r) => copyCandidate(r.candidate));
  }

  getSelectedPair(): { local: IceCandidate; remote: IceCandidate } | undefined {
    const sel = this.current;
    if (!sel) return undefined;
    return {
      local: copyCandidate(sel.local.candidate),
      remote: copyCandidate(sel.remote.candidate),
    };
  }

  private flushTransaction(e: TransactionEntry): void {
    const data = e.tx.pollTransmit();
    if (data) {
      const local = e.kind === 'gather' ? e.base.address : e.base;
      this.transmits.push({ local, remote: e.remote, data });
    }
  }

  private transmit(local: Address, remote: Address, data: Uint8Array): void {
    this.transmits.push({ local: { ...local }, remote: { ...remote }, data });
  }

  private emit(e: IceEvent): void {
    this.events.push(e);
  }
}
