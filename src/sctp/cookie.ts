/**
 * The INIT-ACK state cookie: everything the association needs to come up from a COOKIE-ECHO,
 * so that answering an INIT allocates nothing (RFC 9260 5.1.3). Signed with HMAC-SHA256 under a
 * per-association secret and stamped with its creation time for the lifetime check.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface CookieState {
  createdAt: number;
  localTag: number;
  peerTag: number;
  localInitialTsn: number;
  peerInitialTsn: number;
  peerRwnd: number;
  /** Negotiated stream counts. */
  outboundStreams: number;
  inboundStreams: number;
  peerZeroChecksum: boolean;
  peerForwardTsn: boolean;
  peerReconfig: boolean;
  peerIData: boolean;
}

const BODY = 36;
const MAC = 32;
export const COOKIE_SIZE = BODY + MAC;

function mac(secret: Uint8Array, body: Uint8Array): Uint8Array {
  return createHmac('sha256', secret).update(body).digest();
}

export function encodeCookie(s: CookieState, secret: Uint8Array): Uint8Array {
  const out = new Uint8Array(COOKIE_SIZE);
  const v = new DataView(out.buffer);
  v.setFloat64(0, s.createdAt);
  v.setUint32(8, s.localTag);
  v.setUint32(12, s.peerTag);
  v.setUint32(16, s.localInitialTsn);
  v.setUint32(20, s.peerInitialTsn);
  v.setUint32(24, s.peerRwnd);
  v.setUint16(28, s.outboundStreams);
  v.setUint16(30, s.inboundStreams);
  v.setUint8(
    32,
    (s.peerZeroChecksum ? 1 : 0) |
      (s.peerForwardTsn ? 2 : 0) |
      (s.peerReconfig ? 4 : 0) |
      (s.peerIData ? 8 : 0),
  );
  out.set(mac(secret, out.subarray(0, BODY)), BODY);
  return out;
}

/** The cookie's state if its signature holds, else undefined. Lifetime is the caller's check. */
export function decodeCookie(cookie: Uint8Array, secret: Uint8Array): CookieState | undefined {
  if (cookie.length !== COOKIE_SIZE) return undefined;
  const expected = mac(secret, cookie.subarray(0, BODY));
  if (!timingSafeEqual(expected, cookie.subarray(BODY))) return undefined;
  const v = new DataView(cookie.buffer, cookie.byteOffset, cookie.length);
  const flags = v.getUint8(32);
  return {
    createdAt: v.getFloat64(0),
    localTag: v.getUint32(8),
    peerTag: v.getUint32(12),
    localInitialTsn: v.getUint32(16),
    peerInitialTsn: v.getUint32(20),
    peerRwnd: v.getUint32(24),
    outboundStreams: v.getUint16(28),
    inboundStreams: v.getUint16(30),
    peerZeroChecksum: (flags & 1) !== 0,
    peerForwardTsn: (flags & 2) !== 0,
    peerReconfig: (flags & 4) !== 0,
    peerIData: (flags & 8) !== 0,
  };
}
