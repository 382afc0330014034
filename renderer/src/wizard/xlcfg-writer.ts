/**
 * A DomainDraft as xl.cfg text. Strings are written in double quotes with `\\` and `"`
 * escaped, the escapes libxlu_cfg.c's dequote understands; lists as ['...', ...]. Keys
 * left at xl's defaults are not written, so the file says only what was chosen.
 */
import type { DiskDraft, DomainDraft, VifDraft } from './domain-draft';

export function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function list(items: string[]): string {
  return `[ ${items.map(quote).join(', ')} ]`;
}

/** xl-disk-configuration(5) positional order is target last when written with keys. */
export function diskSpec(d: DiskDraft): string {
  const parts = [`format=${d.format}`, `vdev=${d.vdev}`, `access=${d.access}`];
  if (d.devtype === 'cdrom') parts.push('devtype=cdrom');
  parts.push(`target=${d.target}`);
  return parts.join(', ');
}

export function vifSpec(v: VifDraft): string {
  const parts: string[] = [];
  if (v.bridge) parts.push(`bridge=${v.bridge}`);
  if (v.mac) parts.push(`mac=${v.mac}`);
  if (v.model) parts.push(`model=${v.model}`);
  return parts.join(',');
}

export function writeXlCfg(d: DomainDraft, header = 'created by the XenDeck domain wizard'): string {
  const out: string[] = [`# ${header}; see xl.cfg(5)`];
  const set = (k: string, v: string | number): void => void out.push(`${k} = ${typeof v === 'number' ? String(v) : quote(v)}`);
  set('name', d.name);
  set('type', d.type);
  set('memory', d.memory);
  if (d.maxmem !== null && d.maxmem !== d.memory) set('maxmem', d.maxmem);
  set('vcpus', d.vcpus);
  if (d.maxvcpus !== null && d.maxvcpus !== d.vcpus) set('maxvcpus', d.maxvcpus);
  if (d.pool) set('pool', d.pool);
  if (d.cpus) set('cpus', d.cpus);
  if (d.cpusSoft) set('cpus_soft', d.cpusSoft);
  if (d.type === 'hvm') {
    set('boot', d.boot || 'c');
  } else {
    if (d.kernel) set('kernel', d.kernel);
    if (d.ramdisk) set('ramdisk', d.ramdisk);
    if (d.cmdline) set('cmdline', d.cmdline);
  }
  if (d.disks.length > 0) out.push(`disk = ${list(d.disks.map(diskSpec))}`);
  if (d.vifs.length > 0) out.push(`vif = ${list(d.vifs.map(vifSpec))}`);
  if (d.onPoweroff !== 'destroy') set('on_poweroff', d.onPoweroff);
  if (d.onReboot !== 'restart') set('on_reboot', d.onReboot);
  if (d.onCrash !== 'destroy') set('on_crash', d.onCrash);
  return `${out.join('\n')}\n`;
}
