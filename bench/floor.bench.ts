/**
 * Node's floor for a data channel transfer on this machine: what moving the datagrams alone
 * costs, with no ICE, DTLS, SCTP or channel code at all. Each datagram is what a full tsrtc
 * packet is on the wire (a 1,229-byte DTLS record: a 1,192-byte SCTP packet sealed with
 * AES-128-GCM) and counts for the 1,164 bytes of message data such a packet carries. Sealed
 * with node:crypto and sent with node:dgram over 127.0.0.1; received and opened on the other
 * side. Two layouts:
 *
 * - one thread seals, sends, receives and opens (plain tsrtc with both peers in one process);
 * - two threads of this process, one sealing and sending, the other receiving and opening
 *   (tsrtc.worker, and the native stacks, which run their transports on threads of their own).
 *
 * No pure-JavaScript stack can carry more than these figures with packets of this size, so
 * they bound the throughput workloads; the best of the repetitions is printed.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { BenchOptions } from './index.js';

const SCTP_PACKET = 1192;
/** DTLS 1.2 record header, AES-GCM explicit nonce and tag. */
const DATAGRAM = 13 + 8 + SCTP_PACKET + 16;
/** The SCTP packet less its common header and one DATA chunk header. */
const DATA_PER_DATAGRAM = SCTP_PACKET - 12 - 16;
/** Datagrams sent and not yet opened, at most: keeps the receive buffer from overflowing. */
const WINDOW = 400;

/**
 * The two halves as one script, for both layouts: `startReceiver` opens every datagram that
 * reaches its socket and counts it in `counter[0]`; `startSender` seals and sends until the
 * deadline, never more than WINDOW ahead of that count, and resolves with what it sent and
 * its event-loop utilisation.
 */
const HALVES = `
const { createSocket } = require('node:dgram');
const { createCipheriv, createDecipheriv } = require('node:crypto');
const HEADER = 13, NONCE = 8, TAG = 16;

function startReceiver(key, salt, counter, onBound) {
  const socket = createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
  const iv = Buffer.alloc(12);
  iv.set(salt, 0);
  socket.on('message', (d) => {
    iv.set(d.subarray(HEADER, HEADER + NONCE), 4);
    const decipher = createDecipheriv('aes-128-gcm', key, iv);
    decipher.setAAD(d.subarray(0, HEADER));
    decipher.setAuthTag(d.subarray(d.length - TAG));
    decipher.update(d.subarray(HEADER + NONCE, d.length - TAG));
    decipher.final();
    Atomics.add(counter, 0, 1);
  });
  socket.bind(0, '127.0.0.1', () => onBound(socket.address().port));
  return socket;
}

function startSender(key, salt, counter, port, packet, window, ms) {
  return new Promise((resolve, reject) => {
    const socket = createSocket({ type: 'udp4', sendBufferSize: 4 << 20, lookup: (a, o, cb) => cb(null, a, 4) });
    socket.on('error', reject);
    const plaintext = Buffer.alloc(packet, 0x5a);
    const header = Buffer.from([23, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    const iv = Buffer.alloc(12);
    iv.set(salt, 0);
    let sent = 0;
    let started = 0;
    let elu0;
    const step = () => {
      const now = performance.now();
      if (now - started >= ms) {
        const elu = performance.eventLoopUtilization(elu0).utilization;
        socket.close();
        resolve({ sent, ms: now - started, elu });
        return;
      }
      for (let n = 0; n < 64 && sent - Atomics.load(counter, 0) < window; n++) {
        iv.writeUInt32BE(sent, 8);
        header.writeUInt32BE(sent, 7);
        const cipher = createCipheriv('aes-128-gcm', key, iv);
        cipher.setAAD(header);
        const body = cipher.update(plaintext);
        cipher.final();
        socket.send([header, iv.subarray(4), body, cipher.getAuthTag()], port, '127.0.0.1');
        sent++;
      }
      setImmediate(step);
    };
    socket.bind(0, '127.0.0.1', () => {
      started = performance.now();
      elu0 = performance.eventLoopUtilization();
      step();
    });
  });
}
`;

interface Floor {
  mbps: number;
  datagrams: number;
  senderElu: number;
  receiverElu?: number;
}

function keys(): { key: Uint8Array; salt: Uint8Array; counter: Int32Array } {
  const key = crypto.getRandomValues(new Uint8Array(16));
  const salt = crypto.getRandomValues(new Uint8Array(4));
  return { key, salt, counter: new Int32Array(new SharedArrayBuffer(4)) };
}

