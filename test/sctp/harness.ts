/** Test glue: SCTP associations as endpoints of the simulated network. */
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

/** An association attached to the network under `key`, sending to `peer`; records its events. */
export class SctpSimEndpoint implements SimEndpoint {
  readonly assoc: SctpAssociation;
  readonly keys: string[];
  readonly events: SctpEvent[] = [];
  readonly messages: Received[] = [];
  connected = false;
  closed: { reason: string; error: boolean } | undefined;
  sentBytes = 0;
  /** Called before each flush, to feed the association more data. */
  pump?: (e: SctpSimEndpoint, now: number) => void;
  /** Called for each event as it is drained. */
  onEvent?: (ev: SctpEvent, now: number) => void;
  /** Rewrites or drops outgoing packets (returns undefined to drop). */
  filterOut?: (pkt: Uint8Array) => Uint8Array | undefined;

  constructor(
    readonly key: string,
    readonly peer: string,
    opts: SctpAssociationOptions,
  ) {
    this.keys = [key];
    this.assoc = new SctpAssociation(opts);
  }

  receive(d: SimDatagram, now: number): void {
    this.assoc.handlePacket(d.data, now);
    this.drain(now);
  }

  timeout(now: number): void {
    this.assoc.handleTimeout(now);
    this.drain(now);
  }

  nextTimeout(): number | undefined {
    return this.assoc.nextTimeout();
  }

  flush(net: SimNetwork): void {
    this.pump?.(this, net.now);
    for (let p = this.assoc.pollTransmit(); p; p = this.assoc.pollTransmit()) {
      const out = this.filterOut ? this.filterOut(p) : p;
      if (out) net.send(this.key, this.peer, out);
    }
    this.drain(net.now);
  }

  drain(now: number): void {
    for (let e = this.assoc.pollEvent(); e; e = this.assoc.pollEvent()) {
      if (e.type === 'message') this.messages.push(e);
      else if (e.type === 'connected') this.connected = true;
      else if (e.type === 'closed') this.closed = { reason: e.reason, error: e.error };
      else if (e.type === 'sent') this.sentBytes += e.bytes;
      if (e.type !== 'message' && e.type !== 'sent') this.events.push(e);
      this.onEvent?.(e, now);
    }
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
