/**
 * RTCDataChannel (W3C webrtc-pc 6.2) over a channel of src/datachannel. The protocol object
 * runs ahead of the page: readyState here changes only as the matching event is dispatched.
 */
import { getEventListeners } from 'node:events';
import { wholeBuffer } from '../bytes/copy.js';
import {
  type DataChannel,
  DataChannelError,
  type DataChannelEvent,
  type DataChannelInit,
  type DataChannelPriority,
  type DataChannelState,
} from '../datachannel/index.js';
import { domException } from './dom-exception.js';
import { defineEventHandlers, type EventHandler } from './event-handler.js';
import { RTCError, RTCErrorEvent } from './rtc-error.js';

export type RTCDataChannelState = DataChannelState;
export type BinaryType = 'blob' | 'arraybuffer';
export type RTCPriorityType = DataChannelPriority;
export type RTCDataChannelInit = DataChannelInit;

/** What a channel needs from its connection. */
export interface DataChannelHost {
  readonly isClosed: boolean;
  /** The SCTP transport's maxMessageSize (Infinity when unlimited). */
  readonly maxMessageSize: number;
  /** Hands a message to the protocol channel; throws DataChannelError. */
  sendOnChannel(channel: DataChannel, data: string | Uint8Array): void;
  closeChannel(channel: DataChannel): void;
  /** The channel has closed: it no longer belongs to the connection's open channels. */
  channelClosed(channel: DataChannel): void;
}

type Pending = string | Uint8Array | Blob;

let constructing = false;

/** The channel's event types, as bits of the record of types a listener was found for. */
const EVENT_BITS = {
  open: 1,
  message: 2,
  bufferedamountlow: 4,
  closing: 8,
  error: 16,
  close: 32,
} as const;
type ChannelEventType = keyof typeof EVENT_BITS;

export class RTCDataChannel extends EventTarget {
  readonly #channel: DataChannel;
  readonly #host: DataChannelHost;
  #readyState: RTCDataChannelState;
  #binaryType: BinaryType = 'blob';
  /**
   * Messages waiting behind a Blob whose bytes are still being read: they keep their order.
   * Their sizes count in bufferedAmount.
   */
  #queue: Pending[] = [];
  #queuedBytes = 0;
  #draining = false;
  /**
   * The event types a listener was found for (never cleared: an event dispatched to nobody is
   * harmless). An event no listener receives is not observable, so the thousands nobody
   * listens to (bufferedamountlow after every send with the default threshold, 'open' of the
   * channels the peer opened) cost neither an Event nor a dispatch.
   */
  #heardTypes = 0;

  declare onopen: EventHandler<RTCDataChannel>;
  declare onbufferedamountlow: EventHandler<RTCDataChannel>;
  declare onerror: EventHandler<RTCDataChannel, RTCErrorEvent>;
  declare onclosing: EventHandler<RTCDataChannel>;
  declare onclose: EventHandler<RTCDataChannel>;
  declare onmessage: EventHandler<RTCDataChannel, MessageEvent>;

  /** @internal Created by RTCPeerConnection only. */
  constructor(channel: DataChannel, host: DataChannelHost, readyState: RTCDataChannelState) {
    if (!constructing) throw new TypeError('Illegal constructor');
    super();
    this.#channel = channel;
    this.#host = host;
    this.#readyState = readyState;
  }

  /** @internal */
  static create(
    channel: DataChannel,
    host: DataChannelHost,
    readyState: RTCDataChannelState,
  ): RTCDataChannel {
    constructing = true;
    try {
      return new RTCDataChannel(channel, host, readyState);
    } finally {
      constructing = false;
    }
  }

