#!/usr/bin/env node
// `npm run serve`: the XenDeck console in a browser. Builds the renderer when its sources
// are newer than out/renderer (electron-vite, about 2 s), then runs the main-process
// services in plain Node (main/serve/cli.ts through tsx) and prints the URL with its token.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const rendererDir = join(root, 'out/renderer');
const built = join(rendererDir, 'index.html');

function newest(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let t = 0;
  for (const e of readdirSync(path)) t = Math.max(t, newest(join(path, e)));
  return t;
}

const sources = ['renderer', 'main/api', 'engine/toolstack/types.ts', 'assets/icon.svg', 'electron.vite.config.ts'].map((p) => join(root, p));
const stale = !existsSync(built) || Math.max(...sources.filter(existsSync).map(newest)) > statSync(built).mtimeMs;
if (stale && process.env.XENDECK_NO_BUILD !== '1') {
  process.stderr.write('xendeck serve: building the renderer (electron-vite build)...\n');
  const r = spawnSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) {
    process.stderr.write('xendeck serve: the renderer build failed (see above)\n');
    process.exit(1);
  }
}

register();
const { main } = await import(pathToFileURL(join(root, 'main/serve/cli.ts')).href);
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }, rendererDir, version);
