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
  private socketClosed = false;
  private closeWaitStarted = 0;
  /** "%eth0" for a link-local base: remotes on the link need the same zone to be reachable. */
  private readonly zone: string | undefined;
  private readonly ipv6: boolean;
  /**
   * Socket buffer size to ask of the OS once this socket carries application data (its first
   * datagram that is not STUN, either way), 0 once asked or when not wanted. Only the socket of
   * the pair in use needs room for a bulk transfer, and node:dgram's buffer options at bind
   * cost 23-63 µs more per socket, where setting them later costs about 7.
   */
  private bulkBufferBytes: number;

  constructor(
    readonly socket: Socket,
    onDatagram: DatagramHandler,
    onError: (endpoint: UdpEndpoint, err: Error) => void,
    scope?: string | number,
    bulkBufferBytes = 0,
  ) {
    this.bulkBufferBytes = bulkBufferBytes;
    const bound = socket.address();
    const family = bound.family === 'IPv6' ? 'IPv6' : 'IPv4';
    const pct = bound.address.indexOf('%');
    const address = pct < 0 ? bound.address : bound.address.slice(0, pct);
    this.local = { address, port: bound.port, family };
    this.ipv6 = family === 'IPv6';
    this.zone =
      family === 'IPv6' && scope !== undefined && isIpv6LinkLocal(address)
        ? `%${scope}`
        : undefined;

    socket.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
      if (this.bulkBufferBytes !== 0 && msg[0]! > 3) this.growBuffers();
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

  private growBuffers(): void {
    const bytes = this.bulkBufferBytes;
    this.bulkBufferBytes = 0;
    try {
      // The OS caps both (net.core.rmem_max / wmem_max on Linux) without failing.
      this.socket.setRecvBufferSize(bytes);
      this.socket.setSendBufferSize(bytes);
    } catch {
      // A socket closing under us: the default buffers will do.
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Sends one datagram. Sockets from bindUdpSocket resolve IP literals synchronously, so the
   * datagram is handed to the OS (or to libuv's queue when the socket buffer is full) before
   * this returns. No completion callback: node:dgram would schedule one per datagram, and UDP
   * is lossy anyway. Sends that cannot work (wrong address family, an IPv4-mapped address on
   * an IPv6-only socket, a bad port) count in stats.sendErrors instead of going out.
   */
  send(data: Uint8Array, remote: Address): void {
    if (this.closed) return;
    if (this.bulkBufferBytes !== 0 && data[0]! > 3) this.growBuffers();
    this.stats.datagramsSent++;
    this.stats.bytesSent += data.length;
    const address = remote.address;
    if (
      this.ipv6 ? !address.includes(':') || address.startsWith('::ffff:') : address.includes(':')
    ) {
      this.stats.sendErrors++;
      return;
    }
    const host =
      this.zone !== undefined && isIpv6LinkLocal(address) ? address + this.zone : address;
    try {
      this.socket.send(data, remote.port, host);
    } catch {
      // Synchronous throws are argument errors (bad port, socket closed under us).
      this.stats.sendErrors++;
    }
  }

  /**
   * Closes the socket once the datagrams already sent have left: what a closing connection
   * sends last (SCTP ABORT, DTLS close_notify) must not be dropped with the socket. Sends still
   * waiting for an address lookup (a socket not made by bindUdpSocket) go out before
   * setImmediate; sends libuv queued on a full socket buffer are waited for, at most 1 s.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.closeWaitStarted = performance.now();
    setImmediate(this.closeWhenSent);
  }

  private readonly closeWhenSent = (): void => {
    if (this.socketClosed) return;
    let queued = 0;
    try {
      queued = this.socket.getSendQueueCount();
    } catch {
      // Already closed after an error.
    }
    if (queued > 0 && performance.now() - this.closeWaitStarted < 1000) {
      setTimeout(this.closeWhenSent, 5).unref();
      return;
    }
    this.closeSocket();
  };

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
