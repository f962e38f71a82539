import type { SctpAssociation } from '../sctp/index.js';

export type { SctpAssociationState, SctpEvent, SctpSendOptions } from '../sctp/index.js';

/**
 * The members of SctpAssociation that data channels use. A Pick rather than the class so that
 * tests can drive the channel layer with an in-memory stand-in.
 */
export type DataChannelAssociation = Pick<
  SctpAssociation,
  'state' | 'inboundStreams' | 'outboundStreams' | 'bufferedBytes' | 'send' | 'resetStreams'
>;
