import { Fifo } from '../util/fifo.js';
import type { DataChannelAssociation, SctpEvent } from './association.js';
import {
  type ChannelHost,
  DataChannel,
  type DataChannelInit,
  type DataChannelParams,
} from './channel.js';
import { DCEP_MAX_STRING_BYTES, DCEP_MESSAGE_OPEN, type DcepOpen, decodeDcep } from './dcep.js';
import { DataChannelError } from './errors.js';
import type { DataChannelEvent } from './events.js';
import { PPID_DCEP } from './ppid.js';
import { DEFAULT_PRIORITY, isDataChannelPriority, priorityFromWire } from './priority.js';

/** Which side of DTLS we are: it decides the parity of the stream ids we pick (RFC 8832 6). */
export type DtlsRole = 'client' | 'server';

export interface DataChannelManagerOptions {
  /**
   * The peer's a=max-message-size (RFC 8841). Default 65536, what a peer that announces none
   * can take; 0 means unlimited.
   */
  remoteMaxMessageSize?: number;
  /** Cap on a message reassembled from deprecated partial PPIDs; default 256 KiB. */
  maxReceiveMessageSize?: number;
}

const DEFAULT_REMOTE_MAX_MESSAGE_SIZE = 65536;
const DEFAULT_MAX_RECEIVE_MESSAGE_SIZE = 256 * 1024;
/** W3C: ids go up to 65534; 65535 is reserved. */
const MAX_STREAM_ID = 65534;
/** W3C maxRetransmits and maxPacketLifeTime are unsigned shorts. */
const MAX_RELIABILITY_PARAMETER = 0xffff;

/**
 * The data channels of one SCTP association (RFC 8831, RFC 8832): owns the association's
 * streams, allocates stream ids, runs DCEP, and turns association events into channel events.
 * Sans-IO: it calls the association's send/resetStreams and is fed the association's events
 * through handleSctpEvent; what happened comes out of pollEvent.
 *
 * Channels can be created before an association exists (the W3C createDataChannel may come
 * first); they open when attach()ed to an association that is or becomes connected.
 */
export class DataChannelManager implements ChannelHost {
  readonly maxReceiveMessageSize: number;
  private remoteMax: number;
  private assoc: DataChannelAssociation | undefined;
  private role: DtlsRole | undefined;
  private connected = false;
  private closed = false;
  private negotiatedMaxChannels: number | null = null;
  /** Channels holding a stream id, including negotiated ones not yet open. */
  private readonly streams = new Map<number, DataChannel>();
  /** Channels waiting for the association to connect, in creation order. */
  private pending: DataChannel[] = [];
  /** Streams we are resetting to refuse a peer's OPEN; not reusable until the reset is done. */
  private readonly refusing = new Set<number>();
  /**
   * OPENs for an id whose previous channel the peer has closed but we have not finished
   * closing (our reset is not yet confirmed): the peer may already reuse the id.
   */
  private readonly deferredOpens = new Map<number, DcepOpen>();
  /**
   * Every id of our parity below this one is taken (in `streams` or `refusing`): allocation
   * searches from here, so opening n channels costs O(n), not O(n^2).
   */
  private freeIdFloor = 0;
  /**
   * Channels with messages the association has not yet reported sent, each at its sendingSlot.
   * Not a Set: a channel joins and leaves with every message sent alone, and a Set that loses
   * its last entry allocates a new table.
   */
  private readonly sending: DataChannel[] = [];
  /** When a send was reported while channels still had messages pending; see checkDrained. */
  private drainCheckAt: number | undefined;
  private readonly events = new Fifo<DataChannelEvent>();

  constructor(opts: DataChannelManagerOptions = {}) {
    this.remoteMax = normalizeMaxMessageSize(opts.remoteMaxMessageSize);
    this.maxReceiveMessageSize = opts.maxReceiveMessageSize ?? DEFAULT_MAX_RECEIVE_MESSAGE_SIZE;
  }

  get association(): DataChannelAssociation | undefined {
    return this.assoc;
  }

  get dtlsRole(): DtlsRole | undefined {
    return this.role;
  }

  /** min(inbound, outbound) negotiated streams: ids go below it. Null until connected. */
  get maxChannels(): number | null {
    // Known a round trip before 'connected' on the side that sent the INIT; shown from then.
    return this.connected ? this.negotiatedMaxChannels : null;
  }

  get remoteMaxMessageSize(): number {
    return this.remoteMax;
  }

  /** Updated when a new remote description changes a=max-message-size; 0 means unlimited. */
  set remoteMaxMessageSize(bytes: number) {
    this.remoteMax = normalizeMaxMessageSize(bytes);
  }

