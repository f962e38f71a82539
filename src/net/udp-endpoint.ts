import type { RemoteInfo, Socket } from 'node:dgram';
import type { Address } from '../stun/index.js';
import { isIpv6LinkLocal } from './interfaces.js';
import { ignoreErrorUntilOwned } from './udp.js';

/** Receives every datagram of an endpoint; `remote` is only valid during the call. */
export type DatagramHandler = (endpoint: UdpEndpoint, data: Uint8Array, remote: Address) => void;

/** Counters per socket, for stats. */
export interface UdpEndpointStats {
  datagramsSent: number;
  bytesSent: number;
  datagramsReceived: number;
  bytesReceived: number;
  /** Sends the OS refused (no route, buffer full, ...); UDP loss, not fatal. */
  sendErrors: number;
}

/**
 * One bound UDP socket and the local address (ICE base) it stands for. Handlers are set once
 * per socket, so receiving and sending allocate nothing per datagram beyond what Node does.
 */
export class UdpEndpoint {
  readonly local: Address;
  readonly stats: UdpEndpointStats = {
    datagramsSent: 0,
    bytesSent: 0,
    datagramsReceived: 0,
    bytesReceived: 0,
    sendErrors: 0,
  };
  private closed = false;
  /** Sends handed to the socket and not yet done; close() waits for them. */
  private inFlight = 0;
  private socketClosed = false;
  /** "%eth0" for a link-local base: remotes on the link need the same zone to be reachable. */
  private readonly zone: string | undefined;
  private readonly onSent = (err: Error | null): void => {
    if (err) this.stats.sendErrors++;
    if (--this.inFlight <= 0 && this.closed) this.closeSocket();
  };

  constructor(
    readonly socket: Socket,
    onDatagram: DatagramHandler,
    onError: (endpoint: UdpEndpoint, err: Error) => void,
    scope?: string | number,
  ) {
    const bound = socket.address();
    const family = bound.family === 'IPv6' ? 'IPv6' : 'IPv4';
    const pct = bound.address.indexOf('%');
    const address = pct < 0 ? bound.address : bound.address.slice(0, pct);
    this.local = { address, port: bound.port, family };
    this.zone =
      family === 'IPv6' && scope !== undefined && isIpv6LinkLocal(address)
        ? `%${scope}`
        : undefined;

    socket.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
      this.stats.datagramsReceived++;
      this.stats.bytesReceived += msg.length;
      // rinfo already has the Address shape; only a link-local source carries a zone to drop.
      if (rinfo.address.includes('%'))
        rinfo.address = rinfo.address.slice(0, rinfo.address.indexOf('%'));
      onDatagram(this, msg, rinfo as Address);
    });
    socket.on('error', (err: Error) => onError(this, err));
    socket.off('error', ignoreErrorUntilOwned);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends one datagram; failures only count in stats (UDP is lossy anyway). */
  send(data: Uint8Array, remote: Address): void {
    if (this.closed) return;
    this.stats.datagramsSent++;
    this.stats.bytesSent += data.length;
    const host =
      this.zone !== undefined && isIpv6LinkLocal(remote.address)
        ? remote.address + this.zone
        : remote.address;
    try {
      this.socket.send(data, remote.port, host, this.onSent);
      this.inFlight++;
    } catch {
      // Synchronous throws are argument errors (bad port, socket closed under us).
      this.stats.sendErrors++;
    }
  }

  /**
   * Closes the socket once the datagrams already sent have left: dgram resolves the address of
   * every send asynchronously, even an IP literal, and drops a send whose socket closed
   * meanwhile, which would lose what a closing connection sends last (SCTP ABORT, DTLS
   * close_notify).
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.inFlight === 0) this.closeSocket();
    // dgram drops a send's callback if its socket went away under it; never wait forever.
    else setTimeout(() => this.closeSocket(), 1000).unref();
  }

  private closeSocket(): void {
    if (this.socketClosed) return;
    this.socketClosed = true;
    try {
      this.socket.close();
    } catch {
      // Already closed after an error.
    }
  }

  /** Keep (or stop keeping) the process alive while this socket is open. */
  setRef(ref: boolean): void {
    if (ref) this.socket.ref();
    else this.socket.unref();
  }
}
