import type { DataChannel } from './channel.js';

/**
 * What happened to a channel, in the order it happened. Events map one to one onto the
 * RTCDataChannel events of the same name:
 * - 'datachannel' announces a channel the peer opened; that channel's 'open' follows.
 * - 'closing' only when the closing was not asked for locally (the peer reset the stream, or
 *   broke protocol on it); after a local close() the next event is 'close', as in the W3C API.
 * - 'error' precedes the 'close' of a channel that failed: the association failed, the OPEN
 *   could not be sent, or no stream id was free.
 */
export type DataChannelEvent =
  | { type: 'datachannel'; channel: DataChannel }
  | { type: 'open'; channel: DataChannel }
  | { type: 'message'; channel: DataChannel; data: string | Uint8Array }
  | { type: 'bufferedamountlow'; channel: DataChannel }
  | { type: 'closing'; channel: DataChannel }
  | { type: 'close'; channel: DataChannel }
  | { type: 'error'; channel: DataChannel; kind: DataChannelFailure; reason: string };

/**
 * Why a channel failed: the SCTP association failed ('sctp-failure', the W3C RTCError
 * errorDetail), the channel could not be set up ('data-channel-failure'), or no stream id
 * was free for it ('no-stream-id', which the W3C layer reports as OperationError).
 */
export type DataChannelFailure = 'sctp-failure' | 'data-channel-failure' | 'no-stream-id';
