/** Test glue: SCTP associations as endpoints of the simulated network. */
import type { DtlsEndpoint } from '../../src/dtls/index.js';
import type { EventQueue } from '../../src/sctp/events.js';
import {
  SctpAssociation,
  type SctpAssociationOptions,
  type SctpEvent,
} from '../../src/sctp/index.js';
import type { SimDatagram, SimEndpoint, SimNetwork } from '../sim/network.js';

export interface Received {
  streamId: number;
  ppid: number;
  data: Uint8Array;
}

/**
 * An association attached to the network under `key`, sending to `peer`: bare, as SCTP over
 * UDP, or when given `dtls` as DTLS application data (RFC 8261), the SCTP client connecting
 * once DTLS is up. What to do with the association's events is the subclass's.
 */
export abstract class SctpWire implements SimEndpoint {
  readonly keys: string[];
  readonly assoc: SctpAssociation;
  dtlsFailure: string | undefined;
  /** Called before each flush, to feed the association more data. */
  pump?: (self: this, now: number) => void;
  /** Rewrites or drops outgoing SCTP packets (returns undefined to drop). */
  filterOut?: (pkt: Uint8Array) => Uint8Array | undefined;
  private readonly client: boolean;

  constructor(
    readonly key: string,
    readonly peer: string,
    opts: SctpAssociationOptions,
    readonly dtls?: DtlsEndpoint,
  ) {
    this.keys = [key];
    this.assoc = new SctpAssociation(opts);
    this.client = opts.role === 'client';
  }

  protected abstract handleSctpEvent(e: SctpEvent, now: number): void;

  /** Runs after each drain of the association's events. */
  protected afterDrain(_now: number): void {}

  receive(d: SimDatagram, now: number): void {
    if (this.dtls) this.dtls.handleDatagram(d.data, now);
    else this.assoc.handlePacket(d.data, now);
    this.drain(now);
  }

  timeout(now: number): void {
    const dtlsDue = this.dtls?.nextTimeout();
    if (dtlsDue !== undefined && dtlsDue <= now) this.dtls!.handleTimeout(now);
    const sctpDue = this.assoc.nextTimeout();
    if (sctpDue !== undefined && sctpDue <= now) this.assoc.handleTimeout(now);
    this.drain(now);
  }

  nextTimeout(): number | undefined {
    const a = this.dtls?.nextTimeout();
    const b = this.assoc.nextTimeout();
    if (a === undefined) return b;
    if (b === undefined) return a;
    return Math.min(a, b);
  }

  flush(net: SimNetwork): void {
    this.drain(net.now);
    this.pump?.(this, net.now);
    const dtls = this.dtls;
    if (!dtls || dtls.state === 'connected') {
      for (let p = this.assoc.pollTransmit(); p; p = this.assoc.pollTransmit()) {
        const out = this.filterOut ? this.filterOut(p) : p;
        if (!out) continue;
        if (dtls) dtls.send(out);
        else net.send(this.key, this.peer, out);
      }
    }
    if (dtls) {
      for (let d = dtls.pollTransmit(); d; d = dtls.pollTransmit())
        net.send(this.key, this.peer, d);
    }
    this.drain(net.now);
  }

  drain(now: number): void {
    const dtls = this.dtls;
    if (dtls) {
      for (let e = dtls.pollEvent(); e; e = dtls.pollEvent()) {
        if (e.type === 'connected') {
          if (dtls.state === 'connected' && this.assoc.state === 'new' && this.client) {
            this.assoc.connect(now);
          }
        } else if (e.type === 'data') {
          // The plaintext of a decrypted record, a buffer of its own, as PeerCore hands it over.
          this.assoc.handlePacket(e.data, now, true);
        } else if (e.type === 'failed') this.dtlsFailure = e.reason;
      }
    }
    for (let e = this.assoc.pollEvent(); e; e = this.assoc.pollEvent()) {
      this.handleSctpEvent(e, now);
    }
    this.afterDrain(now);
  }
}

/** An association that records what it reports. */
export class SctpSimEndpoint extends SctpWire {
  readonly events: SctpEvent[] = [];
  readonly messages: Received[] = [];
  connected = false;
  closed: { reason: string; error: boolean } | undefined;
  sentBytes = 0;
  /** Called for each event as it is drained. */
  onEvent?: (ev: SctpEvent, now: number) => void;

  protected handleSctpEvent(e: SctpEvent, now: number): void {
    if (e.type === 'message') this.messages.push(e);
    else if (e.type === 'connected') this.connected = true;
    else if (e.type === 'closed') this.closed = { reason: e.reason, error: e.error };
    else if (e.type === 'sent') this.sentBytes += e.bytes;
    if (e.type !== 'message' && e.type !== 'sent') this.events.push(e);
    this.onEvent?.(e, now);
  }
}

export function makePair(
  a: Partial<SctpAssociationOptions> = {},
  b: Partial<SctpAssociationOptions> = {},
): [SctpSimEndpoint, SctpSimEndpoint] {
  const client = new SctpSimEndpoint('a', 'b', { role: 'client', now: 0, ...a });
  const server = new SctpSimEndpoint('b', 'a', { role: 'server', now: 0, ...b });
  return [client, server];
}

/** Deterministic message content from a seed, so the receiver can check without a copy. */
export function pattern(seed: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Takes the messages out of a receiver's event queue, dropping other events. */
export function drainMessages(q: EventQueue): Received[] {
  const out: Received[] = [];
  for (let e = q.shift(); e; e = q.shift()) if (e.type === 'message') out.push(e);
  return out;
}

/** One chunk of an SCTP packet on the wire: its type, flags, offset and length. */
export interface WireChunk {
  type: number;
  flags: number;
  off: number;
  len: number;
}

/** The chunks of one SCTP packet, in order. */
export function chunksOf(pkt: Uint8Array): WireChunk[] {
  const v = new DataView(pkt.buffer, pkt.byteOffset, pkt.length);
  const out: WireChunk[] = [];
  for (let p = 12; p + 4 <= pkt.length; ) {
    const len = v.getUint16(p + 2);
    out.push({ type: pkt[p]!, flags: pkt[p + 1]!, off: p, len });
    p += (len + 3) & ~3;
  }
  return out;
}
