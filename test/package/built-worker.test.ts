/**
 * The package as published runs from JavaScript, where the transport thread starts from its
 * built file (the sources start it through the TypeScript loader instead): build into a
 * temporary folder and connect two worker-mode peers with plain node, no loader.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

const script = `
const { RTCPeerConnection } = await import('./index.js');
const cfg = { tsrtc: { worker: true, addresses: { addresses: ['127.0.0.1'] } } };
const a = new RTCPeerConnection(cfg), b = new RTCPeerConnection(cfg);
a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
const dc = a.createDataChannel('x');
b.ondatachannel = (e) => { e.channel.onmessage = (m) => e.channel.send('echo:' + m.data); };
await a.setLocalDescription(); await b.setRemoteDescription(a.localDescription);
await b.setLocalDescription(); await a.setRemoteDescription(b.localDescription);
await new Promise((r) => (dc.onopen = r));
const reply = await new Promise((r) => { dc.onmessage = (m) => r(m.data); dc.send('hi'); });
console.log(reply);
a.close(); b.close();
`;

test('the built package runs connections on transport threads', { timeout: 120_000 }, async () => {
  // Inside node_modules, so that the build finds the package's dependencies as it would
  // installed, and git and the linter leave it alone.
  const out = await mkdtemp(join(root, 'node_modules', '.tsrtc-build-'));
  try {
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    await run(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', out]);
    // Below node_modules the package scope ends: the build says itself that it is ES modules.
    await writeFile(join(out, 'package.json'), '{ "type": "module" }\n');
    const check = join(out, 'check.js');
    await writeFile(check, script);
    // No --import here: the child must not have a TypeScript loader. Started as
    // `node --input-type=module -e`, whose flags a worker must not inherit as they are, with
    // V8 flags that a worker refuses in its own execArgv (they hold for the process anyway).
    const load = `await import(${JSON.stringify(pathToFileURL(check).href)});`;
    // The CPU profiler's flags do reach the transport threads: each writes a profile of its own.
    const profiles = join(out, 'profiles');
    const flags = [
      '--expose-gc',
      '--max-old-space-size=512',
      '--cpu-prof',
      `--cpu-prof-dir=${profiles}`,
      '--input-type=module',
      '-e',
      load,
    ];
    const { stdout } = await run(process.execPath, flags, { timeout: 60_000 });
    assert.equal(stdout.trim(), 'echo:hi');
    const written = (await readdir(profiles)).filter((f) => f.endsWith('.cpuprofile'));
    assert.ok(written.length >= 2, `profiles of the main and transport threads: ${written}`);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
