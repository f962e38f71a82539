/**
 * The SDP model (RFC 8866) with typed forms of the attributes WebRTC uses. parseSdp() builds it,
 * serializeSdp() writes it back; offer/answer logic reads and builds it.
 *
 * Attributes stay in one ordered list per section, so unknown ones keep their place. A section's
 * attributes are found by `kind` with findAttribute()/filterAttributes() (sdp-access.ts).
 */

export interface SessionDescription {
  /** v=: always 0. */
  version: number;
  origin: Origin;
  /** s=: browsers send "-". */
  sessionName: string;
  information?: string;
  uri?: string;
  emails: string[];
  phones: string[];
  connection?: Connection;
  bandwidths: Bandwidth[];
  /** t= lines, each with the r= lines that follow it. At least one in a valid description. */
  timings: Timing[];
  /** z=: kept as text (adjustment-time/offset pairs). */
  timeZones?: string;
  /** k=: obsolete, kept as text. */
  encryptionKey?: string;
  attributes: SdpAttribute[];
  media: MediaDescription[];
}

/** o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address> */
export interface Origin {
  username: string;
  /** Decimal digits, often beyond 2^53: kept as text (BigInt() it to do arithmetic). */
  sessionId: string;
  sessionVersion: string;
  netType: string;
  addrType: string;
  address: string;
}

/** c=<nettype> <addrtype> <connection-address>; the address keeps any /ttl/count suffix. */
export interface Connection {
  netType: string;
  addrType: string;
  address: string;
}

/** b=<bwtype>:<bandwidth>, e.g. AS (kbit/s) or TIAS (bit/s). */
export interface Bandwidth {
  type: string;
  value: number;
}

/** t=<start> <stop> (NTP seconds, 0 0 for unbounded) and its r= lines as text. */
export interface Timing {
  start: number;
  stop: number;
  repeats: string[];
}

/** m=<media> <port>[/<numPorts>] <proto> <fmt> ... and the lines of its section. */
export interface MediaDescription {
  /** audio, video, application, ... */
  kind: string;
  port: number;
  numPorts?: number;
  /** e.g. UDP/TLS/RTP/SAVPF or UDP/DTLS/SCTP. */
  proto: string;
  /** Payload types as text for RTP, "webrtc-datachannel" for SCTP. */
  formats: string[];
  information?: string;
  connections: Connection[];
  bandwidths: Bandwidth[];
  encryptionKey?: string;
  attributes: SdpAttribute[];
}

export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
export type SetupRole = 'actpass' | 'active' | 'passive' | 'holdconn';

/** An ordered name[=value] pair, as in fmtp and rid parameters. */
export interface SdpParameter {
  name: string;
  value?: string;
}

/** One simulcast stream id; paused when written with a leading "~". */
export interface SimulcastRid {
  rid: string;
  paused: boolean;
}

/** a=group:<semantics> <mid>... (BUNDLE, LS, ...) */
export interface GroupAttribute {
  kind: 'group';
  semantics: string;
  mids: string[];
}

export interface MidAttribute {
  kind: 'mid';
  mid: string;
}

export interface IceUfragAttribute {
  kind: 'ice-ufrag';
  ufrag: string;
}

export interface IcePwdAttribute {
  kind: 'ice-pwd';
  password: string;
}

/** a=ice-options:trickle ice2 ... */
export interface IceOptionsAttribute {
  kind: 'ice-options';
  options: string[];
}

/** a=fingerprint:<hash-function> <hex pairs separated by ":">, text kept as written. */
export interface FingerprintAttribute {
  kind: 'fingerprint';
  algorithm: string;
  value: string;
}

export interface SetupAttribute {
  kind: 'setup';
  role: SetupRole;
}

export interface SctpPortAttribute {
  kind: 'sctp-port';
  port: number;
}

export interface MaxMessageSizeAttribute {
  kind: 'max-message-size';
  size: number;
}

/** a=msid:<stream id> [<track id>]; Chrome writes "-" as the stream id of a track with no stream. */
export interface MsidAttribute {
  kind: 'msid';
  streamId: string;
  trackId?: string;
}

/** a=msid-semantic:<semantic> <identifier>... (Chrome writes "a=msid-semantic: WMS"). */
export interface MsidSemanticAttribute {
  kind: 'msid-semantic';
  semantic: string;
  identifiers: string[];
}

/** a=rtpmap:<pt> <encoding name>/<clock rate>[/<channels>] */
export interface RtpmapAttribute {
  kind: 'rtpmap';
  payloadType: number;
  encodingName: string;
  clockRate: number;
  channels?: number;
}

