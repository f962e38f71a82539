/** SCTP payload protocol identifiers of WebRTC data channels (RFC 8831 8, RFC 8832 8.1). */
export const PPID_DCEP = 50;
export const PPID_STRING = 51;
/** Deprecated: a non-final fragment of a binary message, from peers that predate EOR support. */
export const PPID_BINARY_PARTIAL = 52;
export const PPID_BINARY = 53;
/** Deprecated: a non-final fragment of a string message. */
export const PPID_STRING_PARTIAL = 54;
/** An empty string: SCTP cannot carry an empty message, so one zero byte goes on the wire. */
export const PPID_STRING_EMPTY = 56;
export const PPID_BINARY_EMPTY = 57;
