import {
  type Address,
  encodeMessageType,
  HEADER_LENGTH,
  isStunMessage,
  StunAttr,
  StunMethod,
} from '../stun/index.js';
import { withFields } from '../util/with-fields.js';
import { bindUdpSocket } from './udp.js';
import { UdpEndpoint } from './udp-endpoint.js';

/** A connection using a shared port: where its datagrams go, and how it hears of a lost socket. */
export interface MuxClient {
  receive(endpoint: UdpEndpoint, data: Uint8Array, remote: Address): void;
  socketFailed(endpoint: UdpEndpoint, err: Error): void;
}

/**
 * Which connection each remote address belongs to, by port then address: looked up for every
 * datagram sent and received, so without building a key string each time.
 */
type Routes = Map<number, Map<string, MuxClient>>;

/** One socket of a shared port and its routes. */
interface SharedSocket {
  readonly address: string;
  readonly endpoint: UdpEndpoint;
  readonly routes: Routes;
}

export interface UdpMuxBindOptions {
  /** Interface of an IPv6 link-local address. */
  scope?: string | number;
  recvBufferSize?: number;
  sendBufferSize?: number;
}

/**
 * One UDP port shared by many connections: a socket per local address, bound once, and a
 * demultiplexer that hands each datagram to the connection it belongs to. A server then needs
 * one open port and a handful of file descriptors however many connections it holds.
 *
 * A STUN Binding request names its connection: USERNAME starts with the receiver's ufrag. Any
 * other datagram (a STUN response, DTLS) is routed by its source address, which a connection
 * claims by sending to it; a connection only sends where ICE told it to, after signaling or an
 * authenticated check. A remote that used one address for two connections to the same shared
 * port cannot be told apart: the connection that sent to it last receives what comes from it.
 * Datagrams that match nothing are dropped and counted.
 */
export class UdpMux {
  private static readonly byPort = new Map<number, UdpMux>();

  /**
   * The mux of `port` (0: one port per address chosen by the OS), created on first use, with
   * `client` among its users until release().
   */
  static acquire(port: number, client: MuxClient): UdpMux {
    let mux = UdpMux.byPort.get(port);
    if (mux === undefined) {
      mux = new UdpMux(port);
      UdpMux.byPort.set(port, mux);
    }
    mux.clients.add(client);
    return mux;
  }

  /** Datagrams that belonged to no connection. */
  dropped = 0;

  private readonly clients = new Set<MuxClient>();
  /** Sockets by local address, bound on first request. */
  private readonly sockets = new Map<string, Promise<SharedSocket>>();
  private readonly byUfrag = new Map<string, MuxClient>();
  private readonly ufragOf = new Map<MuxClient, string>();
  /** Routes each client claimed, removed when it leaves. */
  private readonly claims = new Map<MuxClient, { socket: SharedSocket; remote: Address }[]>();
  private readonly byEndpoint = new Map<UdpEndpoint, SharedSocket>();

  private constructor(readonly port: number) {}

  /** The shared socket on `address`, bound on first request. Rejects when the port is taken. */
  async endpoint(address: string, opts: UdpMuxBindOptions = {}): Promise<UdpEndpoint> {
    let socket = this.sockets.get(address);
    if (socket === undefined) {
      socket = this.bind(address, opts);
      this.sockets.set(address, socket);
      // A failed bind is not cached: the next connection tries again.
      socket.catch(() => {
        if (this.sockets.get(address) === socket) this.sockets.delete(address);
      });
    }
    return (await socket).endpoint;
  }

  /** STUN requests whose USERNAME starts with `ufrag` go to `client` (replacing its old ufrag). */
  setUfrag(client: MuxClient, ufrag: string): void {
    const old = this.ufragOf.get(client);
    if (old === ufrag) return;
    if (old !== undefined && this.byUfrag.get(old) === client) this.byUfrag.delete(old);
    this.ufragOf.set(client, ufrag);
    this.byUfrag.set(ufrag, client);
  }

