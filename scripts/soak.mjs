#!/usr/bin/env node
// A bounded soak of the built package (dist/), for what the test suite is too short to show:
// slow leaks and data going astray over time. For `--seconds` per mode (plain, then worker),
// on loopback:
//   - `--churn` workers each open a connected pair, carry a 48 KiB message one way and a 20 KB
//     string back, check both, and close the pair, again and again;
//   - `--streams` long-lived pairs each carry a stream of numbered messages (4 B to 16 KiB,
//     pseudo-random content) on a reliable ordered channel, every one checked for order,
//     length and content on arrival, and echoed so that the sender checks the echo too.
// Every 5 s it prints, after a full garbage collection: pairs churned, heap, RSS, open file
// descriptors. At the end it closes everything and fails (exit status 1) when any check
// failed, when the descriptors are not back to where they were after the first sample, or
// when the heap of the second half grew by more than 2 KiB per churned pair.
// Usage: npm run soak [-- --seconds 60 --churn 8 --streams 16 --modes plain,worker]
import { readdirSync } from 'node:fs';
import { RTCPeerConnection } from '../dist/index.js';

const args = new Map();
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (!a.startsWith('--')) continue;
  const eq = a.indexOf('=');
  if (eq > 0) args.set(a.slice(2, eq), a.slice(eq + 1));
  else args.set(a.slice(2), process.argv[++i]);
}
const SECONDS = Number(args.get('seconds') ?? 60);
const CHURN = Number(args.get('churn') ?? 8);
const STREAMS = Number(args.get('streams') ?? 16);
const MODES = String(args.get('modes') ?? 'plain,worker').split(',');
const SAMPLE_MS = 5000;
/** Heap growth allowed per churned pair over the second half of a mode's run. */
const HEAP_PER_PAIR = 2048;

if (typeof globalThis.gc !== 'function') {
  console.error('run with --expose-gc (npm run soak does)');
  process.exit(2);
}

const LOOPBACK = { addresses: { addresses: ['127.0.0.1'] } };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const fds = () => readdirSync('/proc/self/fd').length;
const failures = [];
const fail = (what) => {
  if (failures.length < 20) console.error(`FAIL ${what}`);
  failures.push(what);
};

function opened(ch) {
  return ch.readyState === 'open'
    ? Promise.resolve()
    : new Promise((resolve) => ch.addEventListener('open', resolve, { once: true }));
}

async function connectedPair(tsrtc, label) {
  const a = new RTCPeerConnection({ tsrtc });
  const b = new RTCPeerConnection({ tsrtc });
  for (const [from, to] of [
    [a, b],
    [b, a],
  ]) {
    from.addEventListener('icecandidate', (e) => {
      if (e.candidate) to.addIceCandidate(e.candidate).catch(() => {});
    });
  }
  const remote = new Promise((resolve) =>
    b.addEventListener('datachannel', (e) => resolve(e.channel), { once: true }),
  );
  const ca = a.createDataChannel(label);
  await a.setLocalDescription();
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription();
  await a.setRemoteDescription(b.localDescription);
  const cb = await remote;
  await Promise.all([opened(ca), opened(cb)]);
  ca.binaryType = 'arraybuffer';
  cb.binaryType = 'arraybuffer';
  return { a, b, ca, cb };
}

function nextMessage(ch) {
  return new Promise((resolve, reject) => {
    const onClose = () => reject(new Error(`channel ${ch.label} closed`));
    ch.addEventListener('close', onClose, { once: true });
    ch.addEventListener(
      'message',
      (e) => {
        ch.removeEventListener('close', onClose);
        resolve(e.data);
      },
      { once: true },
    );
  });
}

/** Content of message `seq`: its length and every byte follow from the number. */
function streamMessage(seq) {
  let x = (seq * 2654435761) >>> 0 || 1;
  const length = 4 + (x % 16381);
  const m = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    m[i] = x;
  }
  new DataView(m.buffer).setUint32(0, seq, true);
  return m;
}

function sameBytes(got, want) {
  if (!(got instanceof ArrayBuffer) || got.byteLength !== want.length) return false;
  const g = new Uint8Array(got);
  for (let i = 0; i < want.length; i++) if (g[i] !== want[i]) return false;
  return true;
}

