/**
 * WebRTC data channels over an SCTP association: the Data Channel Establishment Protocol
 * (RFC 8832) and the channel semantics of RFC 8831, sans-IO.
 *
 * Driving it:
 *   const manager = new DataChannelManager({ remoteMaxMessageSize });
 *   const channel = manager.createChannel('chat', { ordered: false }, now); // any time
 *   manager.attach(association, dtlsRole, now);        // once the association exists
 *   // after every input to the association:
 *   for (let e = association.pollEvent(); e; e = association.pollEvent()) {
 *     manager.handleSctpEvent(e, now);
 *   }
 *   for (let e = manager.pollEvent(); e; e = manager.pollEvent()) { ...dispatch e... }
 *   // then drain association.pollTransmit() as usual: send() and close() queue SCTP work.
 */
export type {
  DataChannelAssociation,
  SctpAssociationState,
  SctpEvent,
  SctpSendOptions,
} from './association.js';
export {
  DataChannel,
  type DataChannelInit,
  type DataChannelParams,
  type DataChannelState,
} from './channel.js';
export {
  CHANNEL_TYPE_PARTIAL_RELIABLE_REXMIT,
  CHANNEL_TYPE_PARTIAL_RELIABLE_TIMED,
  CHANNEL_TYPE_RELIABLE,
  CHANNEL_TYPE_UNORDERED_BIT,
  DCEP_MESSAGE_ACK,
  DCEP_MESSAGE_OPEN,
  type DcepAck,
  type DcepError,
  type DcepMessage,
  type DcepOpen,
  type DcepOpenParams,
  type DcepReliability,
  decodeDcep,
  encodeDcepAck,
  encodeDcepOpen,
} from './dcep.js';
export { DataChannelError, type DataChannelErrorKind } from './errors.js';
export type { DataChannelEvent, DataChannelFailure } from './events.js';
export { DataChannelManager, type DataChannelManagerOptions, type DtlsRole } from './manager.js';
export * from './ppid.js';
export {
  type DataChannelPriority,
  priorityFromWire,
  priorityToWire,
} from './priority.js';
