/**
 * The null scheduler's part of debug-key 'r': null_dump() (dump_settings),
 * null_dump_pcpu() (dump_cpu_state) and dump_unit() of xen/common/sched/null.c, Xen 4.17:
 * the free pCPUs, each domain's units with the pCPU each is assigned to (-1 while it
 * waits), the wait queue, and per pCPU its assigned and running unit. It reads the
 * scheduler's assignments and changes nothing.
 *
 * For a free pCPU (schedule_dump(NULL) with null as the boot scheduler) Xen 4.17's
 * null_dump_pcpu() reads the pCPU's scheduler data, which is NULL there; nothing is
 * printed for it here.
 */
import type { Unit } from './core';
import { cpuMasks, cpuTag, d3, pbl } from './dump-format';
import type { SchedDump, SchedDumpContext } from './scheduler';

/** What null.ts lets the dump read. */
export interface NullDumpState {
  /** The pool's pCPUs. */
  readonly cpus: ReadonlySet<number>;
  /** npc->unit: the unit assigned to `cpu`, null for none. */
  assignedTo(cpu: number): Unit | null;
  /** The unit waits for a pCPU (it is on prv->waitq). */
  waiting(u: Unit): boolean;
  readonly waitq: readonly Unit[];
}

/** Entries a line of "Waitqueue: " holds before null_dump() breaks it (`loop % 24`). */
const WAITQ_PER_LINE = 24;

export function nullDump(ctx: SchedDumpContext, s: NullDumpState): SchedDump {
  /** dump_unit(): sched_unit_master() unless the unit waits, then -1. */
  const unit = (u: Unit): string => `[${u.domid}.${u.vcpuId}] pcpu=${s.waiting(u) ? -1 : u.processor}`;

  const settings = (): string[] => {
    const out = [`\tcpus_free = ${pbl([...s.cpus].filter((c) => s.assignedTo(c) === null))}`, 'Domain info:'];
    let loop = 0;
    for (const d of ctx.domains) {
      out.push(`\tDomain: ${d.domid}`);
      for (const u of d.units) out.push(`\t${d3(++loop)}: ${unit(u)}`);
    }
    // "%pdv%d" entries joined by ", ", a new line (after the comma) before every 24th
    let line = 'Waitqueue: ';
    s.waitq.forEach((u, i) => {
      if (i > 0) line += ', ';
      if ((i + 1) % WAITQ_PER_LINE === 0) {
        out.push(line);
        line = '\t';
      }
      line += `d${u.domid}v${u.vcpuId}`;
    });
    out.push(line);
    return out;
  };

  const cpuState = (cpu: number): string[] => {
    if (!s.cpus.has(cpu)) return [];
    const a = s.assignedTo(cpu);
    const out = [`${cpuTag(cpu)} ${cpuMasks(ctx.topo, cpu)}${a ? `, unit=d${a.domid}v${a.vcpuId}` : ''}`];
    const cur = ctx.curr(cpu);
    if (cur) out.push(`\trun: ${unit(cur)}`);
    return out;
  };

  return { settings, cpuState };
}
