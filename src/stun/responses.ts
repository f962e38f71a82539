import type { Address } from './address.js';
import { addressValue, StunMessageBuilder, writeAddressValue } from './builder.js';
import { HEADER_LENGTH, StunAttr } from './constants.js';
import type { StunMessage } from './message.js';
import { allocMessage } from './message-slab.js';
import { SEAL_LENGTH, sealMessage } from './seal.js';

export interface StunResponseOptions {
  /** Short- or long-term key: adds MESSAGE-INTEGRITY. */
  key?: Uint8Array;
  /** Adds FINGERPRINT (ICE requires it on every message). */
  fingerprint?: boolean;
  software?: string;
}

/** Starts an error response to `request`: same method and transaction id, ERROR-CODE set. */
export function errorResponseBuilder(
  request: StunMessage,
  code: number,
  reason: string,
): StunMessageBuilder {
  return new StunMessageBuilder(request.method, 'error', request.transactionId).addErrorCode(
    code,
    reason,
  );
}

function finish(b: StunMessageBuilder, opts: StunResponseOptions): Uint8Array {
  if (opts.software !== undefined) b.addString(StunAttr.Software, opts.software);
  if (opts.key) b.addMessageIntegrity(opts.key);
  if (opts.fingerprint) b.addFingerprint();
  return b.build();
}

/** A complete error response to `request`. */
export function buildErrorResponse(
  request: StunMessage,
  code: number,
  reason: string,
  opts: StunResponseOptions = {},
): Uint8Array {
  return finish(errorResponseBuilder(request, code, reason), opts);
}

/**
 * The 420 (Unknown Attribute) response to a request carrying comprehension-required
 * attributes this agent does not understand (list them with unknownComprehensionRequired).
 */
export function buildUnknownAttributesResponse(
  request: StunMessage,
  unknown: number[],
  opts: StunResponseOptions = {},
): Uint8Array {
  const b = errorResponseBuilder(request, 420, 'Unknown Attribute').addUnknownAttributes(unknown);
  return finish(b, opts);
}

/**
 * Binding success response with XOR-MAPPED-ADDRESS = `source`, MESSAGE-INTEGRITY and
 * FINGERPRINT: the answer to every ICE check, written straight into one buffer. Throws on a
 * malformed address or port, as the builder does.
 */
export function buildBindingSuccess(
  transactionId: Uint8Array,
  source: Address,
  key: Uint8Array,
): Uint8Array {
  if (transactionId.length !== 12) throw new RangeError('a transaction id is 12 bytes');
  const address = addressValue(source);
  const end = HEADER_LENGTH + 4 + 4 + address.length;
  const buf = allocMessage(end + SEAL_LENGTH);
  buf[0] = 0x01; // Binding success
  buf[1] = 0x01;
  buf[4] = 0x21; // magic cookie
  buf[5] = 0x12;
  buf[6] = 0xa4;
  buf[7] = 0x42;
  buf.set(transactionId, 8);
  buf[20] = StunAttr.XorMappedAddress >> 8;
  buf[21] = StunAttr.XorMappedAddress & 0xff;
  buf[22] = 0;
  buf[23] = 4 + address.length;
  writeAddressValue(buf, 24, address, source.port, transactionId);
  sealMessage(buf, end, key);
  return buf;
}
