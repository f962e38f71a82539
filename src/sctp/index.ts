export {
  SctpAssociation,
  type SctpAssociationOptions,
  type SctpAssociationState,
  type SctpSendOptions,
} from './association.js';
export { crc32c, sctpChecksum } from './crc32c.js';
export type { SctpEvent } from './events.js';
