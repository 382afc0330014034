/**
 * RTDS's part of debug-key 'r': rt_dump() (dump_settings), rt_dump_pcpu() (dump_cpu_state)
 * and rt_dump_unit() of xen/common/sched/rt.c, Xen 4.17: the global run, depleted and
 * replenishment queues and each domain's units, three lines a unit, times in ns. It reads
 * the scheduler's records (rt-units.ts) and queues and changes nothing.
 *
 * flags are Xen's RTDS_* bits as the engine has them: RTDS_scheduled (running),
 * RTDS_depleted, RTDS_extratime; RTDS_delayed_runq_add never (no lazy context switch).
 */
import { CpuMask } from '../cpumask';
import type { Unit } from './core';
import { cpuTag, int, pbl } from './dump-format';
import { F_BUDGET, F_CUR_BUDGET, F_CUR_DEADLINE, F_LAST_START, F_PERIOD, F_STRIDE, I_PRIORITY_LEVEL, I_STRIDE, RT_DEPLETED, RT_EXTRATIME, RT_ON_DEPLETEDQ, RT_ON_RUNQ, type RtUnits } from './rt-units';
import type { SchedDump, SchedDumpContext } from './scheduler';

/** svc->flags bits (rt.c __RTDS_*). */
const RTDS_scheduled = 1 << 1;
const RTDS_depleted = 1 << 3;
const RTDS_extratime = 1 << 4;

/** What rtds.ts lets the dump read. */
export interface RtdsDumpState {
  /** The pool's pCPUs (cpupool_domain_master_cpumask). */
  readonly cpus: ReadonlySet<number>;
  readonly units: RtUnits;
  /** The records on the run queue and the replenishment queue, in queue order. */
  runq(): readonly number[];
  /** The depleted records, in the order they were depleted. */
  depletedq(): Iterable<number>;
  replq(): readonly number[];
  /** A unit's record by its idx. */
  recordOfIdx(idx: number): number;
}

export function rtdsDump(ctx: SchedDumpContext, s: RtdsDumpState): SchedDump {
  const poolMask = CpuMask.of(ctx.topo.nrCpus, s.cpus);
  /** rt_dump_unit(): "[%5d.%-2u] ..." and two more lines. */
  const unitLines = (r: number): string[] => {
    const t = s.units;
    const u: Unit = t.unit[r]!;
    const f = t.f;
    const b = r * F_STRIDE;
    const flags = (u.pcpu >= 0 ? RTDS_scheduled : 0) | (t.flag(r, RT_DEPLETED) ? RTDS_depleted : 0) | (t.flag(r, RT_EXTRATIME) ? RTDS_extratime : 0);
    return [
      `[${String(u.domid).padStart(5)}.${String(u.vcpuId).padEnd(2)}] cpu ${u.processor}, (${int(f[b + F_PERIOD]!)}, ${int(f[b + F_BUDGET]!)}), cur_b=${int(f[b + F_CUR_BUDGET]!)} cur_d=${int(f[b + F_CUR_DEADLINE]!)} last_start=${int(f[b + F_LAST_START]!)}`,
      ` \t\t priority_level=${t.i[r * I_STRIDE + I_PRIORITY_LEVEL]} has_extratime=${t.flag(r, RT_EXTRATIME) ? 1 : 0}`,
      ` \t\t onQ=${t.flag(r, RT_ON_RUNQ | RT_ON_DEPLETEDQ) ? 1 : 0} runnable=${u.runnable() ? 1 : 0} flags=${flags.toString(16)} effective hard_affinity=${pbl(u.vcpu.hardAffinity.and(poolMask))}`,
    ];
  };

  const settings = (): string[] => {
    // rt_dump() prints nothing while the pool has no domain (list_empty(&prv->sdom))
    if (ctx.domains.length === 0) return [];
    // runq_insert() puts a depleted unit at the head of the depleted queue (list_add): the
    // last one depleted comes first; the engine's set keeps them in the order they came
    const depleted = [...s.depletedq()].reverse();
    const out = ['Global RunQueue info:', ...s.runq().flatMap(unitLines), 'Global DepletedQueue info:', ...depleted.flatMap(unitLines)];
    out.push('Global Replenishment Events info:', ...s.replq().flatMap(unitLines), 'Domain info:');
    for (const d of ctx.domains) {
      out.push(`\tdomain: ${d.domid}`);
      for (const u of d.units) out.push(...unitLines(s.recordOfIdx(u.idx)));
    }
    return out;
  };

  /** rt_dump_pcpu(): the pCPU and the unit it runs; a free pCPU runs its idle unit. */
  const cpuState = (cpu: number): string[] => {
    const cur = s.cpus.has(cpu) ? ctx.curr(cpu) : null;
    return [cpuTag(cpu), ...(cur ? unitLines(s.recordOfIdx(cur.idx)) : [])];
  };

  return { settings, cpuState };
}
