import { type Address, parseIPv4, parseIPv6 } from './address.js';
import { StunMessageBuilder } from './builder.js';
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
 * FINGERPRINT: the answer to every ICE check, written directly into its buffer. `sourceBytes`,
 * when given, are source's 4 or 16 address bytes (addressBytes(source)), for a caller that
 * answers the same address again and again. Throws on a malformed address or port, as the
 * builder does.
 */
export function buildBindingSuccess(
  transactionId: Uint8Array,
  source: Address,
  key: Uint8Array,
  sourceBytes?: Uint8Array,
): Uint8Array {
  if (transactionId.length !== 12) throw new RangeError('a transaction id is 12 bytes');
  const v6 = source.family === 'IPv6';
  const port = source.port;
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) {
    throw new RangeError(`bad port: ${port}`);
  }
  const end = HEADER_LENGTH + (v6 ? 24 : 12);
  const buf = allocMessage(end + SEAL_LENGTH);
  if (sourceBytes?.length === (v6 ? 16 : 4)) buf.set(sourceBytes, 28);
  else if (!(v6 ? parseIPv6(source.address, buf, 28) : parseIPv4(source.address, buf, 28))) {
    throw new TypeError(`not an ${source.family} address: ${source.address}`);
  }
  buf[0] = 0x01; // Binding success
  buf[1] = 0x01;
  buf[4] = 0x21; // magic cookie
  buf[5] = 0x12;
  buf[6] = 0xa4;
  buf[7] = 0x42;
  buf.set(transactionId, 8);
  buf[20] = StunAttr.XorMappedAddress >> 8;
  buf[21] = StunAttr.XorMappedAddress & 0xff;
  buf[23] = v6 ? 20 : 8;
  buf[25] = v6 ? 0x02 : 0x01;
  const xport = port ^ 0x2112;
  buf[26] = xport >> 8;
  buf[27] = xport & 0xff;
  // The address XOR the magic cookie, then (IPv6) XOR the transaction id.
  for (let k = 0; k < 4; k++) buf[28 + k] ^= buf[4 + k]!;
  if (v6) for (let k = 0; k < 12; k++) buf[32 + k] ^= transactionId[k]!;
  sealMessage(buf, end, key);
  return buf;
}