/**
 * a=fmtp:<pt> <parameters>: parameters split on ";" into name[=value], in order. A value-less
 * entry holds forms like "0-15" (telephone-event) or "111/111" (RED). The exact text parsed is
 * written back as long as the parameters are unchanged.
 */
export interface FmtpAttribute {
  kind: 'fmtp';
  payloadType: number;
  parameters: SdpParameter[];
}

/** a=rtcp-fb:<pt or *> <type> [<parameter>], e.g. "96 nack pli", "* transport-cc". */
export interface RtcpFbAttribute {
  kind: 'rtcp-fb';
  payloadType: number | '*';
  type: string;
  parameter?: string;
}

/** a=extmap:<id>[/<direction>] <uri> [<extension attributes>] */
export interface ExtmapAttribute {
  kind: 'extmap';
  id: number;
  direction?: Direction;
  uri: string;
  attributes?: string;
}

/** a=ssrc:<ssrc> <attribute>[:<value>] (RFC 5576), e.g. "1234 cname:abc". */
export interface SsrcAttribute {
  kind: 'ssrc';
  ssrc: number;
  attribute: string;
  value?: string;
}

/** a=ssrc-group:<semantics> <ssrc>... (FID, SIM, FEC-FR) */
export interface SsrcGroupAttribute {
  kind: 'ssrc-group';
  semantics: string;
  ssrcs: number[];
}

/** a=rid:<id> send|recv [<param>;...] (RFC 8851); pt values stay text ("96,97"). */
export interface RidAttribute {
  kind: 'rid';
  id: string;
  direction: 'send' | 'recv';
  params: SdpParameter[];
}

/**
 * a=simulcast (RFC 8853): each direction is a list of streams, each stream a list of
 * alternative rids. An empty list means the direction is absent.
 */
export interface SimulcastAttribute {
  kind: 'simulcast';
  send: SimulcastRid[][];
  recv: SimulcastRid[][];
}

/** a=rtcp:<port> [<nettype> <addrtype> <address>] (RFC 3605) */
export interface RtcpAttribute {
  kind: 'rtcp';
  port: number;
  connection?: Connection;
}

/** a=candidate:...: kept whole as "candidate:..." (the W3C form); the ICE layer parses it. */
export interface CandidateAttribute {
  kind: 'candidate';
  candidate: string;
}

export interface DirectionAttribute {
  kind: 'direction';
  direction: Direction;
}

/** Attributes that carry no value. */
export type FlagAttributeName =
  | 'ice-lite'
  | 'rtcp-mux'
  | 'rtcp-mux-only'
  | 'rtcp-rsize'
  | 'end-of-candidates'
  | 'extmap-allow-mixed'
  | 'bundle-only';

export interface FlagAttribute<K extends FlagAttributeName = FlagAttributeName> {
  kind: K;
}

/** Any attribute not modelled above, as written: a=<name>[:<value>]. */
export interface UnknownAttribute {
  kind: 'unknown';
  name: string;
  value?: string;
}

/**
 * A line of a type RFC 8866 does not define (<type>=<value>), kept in the attribute list at
 * the place it was found so that it survives a round trip.
 */
export interface UnknownLine {
  kind: 'unknown-line';
  type: string;
  value: string;
}

export type SdpAttribute =
  | GroupAttribute
  | MidAttribute
  | IceUfragAttribute
  | IcePwdAttribute
  | IceOptionsAttribute
  | FingerprintAttribute
  | SetupAttribute
  | SctpPortAttribute
  | MaxMessageSizeAttribute
  | MsidAttribute
  | MsidSemanticAttribute
  | RtpmapAttribute
  | FmtpAttribute
  | RtcpFbAttribute
  | ExtmapAttribute
  | SsrcAttribute
  | SsrcGroupAttribute
  | RidAttribute
  | SimulcastAttribute
  | RtcpAttribute
  | CandidateAttribute
  | DirectionAttribute
  | FlagAttribute<'ice-lite'>
  | FlagAttribute<'rtcp-mux'>
  | FlagAttribute<'rtcp-mux-only'>
  | FlagAttribute<'rtcp-rsize'>
  | FlagAttribute<'end-of-candidates'>
  | FlagAttribute<'extmap-allow-mixed'>
  | FlagAttribute<'bundle-only'>
  | UnknownAttribute
  | UnknownLine;

export type SdpAttributeKind = SdpAttribute['kind'];

/** The attribute of a given kind, e.g. AttributeOf<'rtpmap'> is RtpmapAttribute. */
export type AttributeOf<K extends SdpAttributeKind> = Extract<SdpAttribute, { kind: K }>;