  /** Binds the association whose streams this manager owns. Once only. */
  attach(association: DataChannelAssociation, dtlsRole: DtlsRole, now: number): void {
    if (this.closed) throw new DataChannelError('invalid-state', 'the channels are closed');
    if (this.assoc !== undefined) {
      throw new DataChannelError('invalid-state', 'an association is already attached');
    }
    this.assoc = association;
    this.role = dtlsRole;
    this.freeIdFloor = dtlsRole === 'server' ? 1 : 0;
    if (association.state === 'connected') this.onConnected(now);
    else if (association.state === 'closed') this.onClosed('association closed', false);
  }

  /**
   * The W3C createDataChannel: validates `init` as the spec does and returns the channel in
   * 'connecting'; if the association is already connected it opens at once ('open' is queued).
   * Throws DataChannelError ('type' for bad parameters, 'operation' for an id in use or no
   * free id, 'invalid-state' once the association has closed).
   */
  createChannel(label: string, init: DataChannelInit, now: number): DataChannel {
    if (this.closed) throw new DataChannelError('invalid-state', 'the association is closed');
    const params = validateInit(label, init);
    let id: number | null = null;
    if (params.negotiated) {
      id = init.id!;
      if (this.streams.has(id) || this.refusing.has(id)) {
        throw new DataChannelError('operation', `stream id ${id} is in use`);
      }
      const max = this.negotiatedMaxChannels;
      if (max !== null && id >= max) {
        throw new DataChannelError('operation', `stream id ${id} is beyond the ${max} streams`);
      }
    } else if (this.connected) {
      const free = this.allocateId();
      if (free === undefined) throw new DataChannelError('operation', 'no free stream id');
      id = free;
    }
    const channel = new DataChannel(this, params, id);
    if (id !== null) this.streams.set(id, channel);
    if (this.connected) channel.start(now);
    else this.pending.push(channel);
    return channel;
  }

  /** The open or opening channel on a stream. */
  getChannel(id: number): DataChannel | undefined {
    return this.streams.get(id);
  }

  /** Every channel not yet closed: those with a stream id, then those still waiting for one. */
  *channels(): IterableIterator<DataChannel> {
    yield* this.streams.values();
    for (const c of this.pending) if (c.id === null) yield c;
  }

  /** Feeds one event polled from the association. Never throws. */
  handleSctpEvent(event: SctpEvent, now: number): void {
    switch (event.type) {
      case 'sendable':
        if (!this.connected && !this.closed && this.assoc !== undefined) this.sendOpens(now);
        return;
      case 'connected':
        if (!this.connected && !this.closed && this.assoc !== undefined) this.onConnected(now);
        return;
      case 'message':
        if (event.ppid === PPID_DCEP) this.handleDcep(event.streamId, event.data, now);
        else this.streams.get(event.streamId)?.handleMessage(event.ppid, event.data);
        return;
      case 'sent':
        this.handleSent(event.streamId, event.bytes, now);
        return;
      case 'stream-reset':
        for (const id of event.streamIds) this.streams.get(id)?.handleIncomingReset(now);
        return;
      case 'reset-complete':
        for (const id of event.streamIds) {
          if (this.refusing.delete(id)) {
            this.idFreed(id);
            continue;
          }
          this.streams.get(id)?.handleOutgoingResetComplete(now);
        }
        return;
      case 'closed':
        this.onClosed(event.reason, event.error);
        return;
    }
  }

  /** The next event; the association's events in hand are to be fed in first. */
  pollEvent(): DataChannelEvent | undefined {
    if (this.drainCheckAt !== undefined) this.checkDrained();
    return this.events.shift();
  }

  /** @internal ChannelHost */
  emit(event: DataChannelEvent): void {
    this.events.push(event);
  }

  /** @internal ChannelHost */
  pendingSends(channel: DataChannel): void {
    if (channel.sendingSlot >= 0) return;
    channel.sendingSlot = this.sending.length;
    this.sending.push(channel);
  }

  private doneSending(channel: DataChannel): void {
    const slot = channel.sendingSlot;
    if (slot < 0) return;
    channel.sendingSlot = -1;
    const last = this.sending.pop()!;
    if (last !== channel) {
      this.sending[slot] = last;
      last.sendingSlot = slot;
    }
  }

  /** Empties the list of channels with sends pending, returning them. */
  private takeSending(): DataChannel[] {
    const all = this.sending.splice(0);
    for (const c of all) c.sendingSlot = -1;
    return all;
  }

