// The boot images of the real-Xen host, built from Debian packages and cached under
// .cache/realxen/images/<key>, where the key hashes the exact package versions, the
// build machine's libc (its libraries go into dom0) and the builder's own sources.
// A cache hit costs a few apt-cache calls; a miss downloads (kept in .cache/realxen/debs)
// and builds in about a minute.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { download, extract } from './apt';
import { buildDom0Initramfs } from './dom0-image';
import { buildDomUInitramfs } from './domu-image';
import { findModules } from './kernel-modules';
import { allPackages, resolvePackageSet, type PackageSet } from './packages';
import { HarnessError, run, secondsSince } from './run';
import { ensureSshKeys, type SshKeys } from './ssh-keys';

export interface RealXenImages {
  dir: string;
  key: string;
  /** Xen as an uncompressed multiboot ELF (QEMU's -kernel does not take the .gz). */
  xen: string;
  dom0Kernel: string;
  dom0Initramfs: string;
  keys: SshKeys;
  packages: PackageSet;
  /** True when this run built the images (a cold run). */
  built: boolean;
}

const HERE = dirname(fileURLToPath(import.meta.url));
const BUILDER_SOURCES = ['images.ts', 'dom0-image.ts', 'domu-image.ts', 'cpio.ts', 'kernel-modules.ts', 'shared-libraries.ts', 'apt.ts', 'packages.ts'];

export function cacheKey(set: PackageSet): string {
  const h = createHash('sha256');
  for (const p of allPackages(set)) h.update(`${p.name}=${p.version}\n`);
  h.update(run(['ldd', '--version']).stdout.split('\n')[0] ?? '');
  for (const f of BUILDER_SOURCES) h.update(readFileSync(join(HERE, f)));
  return h.digest('hex').slice(0, 16);
}

export function prepareImages(cacheRoot: string, log: (msg: string) => void): RealXenImages {
  const set = resolvePackageSet();
  const key = cacheKey(set);
  const dir = join(cacheRoot, 'images', key);
  const result = (built: boolean): RealXenImages => ({
    dir,
    key,
    xen: join(dir, 'xen-4.17'),
    dom0Kernel: join(dir, 'vmlinuz-dom0'),
    dom0Initramfs: join(dir, 'initrd-dom0.cpio.gz'),
    keys: ensureSshKeys(join(dir, 'ssh')),
    packages: set,
    built,
  });
  if (existsSync(join(dir, 'manifest.json'))) {
    log(`images: cache hit ${key}`);
    return result(false);
  }

  const t0 = process.hrtime.bigint();
  const debDir = join(cacheRoot, 'debs');
  const debs = new Map(allPackages(set).map((p) => [p.name, download(p, debDir)]));
  log(`images: ${debs.size} packages present after ${secondsSince(t0)} s`);
  const deb = (name: string): string => {
    const path = debs.get(name);
    if (path === undefined) throw new HarnessError(`package ${name} was not downloaded`);
    return path;
  };

  const staging = join(cacheRoot, `build-${key}-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  try {
    const sysroot = join(staging, 'sysroot');
    for (const p of [set.busybox, ...set.userland]) extract(deb(p.name), sysroot);
    const hv = join(staging, 'hypervisor');
    extract(deb(set.hypervisor.name), hv);
    const k0 = join(staging, 'dom0-kernel');
    extract(deb(set.dom0Kernel.name), k0);
    const kU = join(staging, 'domU-kernel');
    extract(deb(set.domUKernel.name), kU);
    log(`images: unpacked after ${secondsSince(t0)} s`);

    const out = join(staging, 'out');
    mkdirSync(out, { recursive: true });
    const keys = ensureSshKeys(join(out, 'ssh'));
    writeFileSync(join(out, 'xen-4.17'), gunzipSync(readFileSync(join(hv, 'boot/xen-4.17-amd64.gz'))));
    const dom0Modules = findModules(k0);
    copyFileSync(join(k0, 'boot', `vmlinuz-${dom0Modules.release}`), join(out, 'vmlinuz-dom0'));
    const domURelease = findModules(kU).release;
    const guestInitramfs = buildDomUInitramfs(join(sysroot, 'bin/busybox'));
    const dom0Initramfs = buildDom0Initramfs({
      sysroot,
      modules: dom0Modules,
      keys,
      guestKernel: join(kU, 'boot', `vmlinuz-${domURelease}`),
      guestInitramfs,
    });
    writeFileSync(join(out, 'initrd-dom0.cpio.gz'), dom0Initramfs);
    writeFileSync(
      join(out, 'manifest.json'),
      `${JSON.stringify({ key, packages: allPackages(set), dom0Kernel: dom0Modules.release, domUKernel: domURelease, dom0InitramfsBytes: dom0Initramfs.length }, null, 2)}\n`,
    );
    mkdirSync(dirname(dir), { recursive: true });
    rmSync(dir, { recursive: true, force: true });
    renameSync(out, dir);
    // Images of older package versions or builders are of no further use.
    for (const old of readdirSync(dirname(dir))) if (old !== key) rmSync(join(dirname(dir), old), { recursive: true, force: true });
    log(`images: built ${key} in ${secondsSince(t0)} s (dom0 initramfs ${(dom0Initramfs.length / 1048576).toFixed(1)} MiB)`);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return result(true);
}
