/** Encoding and decoding of the DTLS 1.2 handshake message bodies (RFC 5246 7.4, RFC 6347 4.2). */
import { ByteReader, ByteWriter, reject, tryDecode } from './byte-reader.js';
import { HANDSHAKE_HEADER_LENGTH } from './constants.js';

export type Extensions = Map<number, Uint8Array>;

export interface ClientHello {
  version: number;
  random: Uint8Array;
  sessionId: Uint8Array;
  cookie: Uint8Array;
  cipherSuites: number[];
  compressionMethods: Uint8Array;
  /** The raw extensions block, for the stateless cookie. */
  extensionsRaw: Uint8Array;
  extensions: Extensions;
}

export interface ServerHello {
  version: number;
  random: Uint8Array;
  sessionId: Uint8Array;
  cipherSuite: number;
  compressionMethod: number;
  extensions: Extensions;
}

export interface ServerKeyExchange {
  group: number;
  publicKey: Uint8Array;
  /** ECParameters + ECPoint as sent: what the signature covers after the randoms. */
  params: Uint8Array;
  scheme: number;
  signature: Uint8Array;
}

export interface CertificateRequest {
  certificateTypes: Uint8Array;
  signatureSchemes: number[];
}

export interface DigitallySigned {
  scheme: number;
  signature: Uint8Array;
}

function readExtensions(r: ByteReader): { raw: Uint8Array; map: Extensions } {
  const map: Extensions = new Map();
  if (r.remaining === 0) return { raw: new Uint8Array(0), map };
  const raw = r.vec16();
  const er = new ByteReader(raw);
  while (er.remaining > 0) {
    const type = er.u16();
    const data = er.vec16();
    if (map.has(type)) reject();
    map.set(type, data);
  }
  return { raw, map };
}

function writeExtensions(w: ByteWriter, ext: [number, Uint8Array][]): void {
  let len = 0;
  for (const [, d] of ext) len += 4 + d.length;
  w.u16(len);
  for (const [t, d] of ext) w.u16(t).vec16(d);
}

function u16List(data: Uint8Array): number[] {
  if (data.length % 2 !== 0) reject();
  const out: number[] = [];
  for (let i = 0; i < data.length; i += 2) out.push((data[i]! << 8) | data[i + 1]!);
  return out;
}

export function decodeClientHello(body: Uint8Array): ClientHello | undefined {
  return tryDecode(body, (r) => {
    const version = r.u16();
    const random = r.bytes(32);
    const sessionId = r.vec8();
    if (sessionId.length > 32) reject();
    const cookie = r.vec8();
    const suites = r.vec16();
    if (suites.length === 0) reject();
    const cipherSuites = u16List(suites);
    const compressionMethods = r.vec8();
    if (compressionMethods.length === 0) reject();
    const { raw, map } = readExtensions(r);
    return {
      version,
      random,
      sessionId,
      cookie,
      cipherSuites,
      compressionMethods,
      extensionsRaw: raw,
      extensions: map,
    };
  });
}

export function encodeClientHello(
  h: Omit<ClientHello, 'extensionsRaw' | 'extensions'>,
  ext: [number, Uint8Array][],
): Uint8Array {
  const w = new ByteWriter().u16(h.version).bytes(h.random).vec8(h.sessionId).vec8(h.cookie);
  w.u16(h.cipherSuites.length * 2);
  for (const s of h.cipherSuites) w.u16(s);
  w.vec8(h.compressionMethods);
  writeExtensions(w, ext);
  return w.finish();
}

export function decodeServerHello(body: Uint8Array): ServerHello | undefined {
  return tryDecode(body, (r) => {
    const version = r.u16();
    const random = r.bytes(32);
    const sessionId = r.vec8();
    if (sessionId.length > 32) reject();
    const cipherSuite = r.u16();
    const compressionMethod = r.u8();
    const { map } = readExtensions(r);
    return { version, random, sessionId, cipherSuite, compressionMethod, extensions: map };
  });
}

export function encodeServerHello(h: Omit<ServerHello, 'extensions'>, ext: [number, Uint8Array][]) {
  const w = new ByteWriter().u16(h.version).bytes(h.random).vec8(h.sessionId);
  w.u16(h.cipherSuite).u8(h.compressionMethod);
  writeExtensions(w, ext);
  return w.finish();
}

export function decodeHelloVerifyRequest(
  body: Uint8Array,
): { version: number; cookie: Uint8Array } | undefined {
  return tryDecode(body, (r) => ({ version: r.u16(), cookie: r.vec8() }));
}

export function encodeHelloVerifyRequest(version: number, cookie: Uint8Array): Uint8Array {
  return new ByteWriter().u16(version).vec8(cookie).finish();
}

export function decodeCertificate(body: Uint8Array): Uint8Array[] | undefined {
  return tryDecode(body, (r) => {
    const list = new ByteReader(r.vec24());
    const certs: Uint8Array[] = [];
    while (list.remaining > 0) {
      const c = list.vec24();
      if (c.length === 0) reject();
      certs.push(c);
    }
    return certs;
  });
}

