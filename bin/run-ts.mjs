// Loads a TypeScript CLI module of engine/cli and runs its main(). The CLIs are plain
// Node programs: `npm run build` bundles xl into out/cli/ (started in ~0.2 s); without a
// bundle, or when a source is newer than it, tsx compiles the TypeScript on the fly
// (~1 s), so `npx xl ...` works right after `npm ci` and never runs stale code.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { basename, dirname, join } from 'node:path';

const SOURCES = ['engine', 'main/api', 'main/serve'];

function newestSource(root) {
  let t = 0;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) t = Math.max(t, statSync(p).mtimeMs);
    }
  };
  for (const s of SOURCES) if (existsSync(join(root, s))) walk(join(root, s));
  return t;
}

export async function runTs(relPath) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const bundle = join(root, 'out/cli', `${basename(relPath, '.ts')}.mjs`);
  let target = bundle;
  if (process.env.XENDECK_NO_BUNDLE === '1' || !existsSync(bundle) || statSync(bundle).mtimeMs < newestSource(root)) {
    const { register } = await import('tsx/esm/api');
    register();
    target = join(root, relPath);
  }
  const mod = await import(pathToFileURL(target).href);
  const code = await mod.main(process.argv.slice(2), {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
  });
  process.exitCode = typeof code === 'number' ? code : 0;
}
