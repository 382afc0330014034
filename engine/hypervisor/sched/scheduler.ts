/**
 * The scheduler interface: Xen's `struct scheduler` (xen/common/sched/private.h) as the
 * simulated host needs it. One instance per CPU pool (cpupool.ts), each driving the
 * pCPUs of its pool through the dispatch loop in core.ts.
 *
 * Xen's hooks and ours:
 *   insert_unit / remove_unit      -> insertUnit / removeUnit
 *   alloc_domdata / free_domdata   -> insertDomain / removeDomain
 *   wake / sleep                   -> wake / sleep
 *   do_schedule                    -> doSchedule (returns the next unit, sets `slice`)
 *   curr_on_cpu (core)             -> SchedCoreApi.currIdx
 *   pick_resource                  -> pickCpu
 *   migrate                        -> migrateUnit (optional: without it the unit's processor
 *                                     is just set, as sched_migrate() does)
 *   adjust_affinity                -> adjustAffinity (optional)
 *   init_pdata / deinit_pdata      -> initPcpu / deinitPcpu
 *   adjust (domctl scheduler_op)   -> adjustDomain
 *   adjust_global (sysctl)         -> adjustGlobal
 *   dump_settings / dump_cpu_state -> dump (SchedDump: settings, cpuState; the *-dump.ts files)
 *
 * The hooks of the dispatch loop's every event (wake, sleep, doSchedule) take and return
 * units by their index (Unit.idx; -1 for "none", the idle unit): a scheduler reads what it
 * needs of a unit from typed rows by that index (the core's through SchedCoreApi, its own
 * tables), so the common path touches no per-vCPU object. The cold hooks (insert, remove,
 * pick at insert, adjust, dump) take Unit objects.
 *
 * The core guarantees: a unit handed to removeUnit, and a pCPU handed to deinitPcpu,
 * are not running; doSchedule is called for a pCPU of this scheduler with `prev` the
 * unit that ran there (or -1 for idle), and `core.runnable(prev)` tells whether it may
 * go on running. A unit is never running on two pCPUs.
 */
import { XenError } from '../errno';
import type { STime } from '../clock';
import type { Topology } from '../topology';
import type { CpuMask } from '../cpumask';
import type { SchedDomainRec, Unit } from './core';

export type SchedulerName = 'credit' | 'credit2' | 'rtds' | 'null';

/** XEN_SCHEDULER_* (xen/include/public/domctl.h). */
export const XEN_SCHEDULER_ID: Record<SchedulerName | 'arinc653', number> = {
  credit: 5,
  credit2: 6,
  arinc653: 7,
  rtds: 8,
  null: 9,
};

export const SCHEDULER_NAMES: readonly SchedulerName[] = ['credit', 'credit2', 'rtds', 'null'];

/** struct scheduler's .name (its .opt_name is the SchedulerName). */
export const SCHEDULER_DESC: Record<SchedulerName, string> = {
  credit: 'SMP Credit Scheduler',
  credit2: 'SMP Credit Scheduler rev2',
  rtds: 'SMP RTDS Scheduler',
  null: 'null Scheduler',
};

/** SCHED_DEFAULT_RATELIMIT_US and the sysctl range (private.h, public/sysctl.h). */
export const SCHED_DEFAULT_RATELIMIT_US = 1000;
export const XEN_SYSCTL_SCHED_RATELIMIT_MIN = 100;
export const XEN_SYSCTL_SCHED_RATELIMIT_MAX = 500000;

/**
 * The weight and cap checks credit's csched_dom_cntl() and credit2's csched2_dom_cntl()
 * share for XEN_DOMCTL_SCHEDOP_putinfo: a weight of 0 (or none) leaves it as it is, else
 * 1-65535 (the domctl's weight is a uint16_t); a cap is a percentage of one pCPU, at most
 * 100 per vCPU of the domain (0 lifts it). EINVAL changes nothing.
 */
export function checkWeightCap(params: DomainSchedParams, nrVcpus: number): void {
  const { weight, cap } = params;
  if (weight !== undefined && weight !== 0 && (!Number.isInteger(weight) || weight < 1 || weight > 65535)) {
    throw new XenError('EINVAL', `weight ${weight} outside 1-65535`);
  }
  if (cap !== undefined && (!Number.isInteger(cap) || cap < 0 || cap > 100 * nrVcpus)) {
    throw new XenError('EINVAL', `cap ${cap} outside 0-${100 * nrVcpus} (100 per vCPU)`);
  }
}

/** XEN_SYSCTL_SCHEDOP_putinfo's ratelimit_us, as credit and credit2 check it: 0 disables it, else XEN_SYSCTL_SCHED_RATELIMIT_MIN-MAX µs. */
export function checkRatelimitUs(r: number): void {
  if (!Number.isInteger(r) || (r !== 0 && (r < XEN_SYSCTL_SCHED_RATELIMIT_MIN || r > XEN_SYSCTL_SCHED_RATELIMIT_MAX))) {
    throw new XenError('EINVAL', `ratelimit_us ${r} outside ${XEN_SYSCTL_SCHED_RATELIMIT_MIN}-${XEN_SYSCTL_SCHED_RATELIMIT_MAX} (0 disables)`);
  }
}

/** Per-domain parameters (struct xen_domctl_scheduler_op, union u). */
export interface DomainSchedParams {
  /** credit, credit2: 1..65535; 0 or absent means "don't change". */
  weight?: number;
  /** credit, credit2: % of one pCPU, 0 = no cap. */
  cap?: number;
  /** rtds: µs. */
  period?: number;
  /** rtds: µs. */
  budget?: number;
  /** rtds: the XEN_DOMCTL_SCHEDRT_extra flag. */
  extratime?: boolean;
}

