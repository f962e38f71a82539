/**
 * RTCConfiguration and its validation (W3C webrtc-pc 4.4.1, "set a configuration", and
 * "validate an ICE server URL"), plus the node-only options under `tsrtc`.
 */
import { isIP } from 'node:net';
import type { LocalAddressOptions } from '../net/index.js';
import { certificateInternals, type RTCCertificate } from './certificate.js';
import { domException } from './dom-exception.js';

export type RTCIceTransportPolicy = 'relay' | 'all';
export type RTCBundlePolicy = 'balanced' | 'max-compat' | 'max-bundle';
export type RTCRtcpMuxPolicy = 'require';

export interface RTCIceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** Options that browsers do not have; nothing here changes standard behaviour. */
export interface TsrtcOptions {
  /** Which local interfaces and addresses to gather on (e.g. { addresses: ['127.0.0.1'] }). */
  addresses?: LocalAddressOptions;
  /** Bind every socket within this port range. */
  portRange?: { min: number; max: number };
  /** Hide host candidates behind mDNS names, as browsers do (default false). */
  mdns?: boolean;
  /**
   * Run this connection's ICE, DTLS and SCTP on a worker thread shared with other connections
   * (one per core, at most four), leaving only whole messages to this thread (default false).
   */
  worker?: boolean;
  /**
   * Path MTU discovery for the data channels' SCTP (RFC 8899): probe whether the path carries
   * packets of up to a 1,500-byte Ethernet MTU and use the largest that gets through, instead
   * of packets that fit IPv6's 1,280-byte minimum MTU everywhere (default false).
   */
  pathMtuDiscovery?: boolean;
  /**
   * Share one UDP port with every other connection of this process that asks for the same
   * port: one socket per local address however many connections there are, so a server needs
   * a single open port and a few file descriptors. 0 lets the OS choose the port (one per
   * address), shared by every connection that asks for 0. Datagrams are told apart by ICE
   * ufrag and source address, so a remote must use a different address for each connection
   * to the same shared port, as browsers do. Not with `worker` or `portRange`.
   */
  sharedPort?: number;
}

export interface RTCConfiguration {
  iceServers?: RTCIceServer[];
  iceTransportPolicy?: RTCIceTransportPolicy;
  bundlePolicy?: RTCBundlePolicy;
  rtcpMuxPolicy?: RTCRtcpMuxPolicy;
  certificates?: RTCCertificate[];
  iceCandidatePoolSize?: number;
  tsrtc?: TsrtcOptions;
}

/** An ICE server after validation: urls always a list. */
export interface ValidatedIceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

export interface ValidatedConfiguration {
  iceServers: ValidatedIceServer[];
  iceTransportPolicy: RTCIceTransportPolicy;
  bundlePolicy: RTCBundlePolicy;
  rtcpMuxPolicy: RTCRtcpMuxPolicy;
  certificates: RTCCertificate[];
  iceCandidatePoolSize: number;
  tsrtc: TsrtcOptions;
}

const ICE_TRANSPORT_POLICIES: ReadonlySet<string> = new Set(['relay', 'all']);
const BUNDLE_POLICIES: ReadonlySet<string> = new Set(['balanced', 'max-compat', 'max-bundle']);
const RTCP_MUX_POLICIES: ReadonlySet<string> = new Set(['require']);
/** RFC 8489 caps a long-term-credential username at 509 bytes. */
const MAX_USERNAME_BYTES = 509;

function enumMember<T extends string>(
  value: unknown,
  allowed: ReadonlySet<string>,
  fallback: T,
  what: string,
): T {
  if (value === undefined) return fallback;
  const s = String(value);
  if (!allowed.has(s)) throw new TypeError(`invalid ${what}: ${s}`);
  return s as T;
}

/** WebIDL [EnforceRange] octet. */
function enforceRangeOctet(value: unknown, what: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new TypeError(`${what} is not a finite number`);
  const t = Math.trunc(n);
  if (t < 0 || t > 255) throw new TypeError(`${what} is out of range: ${n}`);
  return t;
}

/**
 * Validates a configuration dictionary into its stored form. `previous` is the configuration in
 * force (for setConfiguration), whose fixed members may not change.
 */
