/**
 * Summarises V8 CPU profiles (`node --cpu-prof`, or `npm run bench -- --profile DIR`): self
 * time by area (tsrtc's folders, the UDP send path, crypto, GC, idle), by function and by
 * source file, as percentages of all samples.
 *
 *   node --import tsx bench/profile.ts [--top N] [--filter text] FILE.cpuprofile...
 *
 * Several files are merged (one bench run with --cpu-prof may leave one per process).
 * `--filter` keeps only functions whose file path contains the text in the per-file table.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function where(url: string): string {
  if (!url) return '(native)';
  let path = url;
  try {
    if (url.startsWith('file:')) path = relative(process.cwd(), fileURLToPath(url));
  } catch {
    // keep the URL as it is
  }
  return path.replace(/^node_modules\//, '~/');
}

const CRYPTO_NATIVES = new Set([
  'initiv',
  'init',
  'CipherBase',
  'update',
  'final',
  'setAAD',
  'getAuthTag',
  'setAuthTag',
  'setAutoPadding',
]);
const UDP_NATIVES = new Set(['send', 'send6', 'bind', 'bind6', 'recvmsg']);

/** A coarse bucket for a frame: tsrtc's folders, the UDP send path, crypto, the runtime. */
function area(name: string, url: string, loc: string): string {
  if (name.startsWith('(')) return name;
  // The benchmark runs the built package: dist/x/ is compiled from src/x/.
  const src = /^(?:src|dist)\/([^/]+)\//.exec(loc);
  if (src) return `src/${src[1]}/`;
  if (loc.startsWith('bench/')) return 'bench/ (workload code)';
  if (/^node:(internal\/)?(dgram|dns|net)/.test(url) || name.startsWith('RegExp:')) {
    return 'UDP send path (node:dgram, address checks)';
  }
  if (!url && UDP_NATIVES.has(name)) return 'UDP send path (node:dgram, address checks)';
  if (url.includes('crypto') || (!url && CRYPTO_NATIVES.has(name))) return 'crypto (node:crypto)';
  return 'other (Node internals, events, timers)';
}

export function summarise(files: string[], top = 25, filter?: string): string {
  const selfByFn = new Map<string, number>();
  const selfByFile = new Map<string, number>();
  const selfByArea = new Map<string, number>();
  let total = 0;
  for (const file of files) {
    const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    for (let i = 0; i < p.samples.length; i++) {
      const n = byId.get(p.samples[i]!);
      const dt = p.timeDeltas[i] ?? 0;
      if (!n || dt < 0) continue;
      total += dt;
      const f = n.callFrame;
      const name = (f.functionName || '(anonymous)').slice(0, 80);
      const loc = where(f.url);
      const key = f.url ? `${name}  ${loc}` : name;
      selfByFn.set(key, (selfByFn.get(key) ?? 0) + dt);
      const fileKey = f.url ? loc : name;
      selfByFile.set(fileKey, (selfByFile.get(fileKey) ?? 0) + dt);
      const a = area(name, f.url, loc);
      selfByArea.set(a, (selfByArea.get(a) ?? 0) + dt);
    }
  }
  const pct = (v: number) => `${((v / total) * 100).toFixed(1).padStart(5)} %`;
  const lines: string[] = [
    `total sampled: ${(total / 1e6).toFixed(2)} s`,
    '',
    'self time by area:',
  ];
  for (const [k, v] of [...selfByArea].sort((a, b) => b[1] - a[1])) {
    lines.push(`  ${pct(v)}  ${k}`);
  }
  lines.push('', 'self time by function:');
  for (const [k, v] of [...selfByFn].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    lines.push(`  ${pct(v)}  ${k}`);
  }
  lines.push('', 'self time by file:');
  const files2 = [...selfByFile]
    .filter(([k]) => !filter || k.includes(filter))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top);
  for (const [k, v] of files2) lines.push(`  ${pct(v)}  ${k}`);
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const argv = process.argv.slice(2);
  let top = 25;
  let filter: string | undefined;
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--top') top = Number(argv[++i]) || top;
    else if (argv[i] === '--filter') filter = argv[++i];
    else files.push(argv[i]!);
  }
  console.log(summarise(files, top, filter));
}