  get label(): string {
    return this.#channel.label;
  }
  get ordered(): boolean {
    return this.#channel.ordered;
  }
  get maxPacketLifeTime(): number | null {
    return this.#channel.maxPacketLifeTime;
  }
  get maxRetransmits(): number | null {
    return this.#channel.maxRetransmits;
  }
  get protocol(): string {
    return this.#channel.protocol;
  }
  get negotiated(): boolean {
    return this.#channel.negotiated;
  }
  /** Null until the DTLS role is known and a stream id is chosen. */
  get id(): number | null {
    return this.#channel.id;
  }
  get priority(): RTCPriorityType {
    return this.#channel.priority;
  }
  get readyState(): RTCDataChannelState {
    return this.#readyState;
  }
  get bufferedAmount(): number {
    return this.#channel.bufferedAmount + this.#queuedBytes;
  }
  get bufferedAmountLowThreshold(): number {
    return this.#channel.bufferedAmountLowThreshold;
  }
  set bufferedAmountLowThreshold(value: number) {
    // WebIDL unsigned long: modulo 2^32.
    const n = Math.trunc(Number(value));
    this.#channel.bufferedAmountLowThreshold = Number.isFinite(n)
      ? ((n % 2 ** 32) + 2 ** 32) % 2 ** 32
      : 0;
  }
  get binaryType(): BinaryType {
    return this.#binaryType;
  }
  set binaryType(value: BinaryType) {
    // An enumerated attribute ignores values outside the enumeration.
    if (value === 'blob' || value === 'arraybuffer') this.#binaryType = value;
  }

  send(data: string | Blob | ArrayBuffer | ArrayBufferView): void {
    // biome-ignore lint/complexity/noArguments: a rest parameter would allocate on every send
    if (arguments.length === 0) throw new TypeError('send() needs one argument');
    if (this.#readyState !== 'open') {
      throw domException('InvalidStateError', `data channel is ${this.#readyState}`);
    }
    const maxSize = this.#host.maxMessageSize;
    let message: Pending;
    let size: number;
    if (typeof data === 'string') {
      message = data;
      // No UTF-16 code unit takes more than 3 bytes: a short string fits, and with nothing
      // queued its size is not counted anywhere, so it need not be measured.
      size =
        this.#queue.length === 0 && data.length * 3 <= maxSize
          ? data.length
          : Buffer.byteLength(data, 'utf8');
    } else if (data instanceof Blob) {
      message = data;
      size = data.size;
    } else if (data instanceof ArrayBuffer || isSharedArrayBuffer(data)) {
      message = new Uint8Array(data);
      size = message.byteLength;
    } else if (ArrayBuffer.isView(data)) {
      message = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      size = message.byteLength;
    } else {
      // WebIDL converts anything else to a string.
      message = String(data);
      size = Buffer.byteLength(message, 'utf8');
    }
    if (size > maxSize) {
      throw new TypeError(
        `message of ${size} bytes exceeds the remote max-message-size of ${maxSize}`,
      );
    }
    if (this.#queue.length > 0 || message instanceof Blob) {
      // Sent later, in order: copy bytes the caller may reuse.
      if (message instanceof Uint8Array) message = message.slice();
      this.#queue.push(message);
      this.#queuedBytes += size;
      if (!this.#draining) void this.#drain();
      return;
    }
    this.#sendNow(message);
  }

  #sendNow(message: string | Uint8Array): void {
    try {
      this.#host.sendOnChannel(this.#channel, message);
    } catch (e) {
      throw toDomError(e);
    }
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      while (this.#queue.length > 0) {
        const head = this.#queue[0]!;
        let bytes: string | Uint8Array;
        let size: number;
        if (head instanceof Blob) {
          bytes = new Uint8Array(await head.arrayBuffer());
          size = head.size;
        } else {
          bytes = head;
          size = typeof head === 'string' ? Buffer.byteLength(head, 'utf8') : head.byteLength;
        }
        this.#queue.shift();
        this.#queuedBytes -= size;
        if (this.#readyState !== 'open' || this.#host.isClosed) continue;
        try {
          this.#host.sendOnChannel(this.#channel, bytes);
        } catch {
          // No caller is left to throw to; a full buffer drops the message as a closed one would.
        }
      }
    } finally {
      this.#draining = false;
    }
  }