export function validateConfiguration(
  config: RTCConfiguration | undefined | null,
  previous?: ValidatedConfiguration,
  localDescriptionSet = false,
): ValidatedConfiguration {
  if (config === undefined || config === null) config = {};
  if (typeof config !== 'object') throw new TypeError('RTCConfiguration must be an object');

  const iceTransportPolicy = enumMember<RTCIceTransportPolicy>(
    config.iceTransportPolicy,
    ICE_TRANSPORT_POLICIES,
    'all',
    'iceTransportPolicy',
  );
  const bundlePolicy = enumMember<RTCBundlePolicy>(
    config.bundlePolicy,
    BUNDLE_POLICIES,
    'balanced',
    'bundlePolicy',
  );
  const rtcpMuxPolicy = enumMember<RTCRtcpMuxPolicy>(
    config.rtcpMuxPolicy,
    RTCP_MUX_POLICIES,
    'require',
    'rtcpMuxPolicy',
  );
  const iceCandidatePoolSize =
    config.iceCandidatePoolSize === undefined
      ? 0
      : enforceRangeOctet(config.iceCandidatePoolSize, 'iceCandidatePoolSize');
  const certificates = validateCertificates(config.certificates, previous);
  const iceServers = validateIceServers(config.iceServers);
  const tsrtc = validateTsrtcOptions(config.tsrtc);

  if (previous !== undefined) {
    if (bundlePolicy !== previous.bundlePolicy) {
      throw domException('InvalidModificationError', 'bundlePolicy cannot be changed');
    }
    if (rtcpMuxPolicy !== previous.rtcpMuxPolicy) {
      throw domException('InvalidModificationError', 'rtcpMuxPolicy cannot be changed');
    }
    if (localDescriptionSet && iceCandidatePoolSize !== previous.iceCandidatePoolSize) {
      throw domException(
        'InvalidModificationError',
        'iceCandidatePoolSize cannot change once a local description is set',
      );
    }
  }
  return {
    iceServers,
    iceTransportPolicy,
    bundlePolicy,
    rtcpMuxPolicy,
    certificates,
    iceCandidatePoolSize,
    tsrtc,
  };
}

function validateCertificates(
  value: unknown,
  previous: ValidatedConfiguration | undefined,
): RTCCertificate[] {
  if (previous !== undefined) {
    // setConfiguration: certificates may be omitted or repeated, never changed.
    if (value === undefined) return previous.certificates;
    const list = sequence<RTCCertificate>(value, 'certificates');
    const same =
      list.length === previous.certificates.length &&
      list.every((c, i) => c === previous.certificates[i]);
    if (!same) throw domException('InvalidModificationError', 'certificates cannot be changed');
    return previous.certificates;
  }
  if (value === undefined) return [];
  const list = sequence<RTCCertificate>(value, 'certificates');
  const now = Date.now();
  for (const cert of list) {
    // Throws TypeError for anything that is not an RTCCertificate.
    const dtls = certificateInternals(cert);
    if (dtls.expires <= now) throw domException('InvalidAccessError', 'certificate has expired');
  }
  return list;
}

function sequence<T>(value: unknown, what: string): T[] {
  if (typeof value !== 'object' || value === null || !(Symbol.iterator in value)) {
    throw new TypeError(`${what} must be a sequence`);
  }
  return [...(value as Iterable<T>)];
}

function validateIceServers(value: unknown): ValidatedIceServer[] {
  if (value === undefined) return [];
  const servers = sequence<RTCIceServer>(value, 'iceServers');
  const out: ValidatedIceServer[] = [];
  for (const server of servers) {
    if (typeof server !== 'object' || server === null) {
      throw new TypeError('an RTCIceServer must be an object');
    }
    if (server.urls === undefined) throw new TypeError('RTCIceServer.urls is required');
    const urls =
      typeof server.urls === 'string'
        ? [server.urls]
        : sequence<unknown>(server.urls, 'urls').map(String);
    if (urls.length === 0) throw domException('SyntaxError', 'RTCIceServer.urls is empty');
    const username = server.username === undefined ? undefined : String(server.username);
    const credential = server.credential === undefined ? undefined : String(server.credential);
    for (const url of urls) validateIceServerUrl(url, username, credential);
    const validated: ValidatedIceServer = { urls };
    if (username !== undefined) validated.username = username;
    if (credential !== undefined) validated.credential = credential;
    out.push(validated);
  }
  return out;
}

export interface ParsedIceServerUrl {
  scheme: 'stun' | 'stuns' | 'turn' | 'turns';
  host: string;
  port: number | undefined;
  transport: 'udp' | 'tcp' | undefined;
}