/** One long-lived pair: a message every few ms, each checked where it lands and echoed back. */
function startStream(pair, index, until) {
  const { ca, cb } = pair;
  let expected = 0;
  let echoed = 0;
  cb.addEventListener('message', (e) => {
    if (!sameBytes(e.data, streamMessage(expected)))
      fail(`stream ${index}: message ${expected} wrong`);
    expected++;
    cb.send(e.data);
  });
  ca.addEventListener('message', (e) => {
    if (!sameBytes(e.data, streamMessage(echoed))) fail(`stream ${index}: echo ${echoed} wrong`);
    echoed++;
  });
  return (async () => {
    let seq = 0;
    while (performance.now() < until) {
      if (ca.readyState !== 'open') {
        fail(`stream ${index}: channel ${ca.readyState}`);
        return 0;
      }
      if (ca.bufferedAmount < 256 * 1024) ca.send(streamMessage(seq++));
      await sleep(2);
    }
    for (let waited = 0; echoed < seq && waited < 10_000; waited += 20) await sleep(20);
    if (echoed !== seq) fail(`stream ${index}: ${seq} sent, ${expected} arrived, ${echoed} echoed`);
    return seq;
  })();
}

async function churnWorker(tsrtc, until, counter) {
  const there = new Uint8Array(48 * 1024).map((_, i) => i * 7);
  const back = 'soak '.repeat(4000);
  while (performance.now() < until) {
    let pair;
    try {
      pair = await connectedPair(tsrtc, 'churn');
      const arrived = nextMessage(pair.cb);
      pair.ca.send(there);
      if (!sameBytes(await arrived, there)) fail('churn: binary message wrong');
      const returned = nextMessage(pair.ca);
      pair.cb.send(back);
      if ((await returned) !== back) fail('churn: string message wrong');
      counter.pairs++;
    } catch (err) {
      fail(`churn: ${err.message}`);
    } finally {
      pair?.a.close();
      pair?.b.close();
    }
  }
}

function sample() {
  globalThis.gc();
  globalThis.gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss, fds: fds() };
}

const KiB = (n) => `${(n / 1024).toFixed(0)} KiB`;

async function soak(mode) {
  const tsrtc = mode === 'worker' ? { ...LOOPBACK, worker: true } : LOOPBACK;
  const start = performance.now();
  const until = start + SECONDS * 1000;
  console.log(`\n## ${mode}: ${SECONDS} s, ${CHURN} churning workers, ${STREAMS} streams`);
  // What stays for the process's life (worker mode's threads) starts with the first pair.
  const first = await connectedPair(tsrtc, 'warm-up');
  first.a.close();
  first.b.close();
  await sleep(500);
  const baseline = sample().fds;
  const streams = [];
  for (let i = 0; i < STREAMS; i++) streams.push(await connectedPair(tsrtc, `stream ${i}`));
  const counter = { pairs: 0 };
  const sent = Promise.all(streams.map((p, i) => startStream(p, i, until)));
  const churned = Promise.all(
    Array.from({ length: CHURN }, () => churnWorker(tsrtc, until, counter)),
  );
  const samples = [];
  while (performance.now() < until) {
    await sleep(Math.min(SAMPLE_MS, Math.max(0, until - performance.now())));
    const s = { ...sample(), pairs: counter.pairs, t: (performance.now() - start) / 1000 };
    samples.push(s);
    console.log(
      `  ${s.t.toFixed(0).padStart(4)} s  pairs ${String(s.pairs).padStart(6)}  heap ${KiB(s.heap)}  rss ${KiB(s.rss)}  fds ${s.fds}`,
    );
  }
  const messages = (await sent).reduce((x, y) => x + y, 0);
  await churned;
  for (const p of streams) {
    p.a.close();
    p.b.close();
  }
  await sleep(1000);
  const end = sample();
  if (end.fds > baseline) {
    fail(`${mode}: ${end.fds} file descriptors after closing everything, ${baseline} before`);
  }
  const half = samples[Math.floor(samples.length / 2)];
  const last = samples.at(-1);
  if (half && last && last.pairs > half.pairs) {
    const perPair = (last.heap - half.heap) / (last.pairs - half.pairs);
    console.log(
      `  heap over the second half: ${perPair.toFixed(0)} B per churned pair (${last.pairs - half.pairs} pairs)`,
    );
    if (perPair > HEAP_PER_PAIR)
      fail(`${mode}: heap grew ${perPair.toFixed(0)} B per churned pair`);
  }
  console.log(`  ${counter.pairs} pairs churned, ${messages} stream messages checked and echoed`);
}

for (const mode of MODES) await soak(mode);
if (failures.length > 0) {
  console.error(`\n${failures.length} failures`);
  process.exit(1);
}
console.log('\nno failures');
process.exit(0);
