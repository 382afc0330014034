/**
 * Credit's part of debug-key 'r': csched_dump() (dump_settings), csched_dump_pcpu()
 * (dump_cpu_state) and csched_dump_unit() of xen/common/sched/credit.c, Xen 4.17. It reads
 * the scheduler's records (credit-units.ts) and runqueues and changes nothing.
 *
 * Not modelled, so left out of Xen's lines: prv->master (csched_acct runs on a pool-wide
 * timer, not on a master pCPU), prv->credit_balance (csched_acct keeps no balance between
 * periods), prv->runq_sort and spc->runq_sort_last (the runqueues are re-sorted in every
 * accounting period, without a sequence number), the CSCHED_STATS counters (a debug build
 * option), and the flags CSCHED_FLAG_UNIT_YIELD (no SCHEDOP_yield) and _MIGRATING.
 * "active units" lists each domain's units most recently activated first, as Xen's
 * list_add() does; the domains themselves come in the order they joined the pool (Xen:
 * the one that last became active first, an order the engine does not keep).
 *
 * For a free pCPU (schedule_dump(NULL) with credit as the boot scheduler) Xen 4.17's
 * csched_dump_pcpu() reads the pCPU's scheduler data, which is NULL there; nothing is
 * printed for it here.
 */
import type { Unit } from './core';
import { CSCHED_FLAG_PARKED, F_CREDIT, F_STRIDE, I_ACT_PREV, I_FLAGS, I_PRI, I_STRIDE, type CschedDom, type CschedUnits } from './credit-units';
import { cpuMasks, cpuTag, d3, int, pb } from './dump-format';
import type { SchedDump, SchedDumpContext } from './scheduler';

/** svc->flags bits (credit.c CSCHED_FLAG_UNIT_*, bit numbers for set_bit). */
const FLAG_PARKED = 1 << 0;
const FLAG_PINNED = 1 << 4;

/** What credit.ts lets the dump read. */
export interface CreditDumpState {
  /** The pool's pCPUs (prv->cpus). */
  readonly cpus: ReadonlySet<number>;
  readonly tsliceMs: number;
  readonly ratelimitUs: number;
  readonly vcpuMigrDelayUs: number;
  readonly creditsPerMsec: number;
  readonly creditsPerTslice: number;
  readonly ticksPerTslice: number;
  readonly defaultWeight: number;
  /** The pool's domains in the order they joined (prv->sdom). */
  readonly doms: readonly CschedDom[];
  readonly units: CschedUnits;
  /** prv->idlers. */
  idler(cpu: number): boolean;
  /** The pCPUs' runqueues: the first record waiting on one, the record after another (-1: none). */
  readonly runq: { head(cpu: number): number; next(r: number): number };
}

export function creditDump(ctx: SchedDumpContext, s: CreditDumpState): SchedDump {
  const unitLine = (r: number): string => {
    const I = s.units.i;
    const u: Unit = s.units.unit[r]!;
    const sd = s.units.dom[r]!;
    const b = r * I_STRIDE;
    // csched_aff_cntl() sets _PINNED when the hard affinity is a single pCPU
    const flags = (I[b + I_FLAGS]! & CSCHED_FLAG_PARKED ? FLAG_PARKED : 0) | (u.vcpu.hardAffinity.weight === 1 ? FLAG_PINNED : 0);
    return `[${u.domid}.${u.vcpuId}] pri=${I[b + I_PRI]} flags=${flags.toString(16)} cpu=${u.processor} credit=${int(s.units.f[r * F_STRIDE + F_CREDIT]!)} [w=${sd.weight},cap=${sd.cap}]`;
  };

  const settings = (): string[] => {
    // prv->weight: the weights of the active units (__csched_unit_acct_start adds each)
    let weight = 0;
    for (const sd of s.doms) weight += sd.weight * sd.nrActive;
    const out = [
      'info:',
      `\tncpus              = ${s.cpus.size}`,
      `\tcredit             = ${s.creditsPerTslice * s.cpus.size}`,
      `\tweight             = ${weight}`,
      `\tdefault-weight     = ${s.defaultWeight}`,
      `\ttslice             = ${s.tsliceMs}ms`,
      `\tratelimit          = ${s.ratelimitUs}us`,
      `\tcredits per msec   = ${s.creditsPerMsec}`,
      `\tticks per tslice   = ${s.ticksPerTslice}`,
      `\tmigration delay    = ${s.vcpuMigrDelayUs}us`,
      `idlers: ${pb([...s.cpus].filter((c) => s.idler(c)), ctx.topo.nrCpus)}`,
      'active units:',
    ];
    const I = s.units.i;
    let loop = 0;
    for (const sd of s.doms) {
      for (let r = sd.actTail; r >= 0; r = I[r * I_STRIDE + I_ACT_PREV]!) out.push(`\t${d3(++loop)}: ${unitLine(r)}`);
    }
    return out;
  };

  const cpuState = (cpu: number): string[] => {
    if (!s.cpus.has(cpu)) return [];
    const cur = ctx.curr(cpu);
    const queued: number[] = [];
    for (let r = s.runq.head(cpu); r >= 0; r = s.runq.next(r)) queued.push(r);
    // spc->nr_runnable: the queued units and the one running (csched_schedule takes it off
    // the runqueue without dec_nr_runnable)
    const out = [`${cpuTag(cpu)} nr_run=${queued.length + (cur ? 1 : 0)}, ${cpuMasks(ctx.topo, cpu)}`];
    if (cur) out.push(`\trun: ${unitLine(cur.idx)}`);
    queued.forEach((r, i) => out.push(`\t${d3(i + 1)}: ${unitLine(r)}`));
    return out;
  };

  return { settings, cpuState };
}
