/**
 * `npm run bench`: runs every bench/*.bench.ts module in turn (or those named with
 * `--only name[,name]`), each printing its own figures. Options are passed through to the
 * modules as parsed flags (`--reps N`, and module-specific ones).
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

export interface BenchOptions {
  reps: number;
  args: Record<string, string | boolean | undefined>;
}

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    reps: { type: 'string', default: '3' },
  },
  strict: false,
});

const here = dirname(fileURLToPath(import.meta.url));
const only = typeof values.only === 'string' ? values.only.split(',') : undefined;
const modules = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.slice(0, -'.bench.ts'.length))
  .filter((name) => !only || only.includes(name))
  .sort();

const opts: BenchOptions = { reps: Number(values.reps) || 3, args: values };
for (const name of modules) {
  console.log(`\n## ${name}`);
  const mod = (await import(pathToFileURL(join(here, `${name}.bench.ts`)).href)) as {
    run(o: BenchOptions): Promise<void>;
  };
  await mod.run(opts);
}
