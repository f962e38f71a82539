import { Buffer } from 'node:buffer';
import { withFields } from '../util/with-fields.js';
import type { DataChannelAssociation, SctpSendOptions } from './association.js';
import { encodeDcepAck, encodeDcepOpen } from './dcep.js';
import { DataChannelError } from './errors.js';
import type { DataChannelEvent, DataChannelFailure } from './events.js';
import {
  PPID_BINARY,
  PPID_BINARY_EMPTY,
  PPID_BINARY_PARTIAL,
  PPID_DCEP,
  PPID_STRING,
  PPID_STRING_EMPTY,
  PPID_STRING_PARTIAL,
} from './ppid.js';
import { type DataChannelPriority, priorityToWire } from './priority.js';
import { SendLedger } from './send-ledger.js';

export type DataChannelState = 'connecting' | 'open' | 'closing' | 'closed';

/** The W3C RTCDataChannelInit dictionary. */
export interface DataChannelInit {
  ordered?: boolean;
  /** ms; exclusive with maxRetransmits. */
  maxPacketLifeTime?: number;
  maxRetransmits?: number;
  protocol?: string;
  /** Out-of-band negotiated: no DCEP, `id` is required and chosen by the application. */
  negotiated?: boolean;
  id?: number;
  priority?: DataChannelPriority;
}

/** A channel's fixed parameters, validated. */
export interface DataChannelParams {
  label: string;
  protocol: string;
  ordered: boolean;
  maxRetransmits: number | null;
  maxPacketLifeTime: number | null;
  negotiated: boolean;
  priority: DataChannelPriority;
}

/** What a channel needs from the manager that owns the association's streams. */
export interface ChannelHost {
  readonly association: DataChannelAssociation | undefined;
  /** The peer's max-message-size; Infinity when unlimited. */
  readonly remoteMaxMessageSize: number;
  /** Cap on a message reassembled from deprecated partial PPIDs. */
  readonly maxReceiveMessageSize: number;
  emit(event: DataChannelEvent): void;
  /**
   * The channel has data in flight again (its ledger was empty): watch for the association
   * draining completely.
   */
  pendingSends(channel: DataChannel): void;
  /** The channel is closed: its stream id is free again. */
  released(channel: DataChannel, now: number): void;
}

/** Outgoing stream reset progress while closing (RFC 8831 6.7). */
type OutgoingReset = 'none' | 'wanted' | 'requested' | 'done';

/** Every ACK is the same byte; the association only reads what it is handed. */
const DCEP_ACK = encodeDcepAck();

/** DCEP messages are sent ordered and reliable (RFC 8832 6). */
const DCEP_SEND_OPTIONS: SctpSendOptions = Object.freeze({ transfer: true });

/** The association's send options for a channel's messages, by what the message is. */
interface SendOptionSet {
  readonly normal: SctpSendOptions;
  /** Until the peer is known to have our OPEN, everything goes ordered (RFC 8832 6). */
  readonly beforeAck: SctpSendOptions;
  /** The same two, for payloads made here (encoded strings), which the association may keep. */
  readonly owned: SctpSendOptions;
  readonly beforeAckOwned: SctpSendOptions;
}

function makeSendOptionSet(reliability: SctpSendOptions, ordered: boolean): SendOptionSet {
  const normal = Object.freeze(withFields(reliability, { unordered: !ordered }));
  const beforeAck = ordered ? normal : Object.freeze(withFields(reliability, { unordered: false }));
  return Object.freeze({
    normal,
    beforeAck,
    owned: Object.freeze(withFields(normal, { transfer: true })),
    beforeAckOwned: Object.freeze(withFields(beforeAck, { transfer: true })),
  });
}

/** Fully reliable channels, the common case, share these instead of making their own. */
const RELIABLE_ORDERED = makeSendOptionSet({}, true);
const RELIABLE_UNORDERED = makeSendOptionSet({}, false);

function sendOptionSet(params: DataChannelParams): SendOptionSet {
  if (params.maxRetransmits === null && params.maxPacketLifeTime === null) {
    return params.ordered ? RELIABLE_ORDERED : RELIABLE_UNORDERED;
  }
  const reliability: SctpSendOptions = {};
  if (params.maxRetransmits !== null) reliability.maxRetransmits = params.maxRetransmits;
  if (params.maxPacketLifeTime !== null) reliability.maxPacketLifeTime = params.maxPacketLifeTime;
  return makeSendOptionSet(reliability, params.ordered);
}

const utf8Decoder = new TextDecoder('utf-8');

/**
 * One data channel: a bidirectional pair of SCTP streams with the same id. The public members
 * are what RTCDataChannel exposes; members marked internal are driven by DataChannelManager.
 *
 * `state` is the protocol's state and runs ahead of events not yet polled: the W3C layer keeps
 * its own readyState, updated as it dispatches events.
 */
