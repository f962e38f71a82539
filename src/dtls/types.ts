/** The public shapes of the DTLS endpoint. */
import type { DtlsCertificate } from './certificate.js';

export type DtlsRole = 'client' | 'server';
export type DtlsState = 'new' | 'connecting' | 'connected' | 'closed' | 'failed';
export type SrtpProfile =
  | 'SRTP_AEAD_AES_128_GCM'
  | 'SRTP_AEAD_AES_256_GCM'
  | 'SRTP_AES128_CM_HMAC_SHA1_80';

/** RFC 5764 4.1.2 and RFC 7714 14.2 profile numbers. */
export const SRTP_PROFILE_IDS: Readonly<Record<SrtpProfile, number>> = {
  SRTP_AEAD_AES_128_GCM: 0x0007,
  SRTP_AEAD_AES_256_GCM: 0x0008,
  SRTP_AES128_CM_HMAC_SHA1_80: 0x0001,
};

export const DEFAULT_SRTP_PROFILES: readonly SrtpProfile[] = [
  'SRTP_AEAD_AES_128_GCM',
  'SRTP_AEAD_AES_256_GCM',
  'SRTP_AES128_CM_HMAC_SHA1_80',
];

export interface DtlsOptions {
  role: DtlsRole;
  certificate: DtlsCertificate;
  now: number;
  /** When given, the peer's certificate must match one (else fatal bad_certificate, 'failed'). */
  remoteFingerprints?: { algorithm: string; value: string }[];
  /** Max datagram size for handshake flights (default 1200). */
  mtu?: number;
  /** Offered/accepted in use_srtp, in preference order (default all three; [] = no use_srtp). */
  srtpProfiles?: SrtpProfile[];
  /** Restricts the cipher suites (default all supported). */
  cipherSuites?: number[];
  /**
   * First retransmission timeout in ms; doubles per retransmission (RFC 6347 4.2.4.1). Default
   * 50, as libwebrtc uses when it has no RTT estimate; libwebrtc's rule once ICE knows the RTT
   * is clamp(2 x RTT, 50, 3000), which a caller can pass here. RFC 6347's 1 s suits unknown
   * paths but makes a lost first flight cost a second on the paths WebRTC runs over.
   */
  initialRetransmitTimeout?: number;
  /** Cap on the doubling retransmission timeout (default 60 000 ms, RFC 6347 4.2.4.1). */
  maxRetransmitTimeout?: number;
  /** The handshake fails if not done this long after it started (default 30 000 ms). */
  handshakeTimeout?: number;
  /**
   * Server: answer a ClientHello without a valid cookie with a HelloVerifyRequest (RFC 6347
   * 4.2.1), so that nothing is sent in bulk to an address that did not ask. Default true. A
   * WebRTC connection turns it off: ICE has already shown that the peer receives at its
   * address, which is what the cookie proves, and the exchange would cost every setup a round
   * trip (Chrome's DTLS server does not send one either).
   */
  cookieExchange?: boolean;
  /** Secret for the server's stateless cookie (default: random per endpoint). */
  cookieSecret?: Uint8Array;
}

export type DtlsEvent =
  | { type: 'connected' }
  /** Application data: a subarray of a buffer this endpoint does not reuse. */
  | { type: 'data'; data: Uint8Array }
  /** close_notify received, or sent by close(). */
  | { type: 'closed' }
  /** Fatal alert sent or received, or handshake timeout. */
  | { type: 'failed'; reason: string; alert?: number };