  /** @internal ChannelHost */
  released(channel: DataChannel, now: number): void {
    const id = channel.id;
    const at = this.pending.indexOf(channel);
    if (at >= 0) this.pending.splice(at, 1);
    this.doneSending(channel);
    if (id === null || this.streams.get(id) !== channel) return;
    this.streams.delete(id);
    this.idFreed(id);
    const reopen = this.deferredOpens.get(id);
    if (reopen !== undefined) {
      this.deferredOpens.delete(id);
      this.handleOpen(id, reopen, now);
    }
  }

  /**
   * The association knows its stream counts but waits for its COOKIE-ACK: the channels waiting
   * to open send their OPENs now, to travel with the COOKIE-ECHO. They open at 'connected'.
   */
  private sendOpens(now: number): void {
    this.streamsKnown();
    // A copy: a channel that fails here leaves the list.
    for (const channel of [...this.pending]) {
      if (this.withStreamId(channel, now)) channel.sendOpen(now);
    }
  }

  private onConnected(now: number): void {
    this.streamsKnown();
    this.connected = true;
    const starting = this.pending;
    this.pending = [];
    for (const channel of starting) {
      if (this.withStreamId(channel, now)) channel.start(now);
      else channel.resetWhenUp(now);
    }
  }

  private streamsKnown(): void {
    const assoc = this.assoc!;
    this.negotiatedMaxChannels ??= Math.min(
      assoc.inboundStreams,
      assoc.outboundStreams,
      MAX_STREAM_ID + 1,
    );
  }

  /**
   * Gives a waiting channel its stream id, or checks the one it has against the negotiated
   * streams; false (and the channel failed) if it cannot have one.
   */
  private withStreamId(channel: DataChannel, now: number): boolean {
    if (channel.state !== 'connecting') return false;
    if (channel.id === null) {
      const id = this.allocateId();
      if (id === undefined) {
        channel.fail('no-stream-id', 'no free stream id', now);
        return false;
      }
      channel.assignId(id);
      this.streams.set(id, channel);
    } else if (channel.id >= this.negotiatedMaxChannels!) {
      channel.fail('no-stream-id', `stream id ${channel.id} is beyond the negotiated streams`, now);
      return false;
    }
    return true;
  }

  private onClosed(reason: string, error: boolean): void {
    if (this.closed) return;
    this.closed = true;
    this.connected = false;
    // Closed channels an application still holds keep this manager, not the association.
    this.assoc = undefined;
    const all = [...this.streams.values(), ...this.pending.filter((c) => c.id === null)];
    this.streams.clear();
    this.freeIdFloor = this.role === 'server' ? 1 : 0;
    this.pending = [];
    this.takeSending();
    this.refusing.clear();
    this.deferredOpens.clear();
    for (const channel of all) channel.handleAssociationClosed(reason, error);
  }

  /** The lowest free id of our parity below the negotiated stream count. */
  private allocateId(): number | undefined {
    const max = this.negotiatedMaxChannels ?? 0;
    for (let id = this.freeIdFloor; id < max; id += 2) {
      if (!this.streams.has(id) && !this.refusing.has(id)) {
        this.freeIdFloor = id + 2;
        return id;
      }
    }
    return undefined;
  }

  /** An id left `streams` or `refusing`: if it is of our parity, allocation may reuse it. */
  private idFreed(id: number): void {
    if (id < this.freeIdFloor && (id & 1) === (this.freeIdFloor & 1)) this.freeIdFloor = id;
  }

  private handleSent(streamId: number, bytes: number, now: number): void {
    const channel = this.streams.get(streamId);
    if (channel !== undefined) {
      channel.handleSent(bytes, now);
      if (channel.ledger.empty) this.doneSending(channel);
    }
    if (this.sending.length > 0) this.drainCheckAt = now;
  }

  /**
   * Messages can leave the queue without a 'sent' (abandoned under partial reliability): once
   * the association holds nothing, nobody has anything pending. Checked once the events in
   * hand are handled: the association reports a burst of sends after taking all of it, so
   * during the burst's 'sent' events it already holds nothing while most are still to come.
   */
  private checkDrained(): void {
    const now = this.drainCheckAt!;
    this.drainCheckAt = undefined;
    if (this.sending.length === 0 || this.assoc === undefined || this.assoc.bufferedBytes !== 0) {
      return;
    }
    for (const c of this.takeSending()) c.handleDrained(now);
  }