export class DataChannel {
  readonly label: string;
  readonly protocol: string;
  readonly ordered: boolean;
  readonly maxRetransmits: number | null;
  readonly maxPacketLifeTime: number | null;
  readonly negotiated: boolean;
  readonly priority: DataChannelPriority;
  /** 'bufferedamountlow' fires when bufferedAmount falls from above this to at or below it. */
  bufferedAmountLowThreshold = 0;

  messagesSent = 0;
  bytesSent = 0;
  messagesReceived = 0;
  bytesReceived = 0;

  private streamId: number | null;
  private currentState: DataChannelState = 'connecting';
  private buffered = 0;
  private readonly host: ChannelHost;
  private readonly sendOptions: SendOptionSet;
  private awaitingAck = false;
  /** The DCEP OPEN has gone to the association (it may precede the COOKIE-ACK). */
  private openSent = false;
  private outgoingReset: OutgoingReset = 'none';
  private incomingReset = false;
  /** Fragments from deprecated partial PPIDs, until a final PPID completes the message. */
  private partial: Uint8Array[] | undefined;
  private partialBytes = 0;
  private partialOverflow = false;

  /** @internal Records what was handed to the association and not yet sent. */
  readonly ledger = new SendLedger();
  /** @internal Its place in the manager's list of channels with sends pending; -1 if none. */
  sendingSlot = -1;

  /** @internal Use DataChannelManager.createChannel. */
  constructor(host: ChannelHost, params: DataChannelParams, id: number | null) {
    this.host = host;
    this.label = params.label;
    this.protocol = params.protocol;
    this.ordered = params.ordered;
    this.maxRetransmits = params.maxRetransmits;
    this.maxPacketLifeTime = params.maxPacketLifeTime;
    this.negotiated = params.negotiated;
    this.priority = params.priority;
    this.streamId = id;
    this.sendOptions = sendOptionSet(params);
  }

  /** The SCTP stream id; null until one is allocated (when the association connects). */
  get id(): number | null {
    return this.streamId;
  }

  get state(): DataChannelState {
    return this.currentState;
  }

  /** User bytes accepted by send() and not yet handed to the network. */
  get bufferedAmount(): number {
    return this.buffered;
  }

  /**
   * Sends one message. Strings go as UTF-8; binary data is handed to the association as is.
   * Throws DataChannelError: 'invalid-state' unless open, 'type' when larger than the peer's
   * max-message-size, 'operation' when the association's send buffer is full.
   */
  send(data: string | Uint8Array, now: number): void {
    if (this.currentState !== 'open') {
      throw new DataChannelError('invalid-state', `data channel is ${this.currentState}`);
    }
    let payload: Uint8Array;
    let ppid: number;
    // A payload made here belongs to nobody else: the association need not copy it.
    let owned: boolean;
    if (typeof data === 'string') {
      // Buffer.from encodes several times faster than TextEncoder on Node 20 (small strings
      // come from Node's shared pool, never written again) and is a Uint8Array.
      payload = Buffer.from(data, 'utf8');
      ppid = PPID_STRING;
      owned = true;
    } else {
      payload = data;
      ppid = PPID_BINARY;
      owned = false;
    }
    const userBytes = payload.length;
    if (userBytes > this.host.remoteMaxMessageSize) {
      throw new DataChannelError(
        'type',
        `message of ${userBytes} bytes exceeds the peer's limit of ${this.host.remoteMaxMessageSize}`,
      );
    }
    if (userBytes === 0) {
      // SCTP cannot carry an empty message: one zero byte under the "empty" PPID (RFC 8831 6.6).
      payload = new Uint8Array(1);
      ppid = ppid === PPID_STRING ? PPID_STRING_EMPTY : PPID_BINARY_EMPTY;
      owned = true;
    }
    const set = this.sendOptions;
    const opts = owned
      ? this.awaitingAck
        ? set.beforeAckOwned
        : set.owned
      : this.awaitingAck
        ? set.beforeAck
        : set.normal;
    try {
      this.host.association!.send(this.streamId!, ppid, payload, opts, now);
    } catch (e) {
      // The size was checked above, so a RangeError is the association's send buffer being full.
      if (e instanceof RangeError) throw new DataChannelError('operation', e.message);
      throw new DataChannelError('invalid-state', e instanceof Error ? e.message : String(e));
    }
    if (this.ledger.empty) this.host.pendingSends(this);
    this.ledger.push(payload.length, userBytes > 0);
    this.buffered += userBytes;
    this.messagesSent++;
    this.bytesSent += userBytes;
  }

