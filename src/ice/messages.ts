/** The STUN messages ICE sends: connectivity checks, their responses, and gathering requests. */
import {
  type Address,
  buildErrorResponse,
  buildUnknownAttributesResponse,
  StunAttr,
  type StunMessage,
  StunMessageBuilder,
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

export function buildCheckRequest(p: CheckRequestParams): Uint8Array {
  const b = new StunMessageBuilder(StunMethod.Binding, 'request', p.transactionId)
    .addString(StunAttr.Username, p.username)
    .addUint32(StunAttr.Priority, p.priority)
    .addUint64(
      p.role === 'controlling' ? StunAttr.IceControlling : StunAttr.IceControlled,
      p.tieBreaker,
    );
  if (p.useCandidate) b.addFlag(StunAttr.UseCandidate);
  return b.addMessageIntegrity(p.key).addFingerprint().build();
}

/** Success response to a check: XOR-MAPPED-ADDRESS = where the request came from. */
export function buildCheckSuccess(request: StunMessage, source: Address, key: Uint8Array) {
  return new StunMessageBuilder(StunMethod.Binding, 'success', request.transactionId)
    .addXorAddress(StunAttr.XorMappedAddress, source)
    .addMessageIntegrity(key)
    .addFingerprint()
    .build();
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
