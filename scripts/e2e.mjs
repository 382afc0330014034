#!/usr/bin/env node
// `npm run test:e2e`: build the app, check Debian's Chromium is there (never skip
// silently), then run the e2e suite (vitest.e2e.config.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  console.error(`e2e: Chromium not found at ${chromium}.
Install Debian's Chromium:  apt-get update && apt-get install -y chromium
(or set CHROMIUM_PATH). Do not use \`playwright install\`; the e2e tests drive the system Chromium.`);
  process.exit(1);
}
const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit', env: process.env }).status ?? 1;
if (run(process.execPath, ['node_modules/electron-vite/bin/electron-vite.js', 'build']) !== 0) process.exit(1);
mkdirSync('test/e2e/artifacts', { recursive: true });
process.exit(run(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--config', 'vitest.e2e.config.ts', ...process.argv.slice(2)]));