export function encodeCertificate(certs: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const c of certs) len += 3 + c.length;
  const w = new ByteWriter().u24(len);
  for (const c of certs) w.vec24(c);
  return w.finish();
}

/** Only named_curve (3) parameters exist in practice (RFC 8422 5.4). */
export function decodeServerKeyExchange(body: Uint8Array): ServerKeyExchange | undefined {
  return tryDecode(body, (r) => {
    if (r.u8() !== 3) reject();
    const group = r.u16();
    const publicKey = r.vec8();
    if (publicKey.length === 0) reject();
    const params = body.subarray(0, r.offset);
    const scheme = r.u16();
    const signature = r.vec16();
    return { group, publicKey, params, scheme, signature };
  });
}

export function encodeServerKeyExchangeParams(group: number, publicKey: Uint8Array): Uint8Array {
  return new ByteWriter().u8(3).u16(group).vec8(publicKey).finish();
}

export function encodeServerKeyExchange(
  params: Uint8Array,
  scheme: number,
  signature: Uint8Array,
): Uint8Array {
  return new ByteWriter().bytes(params).u16(scheme).vec16(signature).finish();
}

export function decodeCertificateRequest(body: Uint8Array): CertificateRequest | undefined {
  return tryDecode(body, (r) => {
    const certificateTypes = r.vec8();
    if (certificateTypes.length === 0) reject();
    const signatureSchemes = u16List(r.vec16());
    r.vec16(); // certificate_authorities: no CA is consulted in DTLS-SRTP
    return { certificateTypes, signatureSchemes };
  });
}

export function encodeCertificateRequest(types: number[], schemes: number[]): Uint8Array {
  const w = new ByteWriter().vec8(Uint8Array.from(types)).u16(schemes.length * 2);
  for (const s of schemes) w.u16(s);
  return w.u16(0).finish();
}

export function decodeClientKeyExchange(body: Uint8Array): Uint8Array | undefined {
  return tryDecode(body, (r) => {
    const point = r.vec8();
    if (point.length === 0) reject();
    return point;
  });
}

export function encodeClientKeyExchange(publicKey: Uint8Array): Uint8Array {
  return new ByteWriter().vec8(publicKey).finish();
}

export function decodeDigitallySigned(body: Uint8Array): DigitallySigned | undefined {
  return tryDecode(body, (r) => ({ scheme: r.u16(), signature: r.vec16() }));
}

export function encodeDigitallySigned(scheme: number, signature: Uint8Array): Uint8Array {
  return new ByteWriter().u16(scheme).vec16(signature).finish();
}

export function decodeU16List(data: Uint8Array, lengthBytes: 1 | 2): number[] | undefined {
  return tryDecode(data, (r) => u16List(lengthBytes === 2 ? r.vec16() : r.vec8()));
}

export function encodeU16List(values: number[], lengthBytes: 1 | 2): Uint8Array {
  const w = new ByteWriter();
  if (lengthBytes === 2) w.u16(values.length * 2);
  else w.u8(values.length * 2);
  for (const v of values) w.u16(v);
  return w.finish();
}

/** use_srtp (RFC 5764 4.1.1): profiles, then an MKI this stack never uses. */
export function decodeUseSrtp(data: Uint8Array): number[] | undefined {
  return tryDecode(data, (r) => {
    const profiles = u16List(r.vec16());
    r.vec8();
    return profiles;
  });
}

export function encodeUseSrtp(profiles: number[]): Uint8Array {
  const w = new ByteWriter().u16(profiles.length * 2);
  for (const p of profiles) w.u16(p);
  return w.u8(0).finish();
}

/** The 12-byte DTLS handshake header followed by a fragment of the body. */
export function encodeHandshakeFragment(
  type: number,
  messageSeq: number,
  body: Uint8Array,
  fragmentOffset: number,
  fragmentLength: number,
): Uint8Array {
  const out = new Uint8Array(HANDSHAKE_HEADER_LENGTH + fragmentLength);
  writeHandshakeHeader(out, 0, type, body.length, messageSeq, fragmentOffset, fragmentLength);
  out.set(body.subarray(fragmentOffset, fragmentOffset + fragmentLength), HANDSHAKE_HEADER_LENGTH);
  return out;
}

function writeHandshakeHeader(
  out: Uint8Array,
  o: number,
  type: number,
  length: number,
  messageSeq: number,
  fragmentOffset: number,
  fragmentLength: number,
): void {
  out[o] = type;
  out[o + 1] = length >> 16;
  out[o + 2] = (length >> 8) & 0xff;
  out[o + 3] = length & 0xff;
  out[o + 4] = messageSeq >> 8;
  out[o + 5] = messageSeq & 0xff;
  out[o + 6] = fragmentOffset >> 16;
  out[o + 7] = (fragmentOffset >> 8) & 0xff;
  out[o + 8] = fragmentOffset & 0xff;
  out[o + 9] = fragmentLength >> 16;
  out[o + 10] = (fragmentLength >> 8) & 0xff;
  out[o + 11] = fragmentLength & 0xff;
}
