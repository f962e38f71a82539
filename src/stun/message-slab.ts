import { Slab } from '../bytes/slab.js';

/**
 * Outgoing STUN messages are cut from one shared slab: a typed array of a message's size
 * (over 64 bytes) gets its own off-heap store, which costs more than building the message.
 * Messages are sent and dropped (or kept for a retransmission or two), so a slab is freed soon
 * after its last message.
 */
const slab = new Slab(16 * 1024);

/** A zero-filled buffer for one outgoing message. */
export function allocMessage(length: number): Uint8Array {
  return slab.alloc(length);
}
