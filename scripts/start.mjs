#!/usr/bin/env node
// `npm start`: build with electron-vite, then run Electron on this directory.
//
// Why not just `electron .`: these machines install with
// ELECTRON_SKIP_BINARY_DOWNLOAD=1, so node_modules/electron has no binary, and
// require('electron') would then try to *download* it (electron/index.js). This
// script looks for the binary itself — path.txt names it, dist/ holds it, exactly
// as electron/index.js resolves it, honouring ELECTRON_OVERRIDE_DIST_PATH — and
// when it is missing says what to do instead, with exit code 1.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export const MISSING_ELECTRON_MESSAGE =
  'XenDeck: the Electron binary is not installed (ELECTRON_SKIP_BINARY_DOWNLOAD?). ' +
  'Run `npm run serve` to use the console in your browser, or reinstall electron with network access.';

/** The Electron executable if it is installed, else null. Never downloads anything. */
export function findElectronBinary(env = process.env) {
  let pkgDir;
  try {
    pkgDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return null;
  }
  const pathFile = join(pkgDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  let binary;
  if (env.ELECTRON_OVERRIDE_DIST_PATH) binary = join(env.ELECTRON_OVERRIDE_DIST_PATH, relative || 'electron');
  else if (relative) binary = join(pkgDir, 'dist', relative);
  else return null;
  return existsSync(binary) ? binary : null;
}

function electronViteCli() {
  const pkgPath = require.resolve('electron-vite/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin['electron-vite'];
  return join(dirname(pkgPath), bin);
}

function main() {
  const electron = findElectronBinary();
  if (electron === null) {
    console.error(MISSING_ELECTRON_MESSAGE);
    process.exit(1);
  }
  const build = spawnSync(process.execPath, [electronViteCli(), 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) {
    console.error(`XenDeck: electron-vite build failed (exit ${build.status ?? build.signal}).`);
    process.exit(build.status ?? 1);
  }
  const child = spawn(electron, ['.', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
