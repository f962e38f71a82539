/** Test glue: a data channel manager over a real SctpAssociation, as a simulated-network endpoint. */
import {
  type DataChannel,
  type DataChannelEvent,
  DataChannelManager,
  type DtlsRole,
} from '../../src/datachannel/index.js';
import type { DtlsEndpoint } from '../../src/dtls/index.js';
import type { SctpAssociationOptions, SctpEvent } from '../../src/sctp/index.js';
import { SctpWire } from '../sctp/harness.js';

/** Data channels over SCTP, the packets bare as SCTP over UDP or, given `dtls`, over DTLS. */
export class SctpChannelPeer extends SctpWire {
  readonly manager = new DataChannelManager();
  readonly events: DataChannelEvent[] = [];
  sctpClosed: { reason: string; error: boolean } | undefined;
  /** Streams the peer reset (its outgoing, our incoming), in order. */
  readonly resetByPeer: number[] = [];

  constructor(
    key: string,
    peer: string,
    dtlsRole: DtlsRole,
    opts: SctpAssociationOptions,
    dtls?: DtlsEndpoint,
  ) {
    super(key, peer, opts, dtls);
    this.manager.attach(this.assoc, dtlsRole, opts.now);
  }

  protected handleSctpEvent(e: SctpEvent, now: number): void {
    if (e.type === 'closed') this.sctpClosed = { reason: e.reason, error: e.error };
    else if (e.type === 'stream-reset') this.resetByPeer.push(...e.streamIds);
    this.manager.handleSctpEvent(e, now);
  }

  protected override afterDrain(): void {
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