  /** Whether firing an event of this type can reach a listener (however it was added). */
  #heard(type: ChannelEventType): boolean {
    const bit = EVENT_BITS[type];
    if ((this.#heardTypes & bit) !== 0) return true;
    if (getEventListeners(this, type).length === 0) return false;
    this.#heardTypes |= bit;
    return true;
  }

  close(): void {
    if (this.#readyState === 'closing' || this.#readyState === 'closed') return;
    this.#readyState = 'closing';
    this.#host.closeChannel(this.#channel);
  }

  get [Symbol.toStringTag](): string {
    return 'RTCDataChannel';
  }

  /** @internal The protocol channel behind an RTCDataChannel. */
  static channelOf(dc: RTCDataChannel): DataChannel | undefined {
    return #channel in dc ? dc.#channel : undefined;
  }

  /** @internal The connection was closed: the channel is closed without events. */
  abort(): void {
    this.#readyState = 'closed';
    this.#queue = [];
    this.#queuedBytes = 0;
  }

  /** @internal Runs as a task: one protocol event becomes the DOM event the spec says. */
  dispatchChannelEvent(event: DataChannelEvent): void {
    if (this.#host.isClosed) return;
    switch (event.type) {
      case 'open':
        // "Announce the channel as open".
        if (this.#readyState === 'closing' || this.#readyState === 'closed') return;
        this.#readyState = 'open';
        if (this.#heard('open')) this.dispatchEvent(new Event('open'));
        return;
      case 'message':
        if (this.#readyState !== 'open' || !this.#heard('message')) return;
        this.dispatchEvent(new MessageEvent('message', { data: this.#messageData(event.data) }));
        return;
      case 'bufferedamountlow':
        if (this.#heard('bufferedamountlow')) {
          this.dispatchEvent(new Event('bufferedamountlow'));
        }
        return;
      case 'closing':
        if (this.#readyState === 'closing' || this.#readyState === 'closed') return;
        this.#readyState = 'closing';
        if (this.#heard('closing')) this.dispatchEvent(new Event('closing'));
        return;
      case 'error': {
        if (this.#readyState === 'closed' || !this.#heard('error')) return;
        const errorDetail = event.kind === 'sctp-failure' ? 'sctp-failure' : 'data-channel-failure';
        const error = new RTCError({ errorDetail }, event.reason);
        this.dispatchEvent(new RTCErrorEvent('error', { error }));
        return;
      }
      case 'close':
        if (this.#readyState === 'closed') return;
        this.#readyState = 'closed';
        this.#queue = [];
        this.#queuedBytes = 0;
        this.#host.channelClosed(this.#channel);
        if (this.#heard('close')) this.dispatchEvent(new Event('close'));
        return;
      case 'datachannel':
        return;
    }
  }

  #messageData(data: string | Uint8Array): string | ArrayBuffer | Blob {
    if (typeof data === 'string') return data;
    if (this.#binaryType === 'blob') return new Blob([data]);
    return (
      wholeBuffer(data) ??
      (data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer)
    );
  }
}

defineEventHandlers(RTCDataChannel.prototype, [
  'open',
  'bufferedamountlow',
  'error',
  'closing',
  'close',
  'message',
]);

function isSharedArrayBuffer(value: unknown): value is SharedArrayBuffer {
  return typeof SharedArrayBuffer !== 'undefined' && value instanceof SharedArrayBuffer;
}

/** The W3C exception for a protocol-layer error thrown by a caller's action. */
export function toDomError(e: unknown): Error {
  if (e instanceof DataChannelError) {
    switch (e.kind) {
      case 'type':
        return new TypeError(e.message);
      case 'operation':
        return domException('OperationError', e.message);
      case 'invalid-state':
        return domException('InvalidStateError', e.message);
    }
  }
  return e instanceof Error ? e : new Error(String(e));
}
