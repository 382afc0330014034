import type { Xen } from '../../../../engine/hypervisor/xen';

/** Debug-key 'r' as it reaches `xl dmesg`: the console ring's new lines, without "(XEN) ". */
export function pressR(x: Xen): string[] {
  const mark = x.conring.end;
  x.hypercall({ op: 'sysctl.debug_keys', keys: 'r' });
  return x.conring
    .read({ from: mark })
    .text.split('\n')
    .filter((l) => l !== '')
    .map((l) => l.replace(/^\(XEN\) /, ''));
}

/** Pool `id`'s part of the dump: from "Cpupool <id>:" to the next pool (or the end). */
export function poolPart(out: string[], id: number): string[] {
  const at = out.indexOf(`Cpupool ${id}:`);
  if (at < 0) throw new Error(`no Cpupool ${id} in the dump`);
  const next = out.findIndex((l, i) => i > at && /^Cpupool \d+:$/.test(l));
  return out.slice(at, next < 0 ? out.length : next);
}

/** The lines after `head` up to (not including) the first line matching `end`. */
export function section(lines: string[], head: string, end: RegExp): string[] {
  const at = lines.indexOf(head);
  if (at < 0) throw new Error(`no "${head}" in the dump`);
  const stop = lines.findIndex((l, i) => i > at && end.test(l));
  return lines.slice(at + 1, stop < 0 ? lines.length : stop);
}

/** Who runs on `cpu` as the core's "%pv" names it. */
export function pvOn(x: Xen, cpu: number): string {
  const u = x.pools.core.curr(cpu);
  return u ? `d${u.domid}v${u.vcpuId}` : `d[IDLE]v${cpu}`;
}
