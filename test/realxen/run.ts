// Small process helpers for the real-Xen harness: run a build-machine command and
// return its output, or fail with the command line, exit status and stderr.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';

export class HarnessError extends Error {
  override name = 'HarnessError';
}

export interface RunResult {
  stdout: string;
  stderr: string;
  status: number;
}

/** Runs argv[0] with the rest as arguments; throws HarnessError unless it exits 0. */
export function run(argv: readonly string[], opts: SpawnSyncOptions = {}): RunResult {
  const r = tryRun(argv, opts);
  if (r.status !== 0) {
    throw new HarnessError(
      `command failed (exit ${r.status}): ${argv.join(' ')}\n${r.stderr.trim().slice(-2000)}`,
    );
  }
  return r;
}

/** Runs a command and reports its status instead of throwing on a non-zero exit. */
export function tryRun(argv: readonly string[], opts: SpawnSyncOptions = {}): RunResult {
  const [cmd, ...args] = argv;
  if (cmd === undefined) throw new HarnessError('run: empty command');
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...opts });
  if (r.error) throw new HarnessError(`cannot run ${cmd}: ${r.error.message}`);
  return {
    stdout: String(r.stdout ?? ''),
    stderr: String(r.stderr ?? ''),
    status: r.status ?? -1,
  };
}

/** True when an executable of that name is on PATH. */
export function haveCommand(name: string): boolean {
  return tryRun(['sh', '-c', `command -v ${name}`]).status === 0;
}

/** Elapsed seconds since t0 (a process.hrtime.bigint() value), one decimal. */
export function secondsSince(t0: bigint): string {
  return (Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1);
}