  /**
   * Starts the closing procedure: once everything queued has gone out, the outgoing stream is
   * reset; the peer answers by resetting its own, and the channel is closed.
   */
  close(now: number): void {
    if (this.currentState === 'closing' || this.currentState === 'closed') return;
    const assoc = this.host.association;
    if (this.currentState === 'connecting' && this.openSent) {
      // The OPEN went with the COOKIE-ECHO, so the peer has (or will have) the channel: its
      // stream is reset once the association is up (resetWhenUp), as for an open channel.
      this.currentState = 'closing';
      this.outgoingReset = 'wanted';
      return;
    }
    if (this.currentState === 'connecting' || assoc === undefined || assoc.state !== 'connected') {
      // Nothing was opened on the wire yet.
      this.finish(undefined, '', now);
      return;
    }
    this.currentState = 'closing';
    this.outgoingReset = 'wanted';
    this.resetOutgoingWhenFlushed(now);
  }

  /** @internal The association is up: a channel closed after its OPEN went resets its stream. */
  resetWhenUp(now: number): void {
    if (this.currentState === 'closing') this.resetOutgoingWhenFlushed(now);
  }

  /** @internal The stream id, once the association's stream count is known. */
  assignId(id: number): void {
    this.streamId = id;
  }

  /**
   * @internal The stream counts are known: sends the DCEP OPEN (unless negotiated) and reports
   * whether the channel is still opening. The association may still be waiting for its
   * COOKIE-ACK: the OPEN then travels with the COOKIE-ECHO, and the peer's channel opens a
   * round trip sooner.
   */
  sendOpen(now: number): boolean {
    if (this.currentState !== 'connecting') return false;
    if (!this.negotiated && !this.openSent) {
      let open: Uint8Array;
      try {
        open = encodeDcepOpen({
          ordered: this.ordered,
          reliability:
            this.maxRetransmits !== null
              ? 'rexmit'
              : this.maxPacketLifeTime !== null
                ? 'timed'
                : 'reliable',
          reliabilityParameter: this.maxRetransmits ?? this.maxPacketLifeTime ?? 0,
          priority: priorityToWire(this.priority),
          label: this.label,
          protocol: this.protocol,
        });
        if (!this.sendControl(open, now)) throw new Error('association refused the OPEN');
      } catch (e) {
        this.fail('data-channel-failure', e instanceof Error ? e.message : String(e), now);
        return false;
      }
      this.awaitingAck = true;
      this.openSent = true;
    }
    return true;
  }

  /** @internal The association is up: the channel opens (sending its OPEN if not yet sent). */
  start(now: number): void {
    if (!this.sendOpen(now)) return;
    // As browsers do, the opener is open at once: RFC 8832 6 lets it send before the ACK.
    this.currentState = 'open';
    this.host.emit({ type: 'open', channel: this });
  }

  /** @internal A channel the peer opened with DCEP: acknowledge it; it is open. */
  acceptOpen(now: number): boolean {
    if (!this.sendControl(DCEP_ACK, now)) return false;
    this.currentState = 'open';
    return true;
  }

  /** @internal The peer has reset its side of the stream: it may reuse the id once we finish. */
  get peerHasReset(): boolean {
    return this.incomingReset;
  }

  /** @internal A DATA_CHANNEL_ACK arrived on this channel's stream. */
  handleAck(): void {
    this.awaitingAck = false;
  }

  /** @internal A user message arrived on this channel's stream. */
  handleMessage(ppid: number, data: Uint8Array): void {
    // Any message from the peer proves it has our OPEN (old peers never send the ACK).
    this.awaitingAck = false;
    if (this.currentState !== 'open') return;
    switch (ppid) {
      case PPID_STRING:
      case PPID_BINARY: {
        const whole = this.completeMessage(data);
        if (whole === undefined) return;
        this.messagesReceived++;
        this.bytesReceived += whole.length;
        const message = ppid === PPID_STRING ? utf8Decoder.decode(whole) : whole;
        this.host.emit({ type: 'message', channel: this, data: message });
        return;
      }
      case PPID_STRING_EMPTY:
      case PPID_BINARY_EMPTY:
        this.messagesReceived++;
        this.host.emit({
          type: 'message',
          channel: this,
          data: ppid === PPID_STRING_EMPTY ? '' : new Uint8Array(0),
        });
        return;
      case PPID_STRING_PARTIAL:
      case PPID_BINARY_PARTIAL:
        this.addPartial(data);
        return;
      default:
        // A PPID that is not ours: nothing to deliver.
        return;
    }
  }

  /** @internal The association first-transmitted `bytes` wire bytes of this stream. */
  handleSent(bytes: number, now: number): void {
    this.releaseBuffered(this.ledger.consume(bytes));
    this.resetOutgoingWhenFlushed(now);
  }

