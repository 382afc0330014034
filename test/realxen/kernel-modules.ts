// Which kernel modules to put in an initramfs and in what order to insmod them. Debian's
// kernel packages ship no modules.dep (depmod writes it at install time), so the
// dependencies are read where depmod reads them: the "depends=" string in each module's
// .modinfo ELF section (linux include/linux/module.h MODULE_INFO; scripts/mod/modpost.c
// writes depends=).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { HarnessError } from './run';

export interface KernelModules {
  /** The kernel release, the directory name under lib/modules. */
  release: string;
  /** lib/modules/<release> inside the unpacked kernel package. */
  dir: string;
}

export function findModules(unpackedKernel: string): KernelModules {
  const base = existsSync(join(unpackedKernel, 'lib/modules'))
    ? join(unpackedKernel, 'lib/modules')
    : join(unpackedKernel, 'usr/lib/modules');
  const releases = readdirSync(base);
  if (releases.length !== 1 || releases[0] === undefined) {
    throw new HarnessError(`expected one kernel release under ${base}, found ${releases.join(', ') || 'none'}`);
  }
  return { release: releases[0], dir: join(base, releases[0]) };
}

/** The key=value strings of a module's .modinfo section. */
export function modinfo(ko: Buffer): Map<string, string[]> {
  if (ko.readUInt32BE(0) !== 0x7f454c46 || ko[4] !== 2) throw new HarnessError('not a 64-bit ELF module');
  const shoff = Number(ko.readBigUInt64LE(0x28));
  const shentsize = ko.readUInt16LE(0x3a);
  const shnum = ko.readUInt16LE(0x3c);
  const shstrndx = ko.readUInt16LE(0x3e);
  const section = (i: number): { name: number; offset: number; size: number } => {
    const h = shoff + i * shentsize;
    return { name: ko.readUInt32LE(h), offset: Number(ko.readBigUInt64LE(h + 0x18)), size: Number(ko.readBigUInt64LE(h + 0x20)) };
  };
  const strtab = section(shstrndx);
  const info = new Map<string, string[]>();
  for (let i = 0; i < shnum; i++) {
    const s = section(i);
    const nameEnd = ko.indexOf(0, strtab.offset + s.name);
    if (ko.toString('latin1', strtab.offset + s.name, nameEnd) !== '.modinfo') continue;
    for (const kv of ko.toString('latin1', s.offset, s.offset + s.size).split('\0')) {
      const eq = kv.indexOf('=');
      if (eq <= 0) continue;
      const key = kv.slice(0, eq);
      info.set(key, [...(info.get(key) ?? []), kv.slice(eq + 1)]);
    }
  }
  return info;
}

/**
 * The module files (paths relative to lib/modules/<release>) to load for the named
 * modules, each after the modules it depends on. A module built into the kernel
 * (modules.builtin) needs nothing; an unknown name is an error.
 */
export function moduleLoadOrder(mods: KernelModules, names: readonly string[]): string[] {
  const byName = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e.endsWith('.ko')) byName.set(moduleName(e), relative(mods.dir, p));
    }
  };
  walk(join(mods.dir, 'kernel'));
  const builtin = new Set(
    readFileSync(join(mods.dir, 'modules.builtin'), 'utf8').split('\n').filter((l) => l !== '').map(moduleName),
  );
  const order: string[] = [];
  const visiting = new Set<string>();
  const visit = (name: string, wantedBy: string): void => {
    const key = moduleName(name);
    if (builtin.has(key)) return;
    const path = byName.get(key);
    if (path === undefined) throw new HarnessError(`kernel ${mods.release} has no module ${name} (wanted by ${wantedBy})`);
    if (order.includes(path) || visiting.has(key)) return;
    visiting.add(key);
    const depends = (modinfo(readFileSync(join(mods.dir, path))).get('depends') ?? [])
      .flatMap((d) => d.split(','))
      .filter((d) => d !== '');
    for (const d of depends) visit(d, key);
    order.push(path);
  };
  for (const name of names) visit(name, 'the image');
  return order;
}

/** "kernel/drivers/xen/xen-evtchn.ko" → "xen_evtchn" (modprobe treats - and _ alike). */
function moduleName(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return base.replace(/\.ko(\.xz|\.zst|\.gz)?$/, '').replace(/-/g, '_');
}
