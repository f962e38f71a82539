import { Fifo } from '../util/fifo.js';

/** The events an association reports through `pollEvent()`. */
export type SctpEvent =
  | { type: 'connected' }
  /**
   * The INIT-ACK has fixed the stream counts and the association is waiting for its
   * COOKIE-ACK: data sent now travels with the COOKIE-ECHO (RFC 9260 5.1), a round trip
   * before 'connected'.
   */
  | { type: 'sendable' }
  | { type: 'message'; streamId: number; ppid: number; data: Uint8Array }
  | { type: 'sent'; streamId: number; bytes: number }
  | { type: 'stream-reset'; streamIds: number[] }
  | { type: 'reset-complete'; streamIds: number[] }
  | { type: 'closed'; reason: string; error: boolean };

/** The association's event queue, read through `pollEvent()`. */
export class EventQueue extends Fifo<SctpEvent> {}
