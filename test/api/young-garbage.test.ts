/**
 * A connection that is closed and dropped dies young: nothing keeps it alive through V8's
 * young-generation collections until the next full collection. Something that did (an object
 * whose hidden class holds one of the connection's closures, say) would have every connection
 * copied and then promoted by the collections, making them several times slower in a process
 * that sets up connections at a steady rate. Measured in processes of their own from V8's
 * figures for each young-generation collection: what survives them per connection, from the
 * difference between a run of 1,000 connections and one of 4,000 (which takes away what
 * loading the library leaves).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runNodeProgram } from '../node-program.js';

const indexUrl = new URL('../../src/index.ts', import.meta.url).href;

function program(connections: number): string {
  return `
const { RTCPeerConnection } = await import(${JSON.stringify(indexUrl)});
for (let i = 0; i < ${connections}; i++) {
  const pc = new RTCPeerConnection();
  pc.createDataChannel('x');
  pc.close();
  await new Promise((r) => setImmediate(r));
}
console.log('done');
`;
}

/** Bytes that survived the young-generation collections of a run, and how many there were. */
async function survivedYoung(connections: number): Promise<{ bytes: number; collections: number }> {
  const stdout = await runNodeProgram(['--trace-gc-nvp'], program(connections), 120_000);
  assert.match(stdout, /done/);
  let collections = 0;
  let bytes = 0;
  for (const line of stdout.split('\n')) {
    if (!/\bgc=s\b/.test(line)) continue;
    const promoted = /\bpromoted=(\d+)/.exec(line);
    const copied = /\bnew_space_survived=(\d+)/.exec(line);
    assert.ok(promoted && copied, `a collection's figures: ${line.slice(0, 200)}`);
    collections++;
    bytes += Number(promoted[1]) + Number(copied[1]);
  }
  return { bytes, collections };
}

test('closed connections do not survive young-generation collections', async () => {
  const [few, many] = await Promise.all([survivedYoung(1000), survivedYoung(4000)]);
  // 3,000 more connections allocate about 45 MB more: several more collections to measure.
  assert.ok(
    many.collections >= few.collections + 3,
    `${few.collections} / ${many.collections} collections`,
  );
  const perConnection = (many.bytes - few.bytes) / 3000;
  // What is live at each collection is one connection at most: well under 1 KiB on average.
  // When each closed connection is kept until a full collection, about 15 KiB.
  assert.ok(
    perConnection < 4 * 1024,
    `${(perConnection / 1024).toFixed(1)} KiB survived per connection`,
  );
});
