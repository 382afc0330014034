#!/usr/bin/env node
// `npm run test:realxen`: the real Xen 4.17 under QEMU harness. The work is in
// test/realxen/main.ts, loaded through tsx; arguments are passed on (--capture, --keep,
// --no-checks). Ctrl-C and SIGTERM are passed on too, so QEMU is always stopped.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../test/realxen/main.ts', import.meta.url));
const child = spawn(process.execPath, ['--import', 'tsx', main, ...process.argv.slice(2)], { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
