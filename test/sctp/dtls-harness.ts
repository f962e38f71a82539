/** Test glue: SCTP associations carried over DtlsEndpoint on the simulated network (RFC 8261). */
import { generateDtlsCertificate } from '../../src/dtls/certificate.js';
import { DtlsEndpoint } from '../../src/dtls/index.js';
import type { SctpAssociationOptions } from '../../src/sctp/index.js';
import type { LinkConditions, SimDatagram } from '../sim/network.js';
import { runSimulation, SimNetwork } from '../sim/network.js';
import { SctpSimEndpoint } from './harness.js';

/** An SCTP endpoint whose packets travel as DTLS application data. */
export class DtlsSctpEndpoint extends SctpSimEndpoint {
  dtlsFailed: string | undefined;

  constructor(
    key: string,
    peer: string,
    opts: SctpAssociationOptions,
    readonly dtls: DtlsEndpoint,
  ) {
    super(key, peer, opts);
  }

  override receive(d: SimDatagram, now: number): void {
    this.dtls.handleDatagram(d.data, now);
    this.drainDtls(now);
  }

  override timeout(now: number): void {
    const t = this.dtls.nextTimeout();
    if (t !== undefined && t <= now) {
      this.dtls.handleTimeout(now);
      this.drainDtls(now);
    }
    const s = this.assoc.nextTimeout();
    if (s !== undefined && s <= now) this.assoc.handleTimeout(now);
    this.drain(now);
  }

  override nextTimeout(): number | undefined {
    const a = this.dtls.nextTimeout();
    const b = this.assoc.nextTimeout();
    if (a === undefined) return b;
    if (b === undefined) return a;
    return Math.min(a, b);
  }

  override flush(net: SimNetwork): void {
    this.pump?.(this, net.now);
    if (this.dtls.state === 'connected') {
      for (let p = this.assoc.pollTransmit(); p; p = this.assoc.pollTransmit()) this.dtls.send(p);
    }
    for (let d = this.dtls.pollTransmit(); d; d = this.dtls.pollTransmit()) {
      net.send(this.key, this.peer, d);
    }
    this.drain(net.now);
  }

  private drainDtls(now: number): void {
    for (let e = this.dtls.pollEvent(); e; e = this.dtls.pollEvent()) {
      if (e.type === 'connected') {
        if (
          this.dtls.state === 'connected' &&
          this.assoc.state === 'new' &&
          this.role === 'client'
        ) {
          this.assoc.connect(now);
        }
      } else if (e.type === 'data') {
        this.assoc.handlePacket(e.data, now);
      } else if (e.type === 'failed') {
        this.dtlsFailed = e.reason;
      }
    }
    this.drain(now);
  }

  get role(): 'client' | 'server' {
    return this.key === 'a' ? 'client' : 'server';
  }
}

const certs = Promise.all([
  generateDtlsCertificate({ name: 'ECDSA', namedCurve: 'P-256' }),
  generateDtlsCertificate({ name: 'ECDSA', namedCurve: 'P-256' }),
]);

/** A connected SCTP-over-DTLS pair on a fresh simulated network. */
export async function dtlsPair(
  seed: number,
  conditions: LinkConditions,
  a: Partial<SctpAssociationOptions> = {},
  b: Partial<SctpAssociationOptions> = {},
) {
  const [ca, cb] = await certs;
  const net = new SimNetwork(seed, conditions);
  const da = new DtlsEndpoint({
    role: 'client',
    certificate: ca,
    now: 0,
    remoteFingerprints: [{ algorithm: 'sha-256', value: cb.fingerprint() }],
  });
  const db = new DtlsEndpoint({
    role: 'server',
    certificate: cb,
    now: 0,
    remoteFingerprints: [{ algorithm: 'sha-256', value: ca.fingerprint() }],
  });
  const ea = new DtlsSctpEndpoint('a', 'b', { role: 'client', now: 0, ...a }, da);
  const eb = new DtlsSctpEndpoint('b', 'a', { role: 'server', now: 0, ...b }, db);
  da.start(0);
  const ok = runSimulation(net, [ea, eb], () => ea.connected && eb.connected, 600_000);
  if (!ok) {
    throw new Error(
      `SCTP over DTLS did not connect (dtls ${da.state}/${db.state}, sctp ${ea.assoc.state}/${eb.assoc.state})`,
    );
  }
  return { net, a: ea as SctpSimEndpoint, b: eb as SctpSimEndpoint };
}