  private handleDcep(streamId: number, data: Uint8Array, now: number): void {
    const message = decodeDcep(data);
    switch (message.type) {
      case 'ack':
        this.streams.get(streamId)?.handleAck();
        return;
      case 'open':
        this.handleOpen(streamId, message, now);
        return;
      case 'error':
        // Only a broken OPEN has a channel to refuse; other unknown messages are ignored.
        if (message.messageType === DCEP_MESSAGE_OPEN) this.refuseStream(streamId, now);
        return;
    }
  }

  private handleOpen(id: number, open: DcepOpen, now: number): void {
    if (this.refusing.has(id)) return;
    const ourParity = this.role === 'server' ? 1 : 0;
    const previous = this.streams.get(id);
    if (previous?.peerHasReset && (id & 1) !== ourParity) {
      this.deferredOpens.set(id, open);
      return;
    }
    if (previous !== undefined || (id & 1) === ourParity || id > MAX_STREAM_ID) {
      this.refuseStream(id, now);
      return;
    }
    const channel = new DataChannel(
      this,
      {
        label: open.label,
        protocol: open.protocol,
        ordered: open.ordered,
        maxRetransmits: open.reliability === 'rexmit' ? open.reliabilityParameter : null,
        maxPacketLifeTime: open.reliability === 'timed' ? open.reliabilityParameter : null,
        negotiated: false,
        priority: priorityFromWire(open.priority),
      },
      id,
    );
    this.streams.set(id, channel);
    if (!channel.acceptOpen(now)) {
      // The association would not take the ACK; it is failing and will close everything.
      this.streams.delete(id);
      this.idFreed(id);
      return;
    }
    this.events.push({ type: 'datachannel', channel });
    this.events.push({ type: 'open', channel });
  }

  /** Refuses a peer's OPEN by resetting the stream (RFC 8832 6). */
  private refuseStream(id: number, now: number): void {
    const existing = this.streams.get(id);
    if (existing !== undefined) {
      existing.reject(now);
      return;
    }
    this.refusing.add(id);
    try {
      this.assoc?.resetStreams([id], now);
    } catch {
      this.refusing.delete(id);
      this.idFreed(id);
    }
  }
}

function normalizeMaxMessageSize(bytes: number | undefined): number {
  if (bytes === undefined || Number.isNaN(bytes) || bytes < 0) {
    return DEFAULT_REMOTE_MAX_MESSAGE_SIZE;
  }
  return bytes === 0 ? Number.POSITIVE_INFINITY : bytes;
}

/** The checks of the W3C createDataChannel that concern the channel itself. */
function validateInit(label: string, init: DataChannelInit): DataChannelParams {
  const protocol = init.protocol ?? '';
  if (exceedsDcepStringLimit(label)) {
    throw new DataChannelError('type', 'label is longer than 65535 bytes');
  }
  if (exceedsDcepStringLimit(protocol)) {
    throw new DataChannelError('type', 'protocol is longer than 65535 bytes');
  }
  const maxRetransmits = init.maxRetransmits ?? null;
  const maxPacketLifeTime = init.maxPacketLifeTime ?? null;
  if (maxRetransmits !== null && maxPacketLifeTime !== null) {
    throw new DataChannelError('type', 'maxRetransmits and maxPacketLifeTime are exclusive');
  }
  if (!isReliabilityParameter(maxRetransmits) || !isReliabilityParameter(maxPacketLifeTime)) {
    throw new DataChannelError('type', 'reliability parameters are integers in 0..65535');
  }
  const negotiated = init.negotiated ?? false;
  if (negotiated) {
    const id = init.id;
    if (id === undefined) throw new DataChannelError('type', 'a negotiated channel needs an id');
    if (!Number.isInteger(id) || id < 0 || id > MAX_STREAM_ID) {
      throw new DataChannelError('type', 'id must be an integer in 0..65534');
    }
  }
  const priority = init.priority ?? DEFAULT_PRIORITY;
  if (!isDataChannelPriority(priority)) {
    throw new DataChannelError('type', `unknown priority ${String(priority)}`);
  }
  return {
    label,
    protocol,
    ordered: init.ordered ?? true,
    maxRetransmits,
    maxPacketLifeTime,
    negotiated,
    priority,
  };
}

function isReliabilityParameter(v: number | null): boolean {
  return v === null || (Number.isInteger(v) && v >= 0 && v <= MAX_RELIABILITY_PARAMETER);
}

function exceedsDcepStringLimit(s: string): boolean {
  // A UTF-16 code unit is at most 3 UTF-8 bytes: only long strings need encoding to tell.
  if (s.length * 3 <= DCEP_MAX_STRING_BYTES) return false;
  return Buffer.byteLength(s, 'utf8') > DCEP_MAX_STRING_BYTES;
}
