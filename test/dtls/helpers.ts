import type { DtlsCertificate } from '../../src/dtls/certificate.js';
import { generateDtlsCertificate } from '../../src/dtls/certificate.js';
import { DtlsEndpoint } from '../../src/dtls/endpoint.js';
import { newRecordHeader, readRecord } from '../../src/dtls/record.js';
import type { DtlsEvent, DtlsOptions } from '../../src/dtls/types.js';
import type { SimDatagram, SimEndpoint, SimNetwork } from '../sim/network.js';

const certCache = new Map<string, Promise<DtlsCertificate>>();

/** Certificates are slow to make (RSA especially), so tests share them per kind. */
export function testCertificate(
  kind: 'ecdsa' | 'ecdsa384' | 'rsa',
  slot = 0,
): Promise<DtlsCertificate> {
  const key = `${kind}/${slot}`;
  let c = certCache.get(key);
  if (c === undefined) {
    c = generateDtlsCertificate(
      kind === 'rsa'
        ? {
            name: 'RSASSA-PKCS1-v1_5',
            modulusLength: 2048,
            publicExponent: new Uint8Array([1, 0, 1]),
            hash: 'SHA-256',
          }
        : { name: 'ECDSA', namedCurve: kind === 'ecdsa384' ? 'P-384' : 'P-256' },
    );
    certCache.set(key, c);
  }
  return c;
}

/** A DtlsEndpoint on a SimNetwork, collecting its events. */
export class SimDtls implements SimEndpoint {
  readonly keys: string[];
  readonly events: DtlsEvent[] = [];
  received: Uint8Array[] = [];
  constructor(
    readonly name: string,
    readonly peer: string,
    readonly dtls: DtlsEndpoint,
  ) {
    this.keys = [name];
  }
  receive(d: SimDatagram, now: number): void {
    this.dtls.handleDatagram(d.data, now);
    this.drainEvents();
  }
  timeout(now: number): void {
    this.dtls.handleTimeout(now);
    this.drainEvents();
  }
  nextTimeout(): number | undefined {
    return this.dtls.nextTimeout();
  }
  flush(net: SimNetwork): void {
    for (let d = this.dtls.pollTransmit(); d; d = this.dtls.pollTransmit()) {
      net.send(this.name, this.peer, d);
    }
  }
  private drainEvents(): void {
    for (let e = this.dtls.pollEvent(); e; e = this.dtls.pollEvent()) {
      if (e.type === 'data') this.received.push(new Uint8Array(e.data));
      this.events.push(e);
    }
  }
  has(type: DtlsEvent['type']): boolean {
    return this.events.some((e) => e.type === type);
  }
  failure(): Extract<DtlsEvent, { type: 'failed' }> | undefined {
    return this.events.find((e) => e.type === 'failed') as
      | Extract<DtlsEvent, { type: 'failed' }>
      | undefined;
  }
}

export interface PairOptions {
  client?: Partial<DtlsOptions>;
  server?: Partial<DtlsOptions>;
  clientCert?: DtlsCertificate;
  serverCert?: DtlsCertificate;
}

/** A client and a server that expect each other's fingerprints. */
export async function makePair(opts: PairOptions = {}, now = 0) {
  const clientCert = opts.clientCert ?? (await testCertificate('ecdsa', 0));
  const serverCert = opts.serverCert ?? (await testCertificate('ecdsa', 1));
  const client = new DtlsEndpoint({
    role: 'client',
    certificate: clientCert,
    now,
    remoteFingerprints: [{ algorithm: 'sha-256', value: serverCert.fingerprint() }],
    ...opts.client,
  });
  const server = new DtlsEndpoint({
    role: 'server',
    certificate: serverCert,
    now,
    remoteFingerprints: [{ algorithm: 'sha-256', value: clientCert.fingerprint() }],
    ...opts.server,
  });
  return { client, server, clientCert, serverCert };
}

/** Moves datagrams between two endpoints with no loss until both are quiet. */
export function pump(a: DtlsEndpoint, b: DtlsEndpoint, now = 0, maxRounds = 100): void {
  for (let i = 0; i < maxRounds; i++) {
    let moved = false;
    for (let d = a.pollTransmit(); d; d = a.pollTransmit()) {
      b.handleDatagram(d, now);
      moved = true;
    }
    for (let d = b.pollTransmit(); d; d = b.pollTransmit()) {
      a.handleDatagram(d, now);
      moved = true;
    }
    if (!moved) return;
  }
}

export function drainEvents(e: DtlsEndpoint): DtlsEvent[] {
  const out: DtlsEvent[] = [];
  for (let ev = e.pollEvent(); ev; ev = e.pollEvent()) out.push(ev);
  return out;
}

export interface SentRecord {
  type: number;
  version: number;
  epoch: number;
  seq: number;
  body: Uint8Array;
}

/** The records of one datagram, read with the endpoint's own record parser. */
export function recordsIn(datagram: Uint8Array): SentRecord[] {
  const out: SentRecord[] = [];
  const h = newRecordHeader();
  for (let o = 0; o < datagram.length; ) {
    const next = readRecord(datagram, o, h);
    if (next < 0) break;
    out.push({
      type: h.type,
      version: h.version,
      epoch: h.epoch,
      seq: h.seq,
      body: datagram.slice(h.bodyOffset, next),
    });
    o = next;
  }
  return out;
}

/** Every pending datagram of the endpoint. */
export function transmits(e: DtlsEndpoint): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let d = e.pollTransmit(); d; d = e.pollTransmit()) out.push(d);
  return out;
}
