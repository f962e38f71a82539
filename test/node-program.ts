/**
 * Runs an ES module program (TypeScript sources importable through tsx) in a Node process of
 * its own, for what a test must not do in its own process: V8 flags, process-wide settings.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The program's standard output; `nodeFlags` go before it on the command line. */
export async function runNodeProgram(
  nodeFlags: string[],
  program: string,
  timeoutMs = 60_000,
): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    [...nodeFlags, '--import', 'tsx', '--input-type=module', '-e', program],
    { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout;
}
