/**
 * A server opens and closes connections all day. Rounds of connected pairs, each carrying data
 * both ways and then closed, must give back everything they took: every socket and file
 * descriptor once closing has finished, the heap of the closed connections at the next full
 * collection, and once the last connection is closed nothing of the library may keep the
 * process running (no timer, socket or thread left referenced). Run in processes of their own,
 * in both modes, with the figures of every round on their standard output.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runNodeProgram } from '../node-program.js';

const peersUrl = new URL('./peers.ts', import.meta.url).href;

/** Pairs opened (five at a time) in each round; the first round warms up and is not measured. */
const PAIRS_PER_ROUND = 30;
const ROUNDS = 6;
/**
 * Heap growth allowed per pair over the measured rounds, after a full collection. What V8 keeps
 * adding as it optimises more of the code is under 1 KiB per pair; one closed pair that stayed
 * reachable would add about 60 KiB.
 */
const HEAP_PER_PAIR_LIMIT = 4 * 1024;

function program(worker: boolean): string {
  return `
import { readdirSync } from 'node:fs';
const { connectedPair, useTsrtcOptions } = await import(${JSON.stringify(peersUrl)});
if (${worker}) useTsrtcOptions({ worker: true });
const nextMessage = (ch) => new Promise((resolve) => ch.addEventListener('message', (e) => resolve(e.data), { once: true }));
const settle = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const fds = () => readdirSync('/proc/self/fd').length;
const udpHandles = () => process.getActiveResourcesInfo().filter((r) => r === 'UDPWRAP').length;

async function usedPair() {
  const { a, b, local: ca, remote: cb } = await connectedPair('churn');
  cb.binaryType = 'arraybuffer';
  const there = nextMessage(cb);
  ca.send(new Uint8Array(48 * 1024).fill(7));
  if ((await there).byteLength !== 48 * 1024) throw new Error('message cut');
  const back = nextMessage(ca);
  cb.send('x'.repeat(20000));
  if ((await back).length !== 20000) throw new Error('message cut');
  return [a, b];
}

/** Waits (up to 3 s) for closing to finish: sockets closed, descriptors given back. */
async function released(baseline) {
  for (let waited = 0; waited < 3000; waited += 50) {
    if (udpHandles() === 0 && fds() <= baseline) return;
    await settle(50);
  }
}

const rounds = [];
let baseline = Infinity;
for (let round = 0; round < ${ROUNDS}; round++) {
  const pcs = [];
  let next = 0;
  await Promise.all(Array.from({ length: 5 }, async () => {
    while (next < ${PAIRS_PER_ROUND}) {
      next++;
      pcs.push(...(await usedPair()));
    }
  }));
  for (const pc of pcs) pc.close();
  pcs.length = 0;
  // The first round starts what stays for the process's life (worker mode's threads).
  if (round === 0) {
    await settle(500);
    baseline = fds();
  }
  await released(baseline);
  globalThis.gc();
  globalThis.gc();
  rounds.push({ fds: fds(), udp: udpHandles(), heap: process.memoryUsage().heapUsed });
}
console.log(JSON.stringify({ baseline, rounds }));
`;
}

interface Round {
  fds: number;
  udp: number;
  heap: number;
}

for (const worker of [false, true]) {
  test(`${worker ? 'worker mode: ' : ''}rounds of used and closed pairs give back sockets, descriptors and heap, and let the process exit`, {
    skip: process.platform === 'linux' ? false : 'counts descriptors in /proc/self/fd',
  }, async (t) => {
    let out: string;
    try {
      out = await runNodeProgram(['--expose-gc'], program(worker), 45_000);
    } catch (err) {
      const e = err as { killed?: boolean; stdout?: string; stderr?: string; message: string };
      if (e.killed) {
        assert.fail(
          `the process did not exit after its last connection closed (output: ${e.stdout}${e.stderr})`,
        );
      }
      throw err;
    }
    const { baseline, rounds } = JSON.parse(out.trim().split('\n').at(-1)!) as {
      baseline: number;
      rounds: Round[];
    };
    t.diagnostic(
      `descriptors after the first round ${baseline}; per round ${JSON.stringify(rounds)}`,
    );
    for (const [i, r] of rounds.entries()) {
      assert.equal(r.udp, 0, `round ${i}: ${r.udp} UDP sockets left open`);
      assert.ok(
        r.fds <= baseline,
        `round ${i}: ${r.fds} file descriptors, ${baseline} after the first`,
      );
    }
    const grown = rounds.at(-1)!.heap - rounds[1]!.heap;
    const pairs = PAIRS_PER_ROUND * (ROUNDS - 2);
    const perPair = grown / pairs;
    assert.ok(
      perPair < HEAP_PER_PAIR_LIMIT,
      `heap grew ${(grown / 1024).toFixed(0)} KiB over ${pairs} closed pairs (${perPair.toFixed(0)} B each): ${rounds.map((r) => r.heap).join(', ')}`,
    );
  });
}