  /** @internal The association has nothing queued at all: nothing of ours is pending either. */
  handleDrained(now: number): void {
    this.releaseBuffered(this.ledger.clear());
    this.resetOutgoingWhenFlushed(now);
  }

  /** @internal The peer reset its outgoing stream: it closed the channel (or refused our OPEN). */
  handleIncomingReset(now: number): void {
    if (this.currentState === 'closed') return;
    this.incomingReset = true;
    this.closeFromPeerSide(now);
    this.finishWhenBothReset(now);
  }

  /** @internal Our outgoing reset of this stream was performed. */
  handleOutgoingResetComplete(now: number): void {
    if (this.outgoingReset !== 'requested') return;
    this.outgoingReset = 'done';
    this.finishWhenBothReset(now);
  }

  /** @internal The peer broke protocol on this channel's stream: close it as RFC 8832 6 says. */
  reject(now: number): void {
    if (this.currentState === 'closed') return;
    this.closeFromPeerSide(now);
  }

  /** @internal The association is gone. */
  handleAssociationClosed(reason: string, error: boolean): void {
    if (this.currentState === 'closed') return;
    this.currentState = 'closed';
    if (error) this.host.emit({ type: 'error', channel: this, kind: 'sctp-failure', reason });
    this.host.emit({ type: 'close', channel: this });
  }

  /** @internal The channel cannot be set up: error, then close. */
  fail(kind: DataChannelFailure, reason: string, now: number): void {
    this.finish(kind, reason, now);
  }

  private sendControl(message: Uint8Array, now: number): boolean {
    try {
      this.host.association!.send(this.streamId!, PPID_DCEP, message, DCEP_SEND_OPTIONS, now);
    } catch {
      return false;
    }
    if (this.ledger.empty) this.host.pendingSends(this);
    this.ledger.push(message.length, false);
    return true;
  }

  /** The message ending with `last`, joined to earlier partial fragments; undefined if too big. */
  private completeMessage(last: Uint8Array): Uint8Array | undefined {
    const parts = this.partial;
    if (parts === undefined) return last;
    const total = this.partialBytes + last.length;
    const overflow = this.partialOverflow || total > this.host.maxReceiveMessageSize;
    this.partial = undefined;
    this.partialBytes = 0;
    this.partialOverflow = false;
    if (overflow) return undefined;
    const whole = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      whole.set(p, at);
      at += p.length;
    }
    whole.set(last, at);
    return whole;
  }

  private addPartial(data: Uint8Array): void {
    if (this.partial === undefined) this.partial = [];
    if (this.partialOverflow) return;
    if (this.partialBytes + data.length > this.host.maxReceiveMessageSize) {
      this.partialOverflow = true;
      this.partial.length = 0;
      return;
    }
    this.partial.push(data);
    this.partialBytes += data.length;
  }

  private releaseBuffered(userBytes: number): void {
    if (userBytes === 0) return;
    const before = this.buffered;
    this.buffered = before - userBytes;
    const threshold = this.bufferedAmountLowThreshold;
    if (before > threshold && this.buffered <= threshold) {
      this.host.emit({ type: 'bufferedamountlow', channel: this });
    }
  }

  /** Closing not asked for by our user: announce it, then reset our side as close() would. */
  private closeFromPeerSide(now: number): void {
    if (this.currentState !== 'closing') {
      this.currentState = 'closing';
      this.host.emit({ type: 'closing', channel: this });
    }
    if (this.outgoingReset === 'none') this.outgoingReset = 'wanted';
    this.resetOutgoingWhenFlushed(now);
  }

  private resetOutgoingWhenFlushed(now: number): void {
    // Resetting first would discard messages still queued behind it on this stream.
    if (this.outgoingReset !== 'wanted' || !this.ledger.empty) return;
    // Closed before the COOKIE-ACK: resetWhenUp resets the stream once it is in.
    if (this.host.association?.state === 'connecting') return;
    this.outgoingReset = 'requested';
    try {
      this.host.association!.resetStreams([this.streamId!], now);
    } catch {
      // The association cannot reset any more; its 'closed' event closes the channel.
      this.outgoingReset = 'done';
      this.finishWhenBothReset(now);
    }
  }

  private finishWhenBothReset(now: number): void {
    if (this.outgoingReset === 'done' && this.incomingReset) this.finish(undefined, '', now);
  }

  private finish(error: DataChannelFailure | undefined, reason: string, now: number): void {
    if (this.currentState === 'closed') return;
    this.currentState = 'closed';
    if (error !== undefined) this.host.emit({ type: 'error', channel: this, kind: error, reason });
    this.host.emit({ type: 'close', channel: this });
    this.host.released(this, now);
  }
}
