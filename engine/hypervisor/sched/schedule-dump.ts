/**
 * schedule_dump() of xen/common/sched/core.c (Xen 4.17): one pool's part of debug-key
 * 'r' — the scheduler's name and dump_settings, then "CPUs info:" and, for each of the
 * pool's pCPUs, the core's line (the vCPU it runs, its sched resource's current and
 * previous unit) followed by the scheduler's dump_cpu_state. For the free pCPUs
 * (cpupool NULL) Xen uses the boot scheduler's hooks and prints no settings.
 *
 * prev= is always NULL here: Xen sets sr->prev in sched_switch_units() and clears it in
 * sched_context_switched() right after; the engine switches in one step, so a dump never
 * sees a switch half done. With sched-gran=cpu a resource has one pCPU, so Xen's extra
 * "CPU[%02d] current=%pv" lines for the resource's other pCPUs never print.
 */
import { cpuTag, pv } from './dump-format';
import type { SchedDump } from './scheduler';

/** What the frame reads of the dispatch loop: the unit each pCPU runs (null: idle). */
export interface ScheduleDumpCore {
  curr(cpu: number): { readonly domid: number; readonly vcpuId: number } | null;
}

/**
 * The lines of schedule_dump(c): `head` is "Scheduler: %s (%s)" for a pool, null for the
 * free pCPUs (then no dump_settings either).
 */
export function scheduleDump(core: ScheduleDumpCore, dump: SchedDump, cpus: readonly number[], head: string | null): string[] {
  const out: string[] = [];
  if (head !== null) out.push(head, ...dump.settings());
  out.push('CPUs info:');
  for (const c of [...cpus].sort((a, b) => a - b)) {
    const cur = pv(core.curr(c), c);
    out.push(`${cpuTag(c)} current=${cur}, curr=${cur}, prev=${pv(null)}`, ...dump.cpuState(c));
  }
  return out;
}
