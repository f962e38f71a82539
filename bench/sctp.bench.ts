/**
 * SCTP association throughput: two associations in one process over an in-memory lossless
 * link, the sender paced by `bufferedBytes`. Reports MB/s of user data for 16 KiB and 64 KiB
 * messages, over DTLS (RFC 8261, as in WebRTC) and bare, checking that every message arrives
 * complete and in order. Flags: --mib N (data per message size, default 64), --mode dtls|bare,
 * --kib 16|64.
 */
import { generateDtlsCertificate } from '../src/dtls/certificate.js';
import { DtlsEndpoint } from '../src/dtls/index.js';
import { SctpAssociation } from '../src/sctp/index.js';
import type { BenchOptions } from './index.js';

interface Link {
  /** Carries one SCTP packet from side `from` to the other side. */
  deliver(from: 0 | 1, packet: Uint8Array, now: number): void;
}

function directLink(assocs: SctpAssociation[]): Link {
  return {
    deliver(from, packet, now) {
      assocs[1 - from]!.handlePacket(packet, now);
    },
  };
}

type Certs = [
  Awaited<ReturnType<typeof generateDtlsCertificate>>,
  Awaited<ReturnType<typeof generateDtlsCertificate>>,
];

/** Each SCTP packet goes into a DTLS record and straight through the peer's DtlsEndpoint. */
function dtlsLink(assocs: SctpAssociation[], certs: Certs, now: number): Link {
  const [ca, cb] = certs;
  const d = [
    new DtlsEndpoint({ role: 'client', certificate: ca, now }),
    new DtlsEndpoint({ role: 'server', certificate: cb, now }),
  ];
  const move = (from: number, t: number) => {
    const to = 1 - from;
    for (let p = d[from]!.pollTransmit(); p; p = d[from]!.pollTransmit()) {
      d[to]!.handleDatagram(p, t);
      for (let e = d[to]!.pollEvent(); e; e = d[to]!.pollEvent()) {
        // Decrypted plaintext is a buffer of its own: handed over, as PeerCore does.
        if (e.type === 'data') assocs[to]!.handlePacket(e.data, t, true);
      }
    }
  };
  d[0]!.start(now);
  for (let i = 0; i < 20; i++) {
    move(0, now);
    move(1, now);
  }
  while (d[0]!.pollEvent());
  if (d[0]!.state !== 'connected' || d[1]!.state !== 'connected') throw new Error('no DTLS');
  return {
    deliver(from, packet, t) {
      d[from]!.send(packet);
      move(from, t);
    },
  };
}

function runOnce(
  messageSize: number,
  totalBytes: number,
  certs: Certs | undefined,
): { mbps: number; cpuMbps: number; ms: number } {
  const t0 = performance.now();
  const a = new SctpAssociation({ role: 'client', now: t0 });
  const b = new SctpAssociation({ role: 'server', now: t0 });
  const link = certs ? dtlsLink([a, b], certs, t0) : directLink([a, b]);
  const sides = [a, b];
  const pump = (now: number) => {
    let moved = true;
    while (moved) {
      moved = false;
      for (let s = 0; s < 2; s++) {
        const from = s as 0 | 1;
        for (let p = sides[s]!.pollTransmit(); p; p = sides[s]!.pollTransmit()) {
          link.deliver(from, p, now);
          moved = true;
        }
      }
    }
  };
  a.connect(t0);
  pump(t0);
  if (a.state !== 'connected' || b.state !== 'connected') throw new Error('no association');
  const template = new Uint8Array(messageSize);
  for (let i = 0; i < messageSize; i++) template[i] = (i * 31) & 0xff;
  const view = new DataView(template.buffer);
  const count = Math.ceil(totalBytes / messageSize);
  let sent = 0;
  let received = 0;
  let bytes = 0;
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  while (received < count) {
    const now = performance.now();
    while (sent < count && a.bufferedBytes < 1 << 20) {
      view.setUint32(0, sent);
      view.setUint32(messageSize - 4, sent);
      a.send(1, 53, template, undefined, now);
      sent++;
    }
    pump(now);
    for (let e = b.pollEvent(); e; e = b.pollEvent()) {
      if (e.type !== 'message') continue;
      const d = e.data;
      const v = new DataView(d.buffer, d.byteOffset, d.length);
      if (
        d.length !== messageSize ||
        v.getUint32(0) !== received ||
        v.getUint32(d.length - 4) !== received
      ) {
        throw new Error(`message ${received} corrupted or out of order`);
      }
      if (d[5] !== template[5]) throw new Error('payload corrupted');
      received++;
      bytes += d.length;
    }
    while (a.pollEvent());
    const t = a.nextTimeout();
    if (t !== undefined && t <= now) a.handleTimeout(now);
    const u = b.nextTimeout();
    if (u !== undefined && u <= now) b.handleTimeout(now);
  }
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { mbps: bytes / 1e6 / (ms / 1000), cpuMbps: bytes / 1e6 / cpuSeconds, ms };
}

export async function run(opts: BenchOptions): Promise<void> {
  const mib = Number(opts.args.mib ?? 64) || 64;
  const total = mib * 1024 * 1024;
  const certs: Certs = await Promise.all([
    generateDtlsCertificate({ name: 'ECDSA', namedCurve: 'P-256' }),
    generateDtlsCertificate({ name: 'ECDSA', namedCurve: 'P-256' }),
  ]);
  // --mode dtls|bare and --kib 16|64 narrow the run (for profiling one case).
  const modes = [
    ['over DTLS', certs],
    ['bare', undefined],
  ] as const;
  const mode = opts.args.mode;
  const kib = Number(opts.args.kib) || 0;
  for (const [label, c] of modes) {
    if (mode !== undefined && (mode === 'bare') !== (c === undefined)) continue;
    for (const size of [16 * 1024, 64 * 1024]) {
      if (kib !== 0 && size !== kib * 1024) continue;
      const results: number[] = [];
      const perCpu: number[] = [];
      for (let r = 0; r < opts.reps; r++) {
        const one = runOnce(size, total, c);
        results.push(one.mbps);
        perCpu.push(one.cpuMbps);
      }
      const best = Math.max(...results);
      const mean = results.reduce((x, y) => x + y, 0) / results.length;
      // Per CPU-second as well: on a shared machine it varies less than wall-clock figures.
      console.log(
        `sctp ${label}, ${size / 1024} KiB messages, ${mib} MiB x${opts.reps}: best ${best.toFixed(1)} MB/s, mean ${mean.toFixed(1)} MB/s, best ${Math.max(...perCpu).toFixed(1)} MB per CPU-second`,
      );
    }
  }
}
