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
 *   pick_resource                  -> pickCpu
 *   migrate                        -> migrate
 *   init_pdata / deinit_pdata      -> initPcpu / deinitPcpu
 *   adjust (domctl scheduler_op)   -> adjustDomain
 *   adjust_global (sysctl)         -> adjustGlobal
 *   dump_settings / dump_cpu_state -> dump
 *
 * The core guarantees: a unit handed to removeUnit, and a pCPU handed to deinitPcpu,
 * are not running; doSchedule is called for a pCPU of this scheduler with `prev` the
 * unit that ran there (or null for idle), and `prev.runnable()` tells whether it may go
 * on running. A unit is never running on two pCPUs.
 */
import type { STime } from '../clock';
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

/** SCHED_DEFAULT_RATELIMIT_US and the sysctl range (private.h, public/sysctl.h). */
export const SCHED_DEFAULT_RATELIMIT_US = 1000;
export const XEN_SYSCTL_SCHED_RATELIMIT_MIN = 100;
export const XEN_SYSCTL_SCHED_RATELIMIT_MAX = 500000;

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

/** What a scheduler may ask of the dispatch loop. */
export interface SchedCoreApi {
  readonly nrCpus: number;
  /** The unit running on `cpu`, or null when idle. */
  curr(cpu: number): Unit | null;
  /** Raise SCHEDULE_SOFTIRQ on `cpu`: it reschedules at the current instant. */
  tickle(cpu: number): void;
  now(): STime;
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
  wake(u: Unit, now: STime): void;
  sleep(u: Unit, now: STime): void;
  doSchedule(cpu: number, prev: Unit | null, now: STime): Unit | null;
  pickCpu(u: Unit, now: STime): number;
  adjustDomain(d: SchedDomainRec, op: DomainSchedOp): DomainSchedResult;
  adjustGlobal(op: PoolSchedOp): PoolSchedParams;
  dump(): string;
}
