// The first RTCPeerConnection of a process turns V8's concurrent array-buffer sweeping off
// (src/net/array-buffer-sweeping.ts), once, unless node's command line chose for itself. Each
// case runs in a process of its own, since the setting is process-wide, with node:v8's
// setFlagsFromString wrapped to record what the library asks for.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sweepingLeftToUs } from '../../src/net/array-buffer-sweeping.js';
import { runNodeProgram } from '../node-program.js';

const indexUrl = new URL('../../src/index.ts', import.meta.url).href;

const PROGRAM = `
import v8 from 'node:v8';
import { syncBuiltinESMExports } from 'node:module';
const asked = [];
const real = v8.setFlagsFromString;
v8.setFlagsFromString = (flags) => { asked.push(flags); real(flags); };
syncBuiltinESMExports();
const { RTCPeerConnection } = await import(${JSON.stringify(indexUrl)});
const before = asked.length;
const pcs = [new RTCPeerConnection(), new RTCPeerConnection({ tsrtc: { worker: true } })];
for (const pc of pcs) pc.close();
console.log(JSON.stringify({ before, asked }));
`;

async function flagsAsked(nodeFlags: string[]): Promise<{ before: number; asked: string[] }> {
  const stdout = await runNodeProgram(nodeFlags, PROGRAM);
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

test('the first connection turns concurrent array-buffer sweeping off, once', async () => {
  const r = await flagsAsked([]);
  assert.equal(r.before, 0, 'loading the library changes nothing');
  assert.deepEqual(r.asked, ['--no-concurrent-array-buffer-sweeping']);
});

test('a command line that names the setting is left as it is', async () => {
  const r = await flagsAsked(['--concurrent-array-buffer-sweeping']);
  assert.deepEqual(r.asked, []);
});

test('which command-line arguments decide the sweeping', () => {
  assert.equal(sweepingLeftToUs([]), true);
  assert.equal(sweepingLeftToUs(['--max-old-space-size=4096', '--expose-gc']), true);
  assert.equal(sweepingLeftToUs(['--concurrent-array-buffer-sweeping-extra']), true);
  assert.equal(sweepingLeftToUs(['--predictable-gc-schedule']), true);
  for (const chosen of [
    '--concurrent-array-buffer-sweeping',
    '--no-concurrent-array-buffer-sweeping',
    '--concurrent_array_buffer_sweeping',
    '--concurrent-array-buffer-sweeping=false',
    '-concurrent-array-buffer-sweeping',
    '--no_concurrent_array_buffer_sweeping',
    '--noconcurrent-array-buffer-sweeping',
    '--single-threaded-gc',
    '--no-single-threaded-gc',
    '--single-threaded',
    '--predictable',
  ]) {
    assert.equal(sweepingLeftToUs(['--expose-gc', chosen]), false, chosen);
  }
});
