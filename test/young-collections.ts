/**
 * Reads what V8 prints with --trace-gc-nvp: the bytes that survived the young-generation
 * collections (copied within the young generation or promoted out of it), summed over every
 * collection of every thread in the output, and how many collections there were.
 */
import assert from 'node:assert/strict';

export function survivedYoungCollections(traceOutput: string): {
  bytes: number;
  collections: number;
} {
  let collections = 0;
  let bytes = 0;
  for (const line of traceOutput.split('\n')) {
    if (!/\bgc=s\b/.test(line)) continue;
    const promoted = /\bpromoted=(\d+)/.exec(line);
    const copied = /\bnew_space_survived=(\d+)/.exec(line);
    // A change in V8's format fails here rather than measuring nothing.
    assert.ok(promoted && copied, `a collection's figures: ${line.slice(0, 200)}`);
    collections++;
    bytes += Number(promoted[1]) + Number(copied[1]);
  }
  return { bytes, collections };
}
