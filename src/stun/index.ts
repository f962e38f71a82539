export {
  type Address,
  addressBytes,
  addressKey,
  formatIPv4,
  formatIPv6,
  parseIPv4,
  parseIPv6,
} from './address.js';
export {
  COOKIE_BYTES,
  decodeAddressValue,
  decodeXorAddressValue,
  getErrorCode,
  getIceControlled,
  getIceControlling,
  getMappedAddress,
  getPriority,
  getString,
  getUint32,
  getUint64,
  getUnknownAttributes,
  getUsername,
  getXorMappedAddress,
  hasUseCandidate,
  unknownComprehensionRequired,
} from './attributes.js';
export { newTransactionId, type StunBuilderOptions, StunMessageBuilder } from './builder.js';
export {
  decodeMessageClass,
  decodeMessageMethod,
  encodeMessageType,
  HEADER_LENGTH,
  KNOWN_REQUIRED_ATTRIBUTES,
  MAGIC_COOKIE,
  StunAttr,
  type StunClass,
  StunMethod,
} from './constants.js';
export {
  FINGERPRINT_XOR,
  longTermKey,
  shortTermKey,
  verifyFingerprint,
  verifyMessageIntegrity,
  verifyMessageIntegritySha256,
} from './integrity.js';
export {
  decodeStun,
  findAttribute,
  isStunMessage,
  type StunAttribute,
  type StunDecodeResult,
  type StunMessage,
} from './message.js';
export {
  buildBindingSuccess,
  buildErrorResponse,
  buildUnknownAttributesResponse,
  errorResponseBuilder,
  type StunResponseOptions,
} from './responses.js';
export { saslprep } from './saslprep.js';
export { StunMessageTemplate } from './template.js';
export {
  StunClientTransaction,
  type StunTransactionOptions,
  type StunTransactionState,
  sameId,
} from './transaction.js';
export {
  type StunTableEntry,
  type StunTableTransmit,
  StunTransactionTable,
} from './transaction-table.js';
