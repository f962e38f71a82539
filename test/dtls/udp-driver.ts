import { createSocket, type Socket } from 'node:dgram';
import type { DtlsEndpoint } from '../../src/dtls/endpoint.js';
import type { DtlsEvent } from '../../src/dtls/types.js';

/**
 * Drives a DtlsEndpoint over a real UDP socket on 127.0.0.1 (test-only: the library's own
 * driver lives in src/net). The remote address is fixed up front (client) or learned from the
 * first datagram (server).
 */
export class UdpDriver {
  readonly socket: Socket;
  readonly events: DtlsEvent[] = [];
  readonly received: string[] = [];
  /** Largest datagram sent and received, to check fragmentation to an MTU. */
  maxSent = 0;
  maxReceived = 0;
  private remote?: { address: string; port: number };
  private timer?: NodeJS.Timeout;
  private waiters: (() => void)[] = [];
  private readonly t0 = Date.now();

  constructor(readonly dtls: DtlsEndpoint) {
    this.socket = createSocket('udp4');
    this.socket.on('message', (msg, rinfo) => {
      this.remote ??= { address: rinfo.address, port: rinfo.port };
      this.maxReceived = Math.max(this.maxReceived, msg.length);
      this.dtls.handleDatagram(new Uint8Array(msg.buffer, msg.byteOffset, msg.length), this.now());
      this.pump();
    });
  }

  now(): number {
    return Date.now() - this.t0;
  }

  bind(): Promise<number> {
    return new Promise((resolve) => {
      this.socket.bind(0, '127.0.0.1', () => resolve(this.socket.address().port));
    });
  }

  connect(port: number): void {
    this.remote = { address: '127.0.0.1', port };
    this.dtls.start(this.now());
    this.pump();
  }

  listen(): void {
    this.dtls.start(this.now());
  }

  send(text: string): void {
    this.dtls.send(new TextEncoder().encode(text));
    this.pump();
  }

  pump(): void {
    if (this.remote) {
      for (let d = this.dtls.pollTransmit(); d; d = this.dtls.pollTransmit()) {
        this.maxSent = Math.max(this.maxSent, d.length);
        this.socket.send(d, this.remote.port, this.remote.address);
      }
    }
    for (let e = this.dtls.pollEvent(); e; e = this.dtls.pollEvent()) {
      if (e.type === 'data') this.received.push(new TextDecoder().decode(e.data));
      this.events.push(e);
    }
    clearTimeout(this.timer);
    const next = this.dtls.nextTimeout();
    if (next !== undefined) {
      this.timer = setTimeout(
        () => {
          this.dtls.handleTimeout(this.now());
          this.pump();
        },
        Math.max(0, next - this.now()),
      );
    }
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves once `cond` holds, rejects after `ms`. */
  until(cond: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
    return new Promise((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
      const check = () => {
        if (cond()) {
          clearTimeout(deadline);
          resolve();
        } else this.waiters.push(check);
      };
      check();
    });
  }

  /** Re-checks waiters when something outside the socket (a child's stdout) changed. */
  poke(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  close(): void {
    clearTimeout(this.timer);
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }
}