function nextMessage<T>(w: Worker): Promise<T> {
  return new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
}

/** Both halves on one thread, reporting once the sender's time is up. */
const ONE_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
${HALVES}
const { key, salt, counter, packet, window, ms } = workerData;
const receiver = startReceiver(key, salt, counter, (port) =>
  startSender(key, salt, counter, port, packet, window, ms).then((r) => {
    receiver.close();
    parentPort.postMessage(r);
  }),
);
`;

async function oneThread(ms: number): Promise<Floor> {
  const { key, salt, counter } = keys();
  const thread = new Worker(ONE_THREAD, {
    eval: true,
    workerData: { key, salt, counter, packet: SCTP_PACKET, window: WINDOW, ms },
  });
  try {
    const s = await nextMessage<{ sent: number; ms: number; elu: number }>(thread);
    const opened = Atomics.load(counter, 0);
    return {
      mbps: (opened * DATA_PER_DATAGRAM) / s.ms / 1000,
      datagrams: opened,
      senderElu: s.elu,
    };
  } finally {
    await thread.terminate();
  }
}

/** The receiving thread: opens datagrams until told to stop, then reports its utilisation. */
const RECEIVER_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
${HALVES}
const { key, salt, counter } = workerData;
const socket = startReceiver(key, salt, counter, (port) => parentPort.postMessage({ port }));
const elu0 = performance.eventLoopUtilization();
parentPort.once('message', () => {
  parentPort.postMessage({ elu: performance.eventLoopUtilization(elu0).utilization });
  socket.close();
  parentPort.close();
});
`;

/** The sending thread: seals and sends for `ms`, then reports. */
const SENDER_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
${HALVES}
const { key, salt, counter, port, packet, window, ms } = workerData;
startSender(key, salt, counter, port, packet, window, ms).then((r) => parentPort.postMessage(r));
`;

async function twoThreads(ms: number): Promise<Floor> {
  const { key, salt, counter } = keys();
  const receiver = new Worker(RECEIVER_THREAD, { eval: true, workerData: { key, salt, counter } });
  try {
    const { port } = await nextMessage<{ port: number }>(receiver);
    const sender = new Worker(SENDER_THREAD, {
      eval: true,
      workerData: { key, salt, counter, port, packet: SCTP_PACKET, window: WINDOW, ms },
    });
    const s = await nextMessage<{ sent: number; ms: number; elu: number }>(sender);
    const opened = Atomics.load(counter, 0);
    const stopped = nextMessage<{ elu: number }>(receiver);
    receiver.postMessage('stop');
    const r = await stopped;
    await sender.terminate();
    return {
      mbps: (opened * DATA_PER_DATAGRAM) / s.ms / 1000,
      datagrams: opened,
      senderElu: s.elu,
      receiverElu: r.elu,
    };
  } finally {
    await receiver.terminate();
  }
}

export async function run(opts: BenchOptions): Promise<void> {
  const ms = (Number(opts.args.seconds ?? 2) || 2) * 1000;
  console.log(
    `Node's floor on this machine (${availableParallelism()} cores): ${DATAGRAM}-byte datagrams, each a sealed ${SCTP_PACKET}-byte SCTP packet counted for its ${DATA_PER_DATAGRAM} bytes of message data; AES-128-GCM with node:crypto, node:dgram over 127.0.0.1, no protocol (MB/s, 1 MB = 10^6 bytes; best of ${opts.reps})`,
  );
  const layouts: [string, (ms: number) => Promise<Floor>][] = [
    ['one thread seals, sends, receives and opens', oneThread],
    ['two threads: one seals and sends, one receives and opens', twoThreads],
  ];
  const best = new Map<string, Floor>();
  for (let r = 0; r < opts.reps; r++) {
    for (const [label, measure] of layouts) {
      const f = await measure(ms);
      const use =
        f.receiverElu === undefined
          ? `, thread busy ${f.senderElu.toFixed(2)}`
          : `, threads busy ${f.senderElu.toFixed(2)} / ${f.receiverElu.toFixed(2)}`;
      console.log(
        `  rep ${r + 1}  ${label}: ${f.mbps.toFixed(1)} MB/s (${f.datagrams} datagrams${use})`,
      );
      if (f.mbps > (best.get(label)?.mbps ?? 0)) best.set(label, f);
    }
  }
  for (const [label] of layouts) console.log(`${label}: ${best.get(label)!.mbps.toFixed(1)} MB/s`);
}