/** Per-vCPU parameters (xen_domctl_schedparam_vcpu; RTDS only). */
export interface VcpuSchedParams {
  vcpu: number;
  period: number;
  budget: number;
  extratime: boolean;
}

/** Per-pool parameters (struct xen_sysctl_scheduler_op, union u). */
export interface PoolSchedParams {
  /** credit: 1..1000 ms. */
  tsliceMs?: number;
  /** credit, credit2: 0 (off) or 100..500000 µs. */
  ratelimitUs?: number;
  /** credit: vcpu_migr_delay_us, 0..100000. */
  vcpuMigrDelayUs?: number;
}

export type DomainSchedOp =
  | { cmd: 'getinfo' }
  | { cmd: 'putinfo'; params: DomainSchedParams }
  | { cmd: 'getvcpuinfo'; vcpus: number[] }
  | { cmd: 'putvcpuinfo'; vcpus: VcpuSchedParams[] };

export type PoolSchedOp = { cmd: 'getinfo' } | { cmd: 'putinfo'; params: PoolSchedParams };

export interface DomainSchedResult {
  params: DomainSchedParams;
  vcpus?: VcpuSchedParams[];
}

/** What a scheduler may ask of the dispatch loop; units by idx. */
export interface SchedCoreApi {
  readonly nrCpus: number;
  /** The unit running on `cpu`, -1 when idle (curr_on_cpu). */
  currIdx(cpu: number): number;
  /** The unit object of an index (cold paths only). */
  unit(idx: number): Unit;
  /** unit_runnable(): attached and the vCPU may run. */
  runnable(idx: number): boolean;
  /** The pCPU it runs on, -1 when not running. */
  pcpuOf(idx: number): number;
  /** The scheduler has been told it is awake (a wake without a sleep since). */
  awake(idx: number): boolean;
  /** v->processor. */
  processor(idx: number): number;
  setProcessor(idx: number, cpu: number): void;
  /** Hard affinity is every pCPU (or broken): hardOk needs no mask. */
  hardAll(idx: number): boolean;
  /** Soft affinity says something useful. */
  hasSoft(idx: number): boolean;
  /** Hard affinity allows `cpu`. */
  hardOk(idx: number, cpu: number): boolean;
  /** RTDS: unit `idx` missed a deadline (its row's count: Unit.deadlineMisses). */
  deadlineMiss(idx: number): void;
  /** Raise SCHEDULE_SOFTIRQ on `cpu`: it reschedules at the current instant. */
  tickle(cpu: number): void;
  now(): STime;
}

/** What schedule_dump() (debug-key 'r') gives a pool's scheduler besides its own state. */
export interface SchedDumpContext {
  /** The pool's domains in the order they joined it (the schedulers' sdom lists): units, sdom. */
  readonly domains: readonly SchedDomainRec[];
  /** cpu_sibling_mask / cpu_core_mask, and nr_cpu_ids (the width of "%*pb" masks). */
  readonly topo: Topology;
  /** curr_on_cpu(): the unit running on `cpu`, null for the idle unit. */
  curr(cpu: number): Unit | null;
}

/** A scheduler's part of debug-key 'r', read from its state as it is (a dump changes nothing). */
export interface SchedDump {
  /** sched_dump_settings(): the lines after "Scheduler: %s (%s)". */
  settings(): string[];
  /**
   * sched_dump_cpu_state(): the lines after the core's "CPU[NN] current=..." of `cpu`, a
   * pCPU of the pool or, for the boot scheduler, a free pCPU (schedule_dump(NULL)).
   */
  cpuState(cpu: number): string[];
}

export interface Scheduler {
  readonly name: SchedulerName;
  readonly id: number;
  /** Set by doSchedule: how long the chosen unit may run, ns; -1 for no limit. */
  slice: STime;
  initPcpu(cpu: number, now: STime): void;
  deinitPcpu(cpu: number, now: STime): void;
  insertDomain(d: SchedDomainRec): void;
  removeDomain(d: SchedDomainRec): void;
  /** The unit joins the scheduler, not running and not queued; the core wakes it next if runnable. */
  insertUnit(u: Unit, now: STime): void;
  removeUnit(u: Unit, now: STime): void;
  /** The unit `idx` woke (it is not running). */
  wake(idx: number, now: STime): void;
  /** The unit `idx` went to sleep while not running. */
  sleep(idx: number, now: STime): void;
  /** The unit to run on `cpu` next (-1: idle), `prev` the one that ran (-1: idle). */
  doSchedule(cpu: number, prev: number, now: STime): number;
  pickCpu(u: Unit, now: STime): number;
  /**
   * The migrate hook (csched2_unit_migrate, null_unit_migrate): move a unit that is not
   * running (and not queued: it went to sleep in sched_unit_migrate_start) to `cpu`, a
   * pCPU pickCpu gave; the core wakes it next. Without the hook the core only sets its
   * processor (sched_migrate's sched_set_res).
   */
  migrateUnit?(u: Unit, cpu: number, now: STime): void;
  /**
   * adjust_affinity (sched_set_affinity): the unit's hard and/or soft affinity (the one
   * given, non-null) changed; the vCPU's masks and the core's affinity flags already say
   * so (here the hook runs after they are copied, so a scheduler's mirrors of them can
   * be refreshed too). Before the unit's migration starts.
   */
  adjustAffinity?(u: Unit, hard: CpuMask | null, soft: CpuMask | null): void;
  adjustDomain(d: SchedDomainRec, op: DomainSchedOp): DomainSchedResult;
  adjustGlobal(op: PoolSchedOp): PoolSchedParams;
  dump(ctx: SchedDumpContext): SchedDump;
}
