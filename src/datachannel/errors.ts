/**
 * Errors thrown by the data channel API calls (never by network input). `kind` names the
 * W3C exception the caller should raise: 'invalid-state' → InvalidStateError, 'operation' →
 * OperationError (also a full send buffer), 'type' → TypeError (also a message over the
 * remote's max-message-size).
 */
export type DataChannelErrorKind = 'invalid-state' | 'operation' | 'type';

export class DataChannelError extends Error {
  override readonly name = 'DataChannelError';
  constructor(
    readonly kind: DataChannelErrorKind,
    message: string,
  ) {
    super(message);
  }
}