  /** Datagrams from `remote` on `endpoint` go to `client` from now on. */
  claim(endpoint: UdpEndpoint, remote: Address, client: MuxClient): void {
    const socket = this.byEndpoint.get(endpoint);
    if (socket === undefined) return;
    let byAddress = socket.routes.get(remote.port);
    if (byAddress === undefined) {
      byAddress = new Map();
      socket.routes.set(remote.port, byAddress);
    }
    if (byAddress.get(remote.address) === client) return;
    byAddress.set(remote.address, client);
    let list = this.claims.get(client);
    if (list === undefined) {
      list = [];
      this.claims.set(client, list);
    }
    list.push({
      socket,
      remote: { address: remote.address, port: remote.port, family: remote.family },
    });
  }

  /** The client leaves: its routes and ufrag go; the sockets close after the last client. */
  release(client: MuxClient): void {
    for (const { socket, remote } of this.claims.get(client) ?? []) {
      const byAddress = socket.routes.get(remote.port);
      if (byAddress?.get(remote.address) !== client) continue;
      byAddress.delete(remote.address);
      if (byAddress.size === 0) socket.routes.delete(remote.port);
    }
    this.claims.delete(client);
    const ufrag = this.ufragOf.get(client);
    if (ufrag !== undefined && this.byUfrag.get(ufrag) === client) this.byUfrag.delete(ufrag);
    this.ufragOf.delete(client);
    this.clients.delete(client);
    if (this.clients.size > 0) return;
    UdpMux.byPort.delete(this.port);
    for (const s of this.byEndpoint.values()) s.endpoint.close();
    this.byEndpoint.clear();
    this.sockets.clear();
  }

  private async bind(address: string, opts: UdpMuxBindOptions): Promise<SharedSocket> {
    const raw = await bindUdpSocket(
      address,
      this.port === 0 ? opts : withFields(opts, { portRange: { min: this.port, max: this.port } }),
    );
    const routes: Routes = new Map();
    const endpoint = new UdpEndpoint(
      raw,
      (e, data, remote) => this.dispatch(routes, e, data, remote),
      (e, err) => this.socketFailed(e, err),
      opts.scope,
    );
    const socket: SharedSocket = { address, endpoint, routes };
    if (this.clients.size === 0) {
      // Every client left while the socket was being bound.
      endpoint.close();
    } else {
      this.byEndpoint.set(endpoint, socket);
    }
    return socket;
  }

  private dispatch(routes: Routes, endpoint: UdpEndpoint, data: Uint8Array, remote: Address): void {
    const ufrag = bindingRequestUfrag(data);
    const client =
      (ufrag !== undefined ? this.byUfrag.get(ufrag) : undefined) ??
      routes.get(remote.port)?.get(remote.address);
    if (client === undefined) {
      this.dropped++;
      return;
    }
    client.receive(endpoint, data, remote);
  }

  private socketFailed(endpoint: UdpEndpoint, err: Error): void {
    const socket = this.byEndpoint.get(endpoint);
    if (socket === undefined) return;
    this.byEndpoint.delete(endpoint);
    // The next connection binds the address again.
    this.sockets.delete(socket.address);
    endpoint.close();
    for (const c of [...this.clients]) c.socketFailed(endpoint, err);
  }
}

const BINDING_REQUEST = encodeMessageType(StunMethod.Binding, 'request');

/**
 * The receiver's ufrag from a STUN Binding request's USERNAME ("receiver:sender"), read in
 * place without decoding the message; undefined for anything else. The message is not
 * authenticated here: the connection it reaches checks MESSAGE-INTEGRITY.
 */
export function bindingRequestUfrag(d: Uint8Array): string | undefined {
  if (!isStunMessage(d) || ((d[0]! << 8) | d[1]!) !== BINDING_REQUEST) return undefined;
  const end = d.length;
  let off = HEADER_LENGTH;
  while (off + 4 <= end) {
    const type = (d[off]! << 8) | d[off + 1]!;
    const len = (d[off + 2]! << 8) | d[off + 3]!;
    const value = off + 4;
    if (value + len > end) return undefined;
    if (type === StunAttr.Username) {
      let s = '';
      for (let i = value; i < value + len; i++) {
        const c = d[i]!;
        if (c === 0x3a) return s;
        s += String.fromCharCode(c);
      }
      return undefined;
    }
    off = value + ((len + 3) & ~3);
  }
  return undefined;
}
