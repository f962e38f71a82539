/**
 * A closed connection that the application still holds (in a map of sessions, in the context
 * of an event handler) keeps what its API still answers: descriptions, candidates, states,
 * its last statistics. It does not keep the protocol state underneath: ICE checks, the DTLS
 * endpoint and its keys, the SCTP association and its buffers. Holding closed connections is
 * common (a leak in an application, or a handler's closure that V8 allocated in the old
 * generation, which keeps what it captures alive through young-generation collections), so
 * what each one keeps is measured: the heap of a process holding many closed pairs, from the
 * difference between holding 10 and 50 (which takes away what loading the library costs).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runNodeProgram } from '../node-program.js';

const peersUrl = new URL('./peers.ts', import.meta.url).href;

function program(pairs: number): string {
  return `
const { newPeer, trickle, negotiate } = await import(${JSON.stringify(peersUrl)});
const opened = (ch) => new Promise((resolve) => ch.addEventListener('open', resolve, { once: true }));
const settle = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function closedPair() {
  const a = newPeer();
  const b = newPeer();
  trickle(a, b);
  const remote = new Promise((resolve) => b.addEventListener('datachannel', (e) => resolve(e.channel), { once: true }));
  const ca = a.createDataChannel('held');
  const aOpen = opened(ca);
  await negotiate(a, b);
  const cb = await remote;
  if (cb.readyState !== 'open') await opened(cb);
  await aOpen;
  // Enough both ways for the association to have held data and grown its windows.
  const got = new Promise((resolve) => { let n = 0; cb.addEventListener('message', () => { if (++n === 8) resolve(); }); });
  for (let i = 0; i < 8; i++) ca.send(new Uint8Array(16 * 1024));
  cb.send('x'.repeat(20000));
  await got;
  a.close();
  b.close();
  return { a, b, ca, cb };
}
const held = [];
for (let i = 0; i < ${pairs}; i++) held.push(await closedPair());
await settle(300); // the sockets finish closing
globalThis.gc();
globalThis.gc();
console.log('heap', process.memoryUsage().heapUsed, held.length);
`;
}

async function heapHolding(pairs: number): Promise<number> {
  const stdout = await runNodeProgram(['--expose-gc'], program(pairs), 120_000);
  const m = /heap (\d+) (\d+)/.exec(stdout);
  assert.ok(m, `no heap figure in: ${stdout.slice(0, 200)}`);
  assert.equal(Number(m[2]), pairs);
  return Number(m[1]);
}

test('a closed connection the application holds keeps its API state, not its transports', async () => {
  const [few, many] = await Promise.all([heapHolding(10), heapHolding(50)]);
  const perPair = (many - few) / 40;
  // Two closed connections and their two channels: about 60 KiB, most of it descriptions,
  // candidates and statistics. Keeping the ICE, DTLS and SCTP state as well made it 110.
  assert.ok(perPair < 80 * 1024, `${(perPair / 1024).toFixed(1)} KiB held per closed pair`);
  assert.ok(perPair > 5 * 1024, `${(perPair / 1024).toFixed(1)} KiB: the pairs were not held`);
});
