// Loads a TypeScript CLI module of engine/cli through tsx and runs its main().
// The CLIs are plain Node programs; tsx compiles them on the fly so `npx xl ...` works
// right after `npm ci`, without a build step.
import { register } from 'tsx/esm/api';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

export async function runTs(relPath) {
  register();
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const mod = await import(pathToFileURL(join(root, relPath)).href);
  const code = await mod.main(process.argv.slice(2), {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
  });
  process.exitCode = typeof code === 'number' ? code : 0;
}
