import type { DataChannelAssociation, SctpSendOptions } from '../datachannel/index.js';
import type { SctpAssociation } from '../sctp/index.js';

/**
 * The association as the data channel manager sees it. Sends and stream resets made by the
 * application (RTCDataChannel.send/close) happen outside any input to the core, so they are
 * announced through `notify`: the I/O layer then flushes once per event-loop turn.
 */
export class AssociationPort implements DataChannelAssociation {
  constructor(
    private readonly assoc: SctpAssociation,
    private readonly notify: () => void,
  ) {}

  get state(): SctpAssociation['state'] {
    return this.assoc.state;
  }

  get inboundStreams(): number {
    return this.assoc.inboundStreams;
  }

  get outboundStreams(): number {
    return this.assoc.outboundStreams;
  }

  get bufferedBytes(): number {
    return this.assoc.bufferedBytes;
  }

  send(
    streamId: number,
    ppid: number,
    data: Uint8Array,
    opts: SctpSendOptions | undefined,
    now: number,
  ): void {
    this.assoc.send(streamId, ppid, data, opts, now);
    this.notify();
  }

  resetStreams(streamIds: number[], now: number): void {
    this.assoc.resetStreams(streamIds, now);
    this.notify();
  }
}
