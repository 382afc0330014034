/**
 * Credit2's part of debug-key 'r': csched2_dump() (its dump_settings), dump_pcpu() and
 * csched2_dump_unit() of xen/common/sched/credit2.c, Xen 4.17, line for line. Credit2 has
 * no dump_cpu_state hook, so schedule_dump()'s per-pCPU lines are the core's only; its
 * pCPUs are listed under their runqueues in the settings.
 *
 * It reads the scheduler's state through Credit2DumpState and changes nothing: Xen's
 * csched2_dump() prints rqd->avgload and svc->avgload as last stored (it calls neither
 * update_runq_load() nor update_svc_load()), and so does this.
 *
 * Not modelled, so not printed: CSFLAG_delayed_runq_add (the engine has no lazy context
 * switch), CSFLAG_runq_migrate_request (balance_load reassigns a running unit at once),
 * CSFLAG_unit_yield (no SCHEDOP_yield). "fully idle cores" is rqd->smt_idle as the
 * scheduler computes it when tickling (idle, untickled sibling threads of the runqueue).
 */
import type { SchedDump, SchedDumpContext } from './scheduler';
import type { SchedDomainRec } from './core';
import { cpuMasks, cpuTag, d3, int, pb, pbl } from './dump-format';

/** svc->flags bits (credit2.c __CSFLAG_*). */
const CSFLAG_scheduled = 1 << 1;
const CSFLAG_pinned = 1 << 5;

/** A runqueue as the dump reads it (struct csched2_runqueue_data). */
export interface Credit2DumpRunq {
  readonly id: number;
  /** rqd->active, ascending. */
  readonly cpus: readonly number[];
  readonly maxWeight: number;
  readonly pickBias: number;
  /** rqd->runq: waiting units' idx, in queue order. */
  readonly q: readonly number[];
}

/** A unit's struct csched2_unit fields the dump prints. */
export interface Credit2DumpUnit {
  /** CSFLAG_scheduled: running on a pCPU. */
  readonly running: boolean;
  readonly credit: number;
  readonly weight: number;
  /** has_cap(): its domain has a cap (then budget and budget_quota print). */
  readonly capped: boolean;
  readonly budget: number;
  readonly budgetQuota: number;
  /** svc->avgload, Q(loadPrecisionShift) fixed point. */
  readonly avgload: number;
}

/** What credit2.ts lets the dump read. */
export interface Credit2DumpState<R extends Credit2DumpRunq> {
  readonly runqueues: readonly R[];
  /** CSCHED2_DEFAULT_WEIGHT. */
  readonly defaultWeight: number;
  /** prv->load_precision_shift. */
  readonly loadPrecisionShift: number;
  /** rqd->load (instload) and rqd->avgload, as stored. */
  load(rq: R): number;
  avgload(rq: R): number;
  /** The pCPU is in rqd->idle / rqd->tickled / rqd->smt_idle. */
  idle(cpu: number): boolean;
  tickled(cpu: number): boolean;
  smtIdle(rq: R, cpu: number): boolean;
  unit(idx: number): Credit2DumpUnit;
  /** sdom of a pool domain: weight, cap, nr_units. */
  sdom(d: SchedDomainRec): { readonly weight: number; readonly cap: number; readonly nrUnits: number };
  /** sched_unit_master(): v->processor. */
  processor(idx: number): number;
  /** cpumask_weight(hard affinity) == 1 (csched2_aff_cntl sets __CSFLAG_pinned). */
  pinned(idx: number): boolean;
  /** The unit's domain and vCPU ids. */
  name(idx: number): { readonly domid: number; readonly vcpuId: number };
}

export function credit2Dump<R extends Credit2DumpRunq>(ctx: SchedDumpContext, s: Credit2DumpState<R>): SchedDump {
  const P = s.loadPrecisionShift;
  // (avgload * 100) >> load_precision_shift, without JS's 32-bit shift
  const pct = (avgload: number): number => Math.floor((int(avgload) * 100) / 2 ** P);
  const unitLine = (idx: number): string => {
    const u = s.unit(idx);
    const n = s.name(idx);
    const flags = (u.running ? CSFLAG_scheduled : 0) | (s.pinned(idx) ? CSFLAG_pinned : 0);
    const budget = u.capped ? ` budget=${int(u.budget)}(${int(u.budgetQuota)})` : '';
    return `[${n.domid}.${n.vcpuId}] flags=${flags.toString(16)} cpu=${s.processor(idx)} credit=${int(u.credit)} [w=${u.weight}]${budget} load=${int(u.avgload)} (~${pct(u.avgload)}%)`;
  };
  const nrCpuIds = ctx.topo.nrCpus;
  // prv->rql is kept in runqueue id order (cpu_add_to_runqueue)
  const rqs = [...s.runqueues].sort((a, b) => a.id - b.id);

  /** dump_pcpu(): the pCPU, its runqueue and topology, and the unit it runs. */
  const pcpu = (rq: R, cpu: number): string[] => {
    const out = [`${cpuTag(cpu)} runq=${rq.id}, ${cpuMasks(ctx.topo, cpu)}`];
    const cur = ctx.curr(cpu);
    if (cur) out.push(`\trun: ${unitLine(cur.idx)}`);
    return out;
  };

  const settings = (): string[] => {
    const out = [`Active queues: ${rqs.length}`, `\tdefault-weight     = ${s.defaultWeight}`];
    for (const rq of rqs) {
      const avg = s.avgload(rq);
      out.push(
        `Runqueue ${rq.id}:`,
        `\tncpus              = ${rq.cpus.length}`,
        `\tcpus               = ${pbl(rq.cpus)}`,
        `\tmax_weight         = ${rq.maxWeight}`,
        `\tpick_bias          = ${rq.pickBias}`,
        `\tinstload           = ${s.load(rq)}`,
        `\taveload            = ${int(avg)} (~${pct(avg)}%)`,
        `\tidlers: ${pb(rq.cpus.filter((c) => s.idle(c)), nrCpuIds)}`,
        `\ttickled: ${pb(rq.cpus.filter((c) => s.tickled(c)), nrCpuIds)}`,
        `\tfully idle cores: ${pb(rq.cpus.filter((c) => s.idle(c) && !s.tickled(c) && s.smtIdle(rq, c)), nrCpuIds)}`,
      );
    }
    out.push('Domain info:');
    let loop = 0;
    for (const d of ctx.domains) {
      const sd = s.sdom(d);
      out.push(`\tDomain: ${d.domid} w ${sd.weight} c ${sd.cap} v ${sd.nrUnits}`);
      for (const u of d.units) out.push(`\t${d3(++loop)}: ${unitLine(u.idx)}`);
    }
    for (const rq of rqs) {
      out.push(`Runqueue ${rq.id}:`);
      for (const c of rq.cpus) out.push(...pcpu(rq, c));
      // this list counts from 0 (csched2_dump's `loop++`)
      out.push('RUNQ:', ...rq.q.map((idx, i) => `\t${d3(i)}: ${unitLine(idx)}`));
    }
    return out;
  };

  return { settings, cpuState: () => [] };
}
