/**
 * The spec's DOMExceptions, created from Node's global DOMException so that `instanceof
 * DOMException`, `.name` and `.code` behave as in browsers.
 */

/** The DOMException names WebRTC and WebCrypto algorithms throw. */
export type DOMExceptionName =
  | 'InvalidStateError'
  | 'InvalidAccessError'
  | 'InvalidModificationError'
  | 'InvalidCharacterError'
  | 'NotSupportedError'
  | 'NotFoundError'
  | 'NotAllowedError'
  | 'NotReadableError'
  | 'OperationError'
  | 'SyntaxError'
  | 'TypeMismatchError'
  | 'DataCloneError'
  | 'AbortError'
  | 'QuotaExceededError'
  | 'TimeoutError'
  | 'NetworkError'
  | 'UnknownError'
  | 'DataError'
  | 'EncodingError';

export function domException(name: DOMExceptionName, message: string): DOMException {
  return new DOMException(message, name);
}

/** True for a DOMException with the given name, however it was created. */
export function isDomException(value: unknown, name?: DOMExceptionName): value is DOMException {
  return value instanceof DOMException && (name === undefined || value.name === name);
}
