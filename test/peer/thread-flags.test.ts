// A transport thread gets only the profilers' flags of the thread that starts it (without a
// file name, which every thread would share); the others are V8 or process-wide (a worker
// refuses them) or about the main thread's entry.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { profilerFlags } from '../../src/peer/worker/thread-pool.js';

test("only the profilers' flags, with their separate values, reach a transport thread", () => {
  assert.deepEqual(
    profilerFlags([
      '--expose-gc',
      '--max-old-space-size=512',
      '--cpu-prof',
      '--cpu-prof-dir',
      '/tmp/profiles',
      '--cpu-prof-interval=100',
      '--cpu-prof-name',
      'main.cpuprofile',
      '--heap-prof',
      '--heap-prof-name=main.heapprofile',
      '--diagnostic-dir',
      '/tmp/diagnostics',
      '--input-type=module',
      '--import',
      'tsx',
      '-e',
      'code',
    ]),
    [
      '--cpu-prof',
      '--cpu-prof-dir',
      '/tmp/profiles',
      '--cpu-prof-interval=100',
      '--heap-prof',
      '--diagnostic-dir',
      '/tmp/diagnostics',
    ],
  );
  assert.deepEqual(profilerFlags(['--enable-source-maps', '--conditions=dev']), []);
});
