/**
 * `npm run bench`: runs every bench/*.bench.ts module in turn, each printing its own figures.
 * `--only name[,name]` picks modules by file name, or workloads by the names a module exports
 * as `workloads` (which selects that module and tells it which of its workloads to run).
 * Every other `--flag value` (or `--flag=value`) reaches the modules in `args`; `--reps N`
 * (default 3) is common to all.
 *
 * Like the test runner, it re-executes itself inside the private network namespace
 * (../shared/netns-run) when that is available, so that the stacks find a non-loopback
 * interface and no packet leaves the machine.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { reexecInNamespace } from '../scripts/netns.mjs';

export interface BenchOptions {
  reps: number;
  args: Record<string, string | boolean | undefined>;
}

const here = dirname(fileURLToPath(import.meta.url));
reexecInNamespace('running on this host network');

/** `--name value`, `--name=value`, or a bare `--name` (true). */
function parseFlags(argv: string[]): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq > 0) out[a.slice(2, eq)] = a.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) out[a.slice(2)] = argv[++i]!;
    else out[a.slice(2)] = true;
  }
  return out;
}

const args = parseFlags(process.argv.slice(2));
const only = typeof args.only === 'string' ? args.only.split(',') : undefined;

interface BenchModule {
  run(o: BenchOptions): Promise<void>;
  workloads?: readonly string[];
}

const started = performance.now();
const names = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.slice(0, -'.bench.ts'.length))
  .sort();
const selected: [string, BenchModule][] = [];
const known = new Set<string>(names);
for (const name of names) {
  const mod = (await import(pathToFileURL(join(here, `${name}.bench.ts`)).href)) as BenchModule;
  for (const w of mod.workloads ?? []) known.add(w);
  if (!only || only.includes(name) || mod.workloads?.some((w) => only.includes(w))) {
    selected.push([name, mod]);
  }
}
const unknown = only?.filter((n) => !known.has(n)) ?? [];
if (unknown.length > 0) {
  console.error(`unknown --only ${unknown.join(',')}; known: ${[...known].join(', ')}`);
  process.exit(2);
}

console.log(
  `# ${new Date().toISOString()}  node ${process.version}  ${process.platform}-${process.arch}`,
);
const opts: BenchOptions = { reps: Number(args.reps) || 3, args };
for (const [name, mod] of selected) {
  console.log(`\n## ${name}`);
  // A module that names its workloads runs them all when selected by its own name.
  const own = only?.includes(name) ? { ...args, only: undefined } : args;
  await mod.run({ ...opts, args: own });
}
console.log(`\n# bench took ${((performance.now() - started) / 1000).toFixed(0)} s`);
// Native bindings may keep threads alive after their last connection closed.
setTimeout(() => process.exit(0), 2000).unref();
