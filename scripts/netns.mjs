// Re-executes the running script inside the project's private network namespace
// (../shared/netns-run, which needs root or user namespaces), where the veth pair gives the
// stacks a non-loopback interface and no packet can leave the machine.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const netnsRun = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'shared',
  'netns-run',
);

/**
 * Runs this process again inside a fresh namespace and exits with its status. Returns (after
 * printing `fallback`) when the namespace is unavailable, and at once when already inside one
 * or when TSRTC_NO_NETNS=1 asks to stay on the host network.
 */
export function reexecInNamespace(fallback) {
  if (process.env.NETNS_RUN === '1' || process.env.TSRTC_NO_NETNS === '1') return;
  if (!existsSync(netnsRun)) return;
  const probe = spawnSync(netnsRun, ['true'], { stdio: 'ignore' });
  if (probe.status === 0) {
    const r = spawnSync(
      netnsRun,
      [process.execPath, ...process.execArgv, ...process.argv.slice(1)],
      {
        stdio: 'inherit',
      },
    );
    // A crash inside (a native addon's segfault, say) would otherwise end the run unexplained.
    if (r.signal) console.error(`# the run inside the namespace was killed by ${r.signal}`);
    else if (r.status !== null && r.status > 128) {
      console.error(`# the run inside the namespace ended by signal ${r.status - 128}`);
    }
    process.exit(r.status ?? 1);
  }
  console.warn(`# private network namespace unavailable: ${fallback}`);
}
