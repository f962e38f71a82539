/** Test glue: a data channel manager over a real SctpAssociation, as a simulated-network endpoint. */
import {
  type DataChannel,
  type DataChannelEvent,
  DataChannelManager,
  type DtlsRole,
} from '../../src/datachannel/index.js';
import { SctpAssociation, type SctpAssociationOptions } from '../../src/sctp/index.js';
import type { SimDatagram, SimEndpoint, SimNetwork } from '../sim/network.js';

/**
 * Carries SCTP packets between `key` and `peer`. Subclasses (or the DTLS variant) may wrap the
 * packets; this one sends them bare, as SCTP over UDP would.
 */
export class SctpChannelPeer implements SimEndpoint {
  readonly keys: string[];
  readonly assoc: SctpAssociation;
  readonly manager = new DataChannelManager();
  readonly events: DataChannelEvent[] = [];
  /** Called before each flush: the place for a test to send more. */
  pump?: (peer: SctpChannelPeer, now: number) => void;
  sctpClosed: { reason: string; error: boolean } | undefined;
  /** Streams the peer reset (its outgoing, our incoming), in order. */
  readonly resetByPeer: number[] = [];

  constructor(
    readonly key: string,
    readonly peer: string,
    dtlsRole: DtlsRole,
    opts: SctpAssociationOptions,
  ) {
    this.keys = [key];
    this.assoc = new SctpAssociation(opts);
    this.manager.attach(this.assoc, dtlsRole, opts.now);
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
    this.drain(net.now);
    this.pump?.(this, net.now);
    for (let p = this.assoc.pollTransmit(); p; p = this.assoc.pollTransmit()) {
      net.send(this.key, this.peer, p);
    }
    this.drain(net.now);
  }

  drain(now: number): void {
    for (let e = this.assoc.pollEvent(); e; e = this.assoc.pollEvent()) {
      if (e.type === 'closed') this.sctpClosed = { reason: e.reason, error: e.error };
      else if (e.type === 'stream-reset') this.resetByPeer.push(...e.streamIds);
      this.manager.handleSctpEvent(e, now);
    }
    for (let e = this.manager.pollEvent(); e; e = this.manager.pollEvent()) this.events.push(e);
  }

  announced(): DataChannel[] {
    return this.events.flatMap((e) => (e.type === 'datachannel' ? [e.channel] : []));
  }

  messages(channel: DataChannel): (string | Uint8Array)[] {
    return this.events.flatMap((e) =>
      e.type === 'message' && e.channel === channel ? [e.data] : [],
    );
  }

  eventTypes(channel: DataChannel): string[] {
    return this.events.filter((e) => e.channel === channel).map((e) => e.type);
  }
}

/** SCTP client/server pair; A is the DTLS client (even ids) and the SCTP client. */
export function sctpPeers(
  opts: Partial<SctpAssociationOptions> = {},
): [SctpChannelPeer, SctpChannelPeer] {
  const a = new SctpChannelPeer('a', 'b', 'client', { role: 'client', now: 0, ...opts });
  const b = new SctpChannelPeer('b', 'a', 'server', { role: 'server', now: 0, ...opts });
  a.assoc.connect(0);
  return [a, b];
}
