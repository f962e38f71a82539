/**
 * RFC 7983 (and RFC 9443) demultiplexing of what arrives on an ICE component: STUN is the ICE
 * agent's own (first byte 0..3); the rest is told apart by its first byte.
 */
export const DATAGRAM_DTLS = 0;
export const DATAGRAM_RTP = 1;
export const DATAGRAM_UNKNOWN = 2;

export type DatagramKind = typeof DATAGRAM_DTLS | typeof DATAGRAM_RTP | typeof DATAGRAM_UNKNOWN;

export function classifyDatagram(data: Uint8Array): DatagramKind {
  const b = data.length > 0 ? data[0]! : 0;
  if (b >= 20 && b <= 63) return DATAGRAM_DTLS;
  if (b >= 128 && b <= 191) return DATAGRAM_RTP;
  return DATAGRAM_UNKNOWN;
}
