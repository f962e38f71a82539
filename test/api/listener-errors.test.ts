/**
 * An application listener that throws is reported the way browsers report it (here as an
 * uncaught exception, once per throw) and stops nothing: the other listeners of the same event
 * still run, and later messages still arrive, in order. The events of received data run from
 * the I/O layer's early tasks (src/api/task-queue.ts), so this also pins what that path does
 * with a throw. Run in processes of their own: the test runner takes any uncaught exception in
 * its own process as a failure.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runNodeProgram } from '../node-program.js';

const peersUrl = new URL('./peers.ts', import.meta.url).href;

function program(worker: boolean): string {
  return `
const { connectedPair, useTsrtcOptions } = await import(${JSON.stringify(peersUrl)});
if (${worker}) useTsrtcOptions({ worker: true });
const reported = [];
process.on('uncaughtException', (err) => reported.push(err.message));
process.on('unhandledRejection', (err) => reported.push('rejection: ' + err.message));
const { local, remote, close } = await connectedPair('throws');
const seen = [];
remote.onmessage = (e) => {
  throw new Error('handler threw on ' + e.data);
};
remote.addEventListener('message', (e) => seen.push(e.data));
for (const m of ['one', 'two', 'three']) {
  local.send(m);
  await new Promise((resolve) => setTimeout(resolve, 20));
}
const back = new Promise((resolve) => local.addEventListener('message', (e) => resolve(e.data), { once: true }));
remote.send('still open');
const echoed = await back;
await new Promise((resolve) => setTimeout(resolve, 50));
close();
console.log(JSON.stringify({ reported, seen, echoed }));
`;
}

for (const worker of [false, true]) {
  test(`${worker ? 'worker mode: ' : ''}a throwing message listener is reported once per throw and stops neither the other listeners nor later messages`, async () => {
    const out = await runNodeProgram([], program(worker));
    const { reported, seen, echoed } = JSON.parse(out.trim().split('\n').at(-1)!) as {
      reported: string[];
      seen: string[];
      echoed: string;
    };
    assert.deepEqual(seen, ['one', 'two', 'three']);
    assert.deepEqual(reported, [
      'handler threw on one',
      'handler threw on two',
      'handler threw on three',
    ]);
    assert.equal(echoed, 'still open');
  });
}
