#!/usr/bin/env node
// Runs every test file under test/ with node:test (TypeScript through tsx).
// Tests talk only to addresses inside this machine: when the project's private network
// namespace helper is available (../shared/netns-run, which needs root or user namespaces),
// the whole run happens inside a fresh namespace, where the tests that need a non-loopback
// interface or multicast (ICE over real sockets, mDNS, browser interop) are enabled.
// Usage: node scripts/test.mjs [file-or-dir-filter ...]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDependencies } from './ensure-deps.mjs';
import { reexecInNamespace } from './netns.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
ensureDependencies();
reexecInNamespace('namespace-only tests will be skipped');

function collect(dir, out) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) collect(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2);
let files = collect(join(root, 'test'), []);
if (filters.length > 0) {
  files = files.filter((f) => filters.some((flt) => relative(root, f).includes(flt)));
}
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', ...files.map((f) => relative(root, f))],
  { stdio: 'inherit', cwd: root },
);
process.exit(r.status ?? 1);
