import type {
  DataChannel,
  DataChannelAssociation,
  DataChannelEvent,
} from '../../datachannel/index.js';
import type { DtlsRole } from '../../dtls/index.js';
import type { SctpEvent } from '../../sctp/index.js';
import { Fifo } from '../../util/fifo.js';
import type { ChannelLayer } from '../peer-core.js';
import type { AssociationSnapshot } from './messages.js';

/** What the relay hands the core in place of data channel events (see RelayChannels). */
export type RelayedSctp =
  | ({ type: 'relay-attached'; dtlsRole: DtlsRole } & AssociationSnapshot)
  | ({ type: 'relay-sctp'; event: SctpEvent } & AssociationSnapshot);

/**
 * The data channels' place in a core whose channels live on another thread: the association's
 * events, with the association's state at that moment, go out through the core's own event
 * queue (so they keep their order with the transport events), and the other thread's sends and
 * stream resets come back in through `association`.
 */
export class RelayChannels implements ChannelLayer {
  remoteMaxMessageSize = 0;
  readonly maxChannels = null;
  association: DataChannelAssociation | undefined;
  private readonly queue = new Fifo<RelayedSctp>();

  attach(association: DataChannelAssociation, dtlsRole: DtlsRole): void {
    this.association = association;
    this.queue.push({ type: 'relay-attached', dtlsRole, ...this.snapshot() });
  }

  handleSctpEvent(event: SctpEvent): void {
    // Sends from the other thread would arrive after the COOKIE-ECHO has gone, so there the
    // channels send their OPENs at 'connected', when the association takes them.
    if (event.type === 'sendable') return;
    this.queue.push({ type: 'relay-sctp', event, ...this.snapshot() });
  }

  /** The relayed events ride the core's channel event queue; the worker tells them apart. */
  pollEvent(): DataChannelEvent | undefined {
    return this.queue.shift() as DataChannelEvent | undefined;
  }

  createChannel(): DataChannel {
    throw new Error('data channels of this connection live on the calling thread');
  }

  private snapshot(): AssociationSnapshot {
    const a = this.association;
    return a === undefined
      ? { state: 'closed', inboundStreams: 0, outboundStreams: 0 }
      : { state: a.state, inboundStreams: a.inboundStreams, outboundStreams: a.outboundStreams };
  }
}