const REG_NAME = /^[A-Za-z0-9\-._~!$&'()*+,;=%]+$/;

/**
 * Parses a STUN/TURN URI (RFC 7064, RFC 7065): scheme ":" host [":" port], and for TURN an
 * optional "?transport=udp|tcp". Returns undefined for anything else.
 */
function parseIceServerUrl(url: string): ParsedIceServerUrl | undefined {
  const colon = url.indexOf(':');
  if (colon < 0) return undefined;
  const scheme = url.slice(0, colon).toLowerCase();
  if (scheme !== 'stun' && scheme !== 'stuns' && scheme !== 'turn' && scheme !== 'turns') {
    return undefined;
  }
  let rest = url.slice(colon + 1);
  let transport: 'udp' | 'tcp' | undefined;
  const query = rest.indexOf('?');
  if (query >= 0) {
    // STUN URIs have no query; TURN URIs have only the transport parameter.
    if (scheme === 'stun' || scheme === 'stuns') return undefined;
    const q = rest.slice(query + 1).toLowerCase();
    if (q === 'transport=udp') transport = 'udp';
    else if (q === 'transport=tcp') transport = 'tcp';
    else return undefined;
    rest = rest.slice(0, query);
  }
  let host: string;
  let portText: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return undefined;
    host = rest.slice(1, close);
    if (isIP(host) !== 6) return undefined;
    const after = rest.slice(close + 1);
    if (after !== '') {
      if (!after.startsWith(':')) return undefined;
      portText = after.slice(1);
    }
  } else {
    const c = rest.lastIndexOf(':');
    if (c >= 0) {
      host = rest.slice(0, c);
      portText = rest.slice(c + 1);
    } else {
      host = rest;
    }
    if (host === '' || !REG_NAME.test(host)) return undefined;
  }
  let port: number | undefined;
  if (portText !== undefined) {
    if (!/^[0-9]{1,5}$/.test(portText)) return undefined;
    port = Number(portText);
    if (port < 1 || port > 65535) return undefined;
  }
  return { scheme, host, port, transport };
}

function validateIceServerUrl(
  url: string,
  username: string | undefined,
  credential: string | undefined,
): void {
  const parsed = parseIceServerUrl(url);
  if (parsed === undefined) throw domException('SyntaxError', `invalid ICE server URL: ${url}`);
  if (parsed.scheme === 'turn' || parsed.scheme === 'turns') {
    if (username === undefined || credential === undefined) {
      throw domException('InvalidAccessError', `TURN server ${url} needs username and credential`);
    }
    if (Buffer.byteLength(username, 'utf8') > MAX_USERNAME_BYTES) {
      throw domException('InvalidAccessError', 'TURN username is longer than 509 bytes');
    }
  }
}

function validateTsrtcOptions(value: unknown): TsrtcOptions {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object') throw new TypeError('tsrtc options must be an object');
  const v = value as TsrtcOptions;
  const out: TsrtcOptions = {};
  if (v.addresses !== undefined) out.addresses = v.addresses;
  if (v.portRange !== undefined) {
    const { min, max } = v.portRange;
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max > 65535 || min > max) {
      throw new TypeError('tsrtc.portRange must be integers with 1 <= min <= max <= 65535');
    }
    out.portRange = { min, max };
  }
  if (v.mdns !== undefined) out.mdns = Boolean(v.mdns);
  if (v.worker !== undefined) out.worker = Boolean(v.worker);
  if (v.pathMtuDiscovery !== undefined) out.pathMtuDiscovery = Boolean(v.pathMtuDiscovery);
  if (v.sharedPort !== undefined) {
    const port = v.sharedPort;
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new TypeError('tsrtc.sharedPort must be an integer from 0 to 65535');
    }
    // The sockets live on this thread; a port range is for sockets of one's own.
    if (out.worker === true) throw new TypeError('tsrtc.sharedPort cannot be used with worker');
    if (out.portRange !== undefined) {
      throw new TypeError('tsrtc.sharedPort cannot be used with portRange');
    }
    out.sharedPort = port;
  }
  return out;
}

/** getConfiguration(): the configuration as the application would write it. */
export function configurationView(c: ValidatedConfiguration): RTCConfiguration {
  const view: RTCConfiguration = {
    iceServers: c.iceServers.map((s) => ({ ...s, urls: [...s.urls] })),
    iceTransportPolicy: c.iceTransportPolicy,
    bundlePolicy: c.bundlePolicy,
    rtcpMuxPolicy: c.rtcpMuxPolicy,
    certificates: [...c.certificates],
    iceCandidatePoolSize: c.iceCandidatePoolSize,
  };
  if (Object.keys(c.tsrtc).length > 0) view.tsrtc = { ...c.tsrtc };
  return view;
}
