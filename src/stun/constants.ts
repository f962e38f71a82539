export const MAGIC_COOKIE = 0x2112a442;
export const HEADER_LENGTH = 20;

export type StunClass = 'request' | 'indication' | 'success' | 'error';

export const StunMethod = {
  Binding: 0x001,
  Allocate: 0x003,
  Refresh: 0x004,
  Send: 0x006,
  Data: 0x007,
  CreatePermission: 0x008,
  ChannelBind: 0x009,
} as const;

export const StunAttr = {
  MappedAddress: 0x0001,
  Username: 0x0006,
  MessageIntegrity: 0x0008,
  ErrorCode: 0x0009,
  UnknownAttributes: 0x000a,
  ChannelNumber: 0x000c,
  Lifetime: 0x000d,
  XorPeerAddress: 0x0012,
  Data: 0x0013,
  Realm: 0x0014,
  Nonce: 0x0015,
  XorRelayedAddress: 0x0016,
  RequestedAddressFamily: 0x0017,
  EvenPort: 0x0018,
  RequestedTransport: 0x0019,
  DontFragment: 0x001a,
  MessageIntegritySha256: 0x001c,
  PasswordAlgorithm: 0x001d,
  Userhash: 0x001e,
  XorMappedAddress: 0x0020,
  ReservationToken: 0x0022,
  Priority: 0x0024,
  UseCandidate: 0x0025,
  PasswordAlgorithms: 0x8002,
  AlternateDomain: 0x8003,
  Software: 0x8022,
  AlternateServer: 0x8023,
  Fingerprint: 0x8028,
  IceControlled: 0x8029,
  IceControlling: 0x802a,
} as const;

/** Comprehension-required attribute types (< 0x8000) this stack understands. */
export const KNOWN_REQUIRED_ATTRIBUTES: ReadonlySet<number> = new Set(
  Object.values(StunAttr).filter((t) => t < 0x8000),
);

/** Message-type bits: the class is spread over bits 4 and 8, the method over the rest. */
export function encodeMessageType(method: number, cls: StunClass): number {
  const c = cls === 'request' ? 0 : cls === 'indication' ? 1 : cls === 'success' ? 2 : 3;
  const m = method & 0xfff;
  return (m & 0x000f) | ((m & 0x0070) << 1) | ((m & 0x0f80) << 2) | ((c & 1) << 4) | ((c & 2) << 7);
}

const CLASSES: readonly StunClass[] = ['request', 'indication', 'success', 'error'];

export function decodeMessageClass(type: number): StunClass {
  return CLASSES[((type >> 4) & 1) | ((type >> 7) & 2)]!;
}

export function decodeMessageMethod(type: number): number {
  return (type & 0x000f) | ((type >> 1) & 0x0070) | ((type >> 2) & 0x0f80);
}
