/**
 * Test glue: the full data channel stack as browsers run it, data channels over SCTP over
 * DTLS, as one endpoint of the simulated network.
 */
import {
  type DataChannel,
  type DataChannelEvent,
  DataChannelManager,
} from '../../src/datachannel/index.js';
import {
  type DtlsCertificate,
  DtlsEndpoint,
  type DtlsRole,
  generateDtlsCertificate,
} from '../../src/dtls/index.js';
import { SctpAssociation } from '../../src/sctp/index.js';
import type { SimDatagram, SimEndpoint, SimNetwork } from '../sim/network.js';

export class DtlsChannelPeer implements SimEndpoint {
  readonly keys: string[];
  readonly dtls: DtlsEndpoint;
  readonly assoc: SctpAssociation;
  readonly manager = new DataChannelManager();
  readonly events: DataChannelEvent[] = [];
  pump?: (peer: DtlsChannelPeer, now: number) => void;
  dtlsFailure: string | undefined;

  constructor(
    readonly key: string,
    readonly peer: string,
    readonly role: DtlsRole,
    certificate: DtlsCertificate,
    remote: DtlsCertificate,
  ) {
    this.keys = [key];
    this.dtls = new DtlsEndpoint({
      role,
      certificate,
      now: 0,
      remoteFingerprints: [{ algorithm: 'sha-256', value: remote.fingerprint() }],
    });
    // The DTLS client is the SCTP client too; SCTP's INIT collision handling would cope either way.
    this.assoc = new SctpAssociation({ role, now: 0 });
    this.manager.attach(this.assoc, role, 0);
    this.dtls.start(0);
  }

  receive(d: SimDatagram, now: number): void {
    this.dtls.handleDatagram(d.data, now);
    this.drain(now);
  }

  timeout(now: number): void {
    const dtlsDue = this.dtls.nextTimeout();
    if (dtlsDue !== undefined && dtlsDue <= now) this.dtls.handleTimeout(now);
    const sctpDue = this.assoc.nextTimeout();
    if (sctpDue !== undefined && sctpDue <= now) this.assoc.handleTimeout(now);
    this.drain(now);
  }

  nextTimeout(): number | undefined {
    const a = this.dtls.nextTimeout();
    const b = this.assoc.nextTimeout();
    if (a === undefined) return b;
    if (b === undefined) return a;
    return Math.min(a, b);
  }

  flush(net: SimNetwork): void {
    this.drain(net.now);
    this.pump?.(this, net.now);
    if (this.dtls.state === 'connected') {
      for (let p = this.assoc.pollTransmit(); p; p = this.assoc.pollTransmit()) this.dtls.send(p);
    }
    for (let d = this.dtls.pollTransmit(); d; d = this.dtls.pollTransmit()) {
      net.send(this.key, this.peer, d);
    }
    this.drain(net.now);
  }

  private drain(now: number): void {
    for (let e = this.dtls.pollEvent(); e; e = this.dtls.pollEvent()) {
      if (e.type === 'connected' && this.role === 'client') this.assoc.connect(now);
      else if (e.type === 'data') this.assoc.handlePacket(e.data, now);
      else if (e.type === 'failed') this.dtlsFailure = e.reason;
    }
    for (let e = this.assoc.pollEvent(); e; e = this.assoc.pollEvent()) {
      this.manager.handleSctpEvent(e, now);
    }
    for (let e = this.manager.pollEvent(); e; e = this.manager.pollEvent()) this.events.push(e);
  }

  announced(): DataChannel[] {
    return this.events.flatMap((e) => (e.type === 'datachannel' ? [e.channel] : []));
  }

  messages(channel: DataChannel): (string | Uint8Array)[] {
    return this.events.flatMap((e) =>
      e.type === 'message' && e.channel === channel ? [e.data] : [],
    );
  }
}

/** A DTLS client (A) and server (B) that trust each other's certificates. */
export async function dtlsPeers(): Promise<[DtlsChannelPeer, DtlsChannelPeer]> {
  const [certA, certB] = await Promise.all([
    generateDtlsCertificate({ name: 'ECDSA', namedCurve: 'P-256' }),
    generateDtlsCertificate({ name: 'ECDSA', namedCurve: 'P-256' }),
  ]);
  return [
    new DtlsChannelPeer('a', 'b', 'client', certA, certB),
    new DtlsChannelPeer('b', 'a', 'server', certB, certA),
  ];
}
