// `npm run test:realxen`: builds (or takes from the cache) a Xen 4.17 host made of
// Debian's packages, boots it under QEMU, runs the checks of test/realxen/*.realxen.ts
// against it over SSH and shuts it down. Options:
//   --capture   also (re)write the fixtures in test/fixtures/realxen from the real host
//   --keep      leave the host running after the checks (prints how to log in)
//   --no-checks boot (and capture) only
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { captureFixtures } from './capture';
import { GUEST_KERNEL, GUEST_RAMDISK } from './dom0-image';
import { toEnv, type RealXenEnv } from './env';
import { prepareImages } from './images';
import { bootXen, DEFAULT_BOOT, type RunningXen } from './qemu';
import { ensureQemu } from './qemu-install';
import { HarnessError, secondsSince } from './run';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const CACHE = join(ROOT, '.cache/realxen');

function log(msg: string): void {
  console.log(`realxen: ${msg}`);
}

/** The GUI check (gui.realxen.ts) serves out/renderer: built as `npm run test:e2e` builds it. */
function buildGui(): void {
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new HarnessError(`electron-vite build failed (status ${r.status ?? r.signal ?? '?'}): the GUI check needs out/renderer`);
}

function runChecks(env: RealXenEnv): Promise<number> {
  return new Promise((done) => {
    const vitest = spawn(join(ROOT, 'node_modules/.bin/vitest'), ['run', '--config', 'test/realxen/vitest.config.ts'], {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, ...toEnv(env) },
    });
    vitest.on('exit', (code) => done(code ?? 1));
  });
}

async function main(argv: string[]): Promise<number> {
  const flags = new Set(argv);
  for (const f of flags) {
    if (!['--capture', '--keep', '--no-checks'].includes(f)) throw new HarnessError(`unknown option ${f} (known: --capture, --keep, --no-checks)`);
  }
  const t0 = process.hrtime.bigint();
  ensureQemu(log);
  const images = prepareImages(CACHE, log);
  const imagesS = secondsSince(t0);
  let guiBuildS = '0';
  if (!flags.has('--no-checks')) {
    const tGui = process.hrtime.bigint();
    buildGui();
    guiBuildS = secondsSince(tGui);
    log(`GUI built for the GUI check in ${guiBuildS} s`);
  }
  const runDir = join(CACHE, 'run');
  mkdirSync(runDir, { recursive: true });
  const tBoot = process.hrtime.bigint();
  let xen: RunningXen | undefined;
  let status = 0;
  try {
    xen = await bootXen(images, { ...DEFAULT_BOOT, serialLog: join(runDir, 'serial.log') });
    log(`Xen 4.17 up: dom0 ready ${xen.dom0ReadyS.toFixed(1)} s, sshd ${xen.sshReadyS.toFixed(1)} s after QEMU start; ssh on 127.0.0.1:${xen.sshPort}`);
    const env: RealXenEnv = {
      host: '127.0.0.1',
      port: xen.sshPort,
      user: 'root',
      privateKeyPath: images.keys.clientKey,
      hostFingerprint: images.keys.hostFingerprint,
      scratch: runDir,
      guestKernel: GUEST_KERNEL,
      guestRamdisk: GUEST_RAMDISK,
    };
    const bootS = secondsSince(tBoot);
    if (flags.has('--capture')) {
      const tCap = process.hrtime.bigint();
      const n = await captureFixtures(env, join(ROOT, 'test/fixtures/realxen'));
      log(`captured ${n} fixtures in ${secondsSince(tCap)} s`);
    }
    const tChecks = process.hrtime.bigint();
    if (!flags.has('--no-checks')) status = await runChecks(env);
    const checksS = secondsSince(tChecks);
    console.log(`run: ${images.built ? 'cold' : 'warm'}`);
    console.log(`images_s: ${imagesS}`);
    console.log(`gui_build_s: ${guiBuildS}`);
    console.log(`boot_s: ${bootS}`);
    console.log(`checks_s: ${checksS}`);
    console.log(`total_s: ${secondsSince(t0)}`);
    if (flags.has('--keep')) {
      log(`host left running (qemu pid ${xen.pid}); log in with:`);
      log(`  ssh -i ${images.keys.clientKey} -p ${xen.sshPort} -o UserKnownHostsFile=${join(runDir, 'known_hosts')} root@127.0.0.1`);
      log('Ctrl-C stops it');
      await new Promise<never>(() => undefined);
    }
  } finally {
    await xen?.stop();
  }
  return status;
}

// Ctrl-C or SIGTERM: exit, and QEMU is killed on the way out (qemu.ts).
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(130));

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`realxen: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
