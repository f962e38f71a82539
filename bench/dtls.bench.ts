/**
 * DTLS: full handshakes per second (both endpoints in this process, datagrams passed in memory)
 * and record seal+open throughput for 1200-byte records, next to bare node:crypto AES-128-GCM
 * seal+open of the same size as the ceiling.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { generateDtlsCertificate } from '../src/dtls/certificate.js';
import { cipherSuiteInfo } from '../src/dtls/cipher-suites.js';
import { ContentType, DTLS_1_2 } from '../src/dtls/constants.js';
import { DtlsEndpoint } from '../src/dtls/endpoint.js';
import { newRecordHeader, readRecord } from '../src/dtls/record.js';
import { RecordProtection } from '../src/dtls/record-protection.js';
import type { BenchOptions } from './index.js';

function pump(a: DtlsEndpoint, b: DtlsEndpoint): void {
  for (let moved = true; moved; ) {
    moved = false;
    for (let d = a.pollTransmit(); d; d = a.pollTransmit()) {
      b.handleDatagram(d, 0);
      moved = true;
    }
    for (let d = b.pollTransmit(); d; d = b.pollTransmit()) {
      a.handleDatagram(d, 0);
      moved = true;
    }
  }
}

async function handshakes(seconds: number, keyType: 'ecdsa' | 'rsa'): Promise<number> {
  const alg =
    keyType === 'rsa'
      ? {
          name: 'RSASSA-PKCS1-v1_5' as const,
          modulusLength: 2048,
          publicExponent: new Uint8Array([1, 0, 1]),
          hash: 'SHA-256' as const,
        }
      : { name: 'ECDSA' as const, namedCurve: 'P-256' as const };
  const cc = await generateDtlsCertificate(alg);
  const sc = await generateDtlsCertificate(alg);
  const fp = (c: typeof cc) => [{ algorithm: 'sha-256', value: c.fingerprint() }];
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    const client = new DtlsEndpoint({
      role: 'client',
      certificate: cc,
      now: 0,
      remoteFingerprints: fp(sc),
    });
    const server = new DtlsEndpoint({
      role: 'server',
      certificate: sc,
      now: 0,
      remoteFingerprints: fp(cc),
    });
    client.start(0);
    pump(client, server);
    if (client.state !== 'connected' || server.state !== 'connected')
      throw new Error('handshake failed');
    n++;
  }
  return n / ((performance.now() - start) / 1000);
}

function recordThroughput(suiteId: number, size: number, seconds: number): number {
  const suite = cipherSuiteInfo(suiteId)!;
  const key = randomBytes(suite.keyLength);
  const iv = randomBytes(suite.fixedIvLength);
  const tx = new RecordProtection(suite, key, iv, key, iv);
  const payload = randomBytes(size);
  const h = newRecordHeader();
  let bytes = 0;
  let seq = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    for (let i = 0; i < 200; i++) {
      const rec = tx.seal(ContentType.applicationData, DTLS_1_2, 1, seq++, payload);
      readRecord(rec, 0, h);
      const pt = tx.open(h.type, h.version, h.epoch, h.seq, rec.subarray(h.bodyOffset));
      if (pt === undefined || pt.length !== size) throw new Error('record did not open');
      bytes += size;
    }
  }
  return bytes / ((performance.now() - start) / 1000) / 1e6;
}

/** The floor of what node:crypto costs: one GCM seal and one open per record, nothing else. */
function bareGcmThroughput(size: number, seconds: number): number {
  const key = randomBytes(16);
  const nonce = randomBytes(12);
  const aad = randomBytes(13);
  const payload = randomBytes(size);
  let bytes = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    for (let i = 0; i < 200; i++) {
      const c = createCipheriv('aes-128-gcm', key, nonce);
      c.setAAD(aad);
      const ct = c.update(payload);
      c.final();
      const tag = c.getAuthTag();
      const d = createDecipheriv('aes-128-gcm', key, nonce);
      d.setAAD(aad);
      d.setAuthTag(tag);
      const pt = d.update(ct);
      d.final();
      if (pt.length !== size) throw new Error('bad');
      bytes += size;
    }
  }
  return bytes / ((performance.now() - start) / 1000) / 1e6;
}

export async function run(opts: BenchOptions): Promise<void> {
  const seconds = Number(opts.args.seconds ?? 1) || 1;
  const best = async (f: () => number | Promise<number>) => {
    let b = 0;
    for (let i = 0; i < opts.reps; i++) b = Math.max(b, await f());
    return b;
  };
  const hsEc = await best(() => handshakes(seconds, 'ecdsa'));
  const hsRsa = await best(() => handshakes(seconds, 'rsa'));
  console.log(`handshakes/s (client+server in process, ECDSA P-256): ${hsEc.toFixed(1)}`);
  console.log(`handshakes/s (client+server in process, RSA 2048):    ${hsRsa.toFixed(1)}`);
  const size = 1200;
  // Interleaved so that both see the same machine load; the best of the reps is kept.
  const suites = [0xc02b, 0xc02c, 0xcca9];
  let bare = 0;
  const ours = new Map<number, number>();
  for (let r = 0; r < opts.reps; r++) {
    bare = Math.max(bare, bareGcmThroughput(size, seconds));
    for (const id of suites) {
      ours.set(id, Math.max(ours.get(id) ?? 0, recordThroughput(id, size, seconds)));
    }
  }
  console.log(`bare node:crypto AES-128-GCM seal+open, ${size} B: ${bare.toFixed(1)} MB/s`);
  for (const id of suites) {
    const mbs = ours.get(id)!;
    const name = cipherSuiteInfo(id)!.name;
    const ratio = ((mbs / bare) * 100).toFixed(0);
    console.log(`record seal+open ${name}, ${size} B: ${mbs.toFixed(1)} MB/s (${ratio}% of bare)`);
  }
}
