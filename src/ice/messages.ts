/** The STUN messages ICE sends: connectivity checks, their responses, and gathering requests. */
import {
  type Address,
  buildBindingSuccess,
  buildErrorResponse,
  buildUnknownAttributesResponse,
  StunAttr,
  type StunMessage,
  StunMessageBuilder,
  StunMessageTemplate,
  StunMethod,
} from '../stun/index.js';
import type { IceRole } from './types.js';

export interface CheckRequestParams {
  transactionId: Uint8Array;
  /** "remoteUfrag:localUfrag" (RFC 8445 7.2.2). */
  username: string;
  /** The priority a peer-reflexive candidate learned from this check would get. */
  priority: number;
  role: IceRole;
  tieBreaker: bigint;
  useCandidate: boolean;
  /** The short-term key made from the remote password. */
  key: Uint8Array;
}

/** Stands in for the id a template's build() sets. */
const TEMPLATE_ID = new Uint8Array(12);

/** A check request's attributes up to (not including) MESSAGE-INTEGRITY. */
function checkRequestBuilder(
  p: Omit<CheckRequestParams, 'key' | 'transactionId'>,
  transactionId: Uint8Array,
): StunMessageBuilder {
  const b = new StunMessageBuilder(StunMethod.Binding, 'request', transactionId)
    .addString(StunAttr.Username, p.username)
    .addUint32(StunAttr.Priority, p.priority)
    .addUint64(
      p.role === 'controlling' ? StunAttr.IceControlling : StunAttr.IceControlled,
      p.tieBreaker,
    );
  if (p.useCandidate) b.addFlag(StunAttr.UseCandidate);
  return b;
}

export function buildCheckRequest(p: CheckRequestParams): Uint8Array {
  return checkRequestBuilder(p, p.transactionId)
    .addMessageIntegrity(p.key)
    .addFingerprint()
    .build();
}

/**
 * The same request as buildCheckRequest, for any transaction id: consent checks (RFC 7675)
 * repeat one request on the selected pair every few seconds.
 */
export function checkRequestTemplate(
  p: Omit<CheckRequestParams, 'transactionId'>,
): StunMessageTemplate {
  return new StunMessageTemplate(checkRequestBuilder(p, TEMPLATE_ID), p.key);
}

/** Success response to a check: XOR-MAPPED-ADDRESS = where the request came from. */
export function buildCheckSuccess(
  request: StunMessage,
  source: Address,
  key: Uint8Array,
): Uint8Array {
  return buildBindingSuccess(request.transactionId, source, key);
}

export function buildCheckError(
  request: StunMessage,
  code: number,
  reason: string,
  key: Uint8Array,
): Uint8Array {
  return buildErrorResponse(request, code, reason, { key, fingerprint: true });
}

export function buildCheckUnknownAttributes(
  request: StunMessage,
  unknown: number[],
  key: Uint8Array,
): Uint8Array {
  return buildUnknownAttributesResponse(request, unknown, { key, fingerprint: true });
}

/** An unauthenticated Binding request to a STUN server, for server-reflexive gathering. */
export function buildGatherRequest(transactionId: Uint8Array): Uint8Array {
  return new StunMessageBuilder(StunMethod.Binding, 'request', transactionId)
    .addFingerprint()
    .build();
}
