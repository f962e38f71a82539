import type {
  DataChannelAssociation,
  SctpAssociationState,
  SctpSendOptions,
} from '../../datachannel/index.js';
import type { AssociationSnapshot, EngineCommand } from './messages.js';

/** The send buffer limit of SctpAssociation's default, checked here before a message leaves. */
const SEND_BUFFER_LIMIT = 64 * 1024 * 1024;

/**
 * The association in the transport thread as the channels on this thread see it: state and
 * stream counts as of the last event that came back, buffered bytes counted here (handed over
 * minus what the association reported sent), sends and resets queued for the thread.
 */
export class RemoteAssociation implements DataChannelAssociation {
  state: SctpAssociationState;
  inboundStreams: number;
  outboundStreams: number;
  bufferedBytes = 0;

  constructor(
    snapshot: AssociationSnapshot,
    private readonly id: number,
    private readonly post: (cmd: EngineCommand, transfer?: ArrayBuffer) => void,
  ) {
    this.state = snapshot.state;
    this.inboundStreams = snapshot.inboundStreams;
    this.outboundStreams = snapshot.outboundStreams;
  }

  update(snapshot: AssociationSnapshot): void {
    this.state = snapshot.state;
    this.inboundStreams = snapshot.inboundStreams;
    this.outboundStreams = snapshot.outboundStreams;
  }

  /** The checks SctpAssociation.send makes, with the same errors. */
  send(streamId: number, ppid: number, data: Uint8Array, opts: SctpSendOptions | undefined): void {
    if (this.state !== 'connected') throw new Error(`cannot send: association is ${this.state}`);
    if (!Number.isInteger(streamId) || streamId < 0 || streamId >= this.outboundStreams) {
      throw new RangeError(
        `stream id ${streamId} outside the ${this.outboundStreams} outbound streams`,
      );
    }
    if (data.length === 0) throw new RangeError('an SCTP message cannot be empty');
    if (this.bufferedBytes + data.length > SEND_BUFFER_LIMIT) {
      throw new RangeError('send buffer limit exceeded');
    }
    // Always a copy of our own: the caller's buffer (or Node's shared pool) must not be moved.
    const copy = new Uint8Array(data);
    this.bufferedBytes += copy.length;
    this.post({ op: 'send', id: this.id, streamId, ppid, data: copy, opts }, copy.buffer);
  }

  resetStreams(streamIds: number[]): void {
    this.post({ op: 'reset', id: this.id, streamIds: [...streamIds] });
  }

  sent(bytes: number): void {
    this.bufferedBytes = Math.max(0, this.bufferedBytes - bytes);
  }
}
