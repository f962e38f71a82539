import type { StunMessageBuilder } from './builder.js';
import { allocMessage } from './message-slab.js';
import { SEAL_LENGTH, sealMessage } from './seal.js';

/**
 * A message sent again and again with only its transaction id changing (ICE consent checks
 * repeat one request every few seconds): the header and the attributes before
 * MESSAGE-INTEGRITY are encoded once, and each build() copies them, sets the id and appends
 * MESSAGE-INTEGRITY and FINGERPRINT.
 */
export class StunMessageTemplate {
  private readonly prefix: Uint8Array;

  /**
   * `builder` holds the attributes that precede integrity. None may depend on the transaction
   * id (an IPv6 XOR-*-ADDRESS does), as the id it was built with is replaced.
   */
  constructor(
    builder: StunMessageBuilder,
    private readonly key: Uint8Array,
  ) {
    // A copy of its own, so that the long-lived template keeps no shared slab alive.
    this.prefix = builder.build().slice();
  }

  build(transactionId: Uint8Array): Uint8Array {
    if (transactionId.length !== 12) throw new RangeError('a transaction id is 12 bytes');
    const n = this.prefix.length;
    const buf = allocMessage(n + SEAL_LENGTH);
    buf.set(this.prefix);
    buf.set(transactionId, 8);
    sealMessage(buf, n, this.key);
    return buf;
  }
}
