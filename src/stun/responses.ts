import { StunMessageBuilder } from './builder.js';
import { StunAttr } from './constants.js';
import type { StunMessage } from './message.js';

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
