/**
 * RTDS's per-unit data, Xen's struct rt_unit (xen/common/sched/rt.c): period, budget,
 * cur_budget, cur_deadline, last_start, priority_level and the flags
 * (RTDS_extratime, RTDS_depleted, and whether it is on the runq, the depletedq or the
 * replq).
 *
 * A unit's record is the scheduler-private region of its vCPU's row in the host's
 * VcpuTable (../vcpu-table.ts R_SCHED_PRIV: 64 bytes, owned by the scheduler the unit is
 * attached to), as credit's csched_unit is (credit-units.ts): record r IS unit idx r.
 * rt_unit_wake() and rt_schedule() first touch the unit's record right after the core
 * has read the same row, so the record is the line beside one already fetched, not a
 * miss in a table of its own (on the 16,384-vCPU bench that miss was the hottest line of
 * the wake). Its doubles come first (`f`, from F_STRIDE·r), then its integers (`i`, the
 * table's Int32Array view, from I_STRIDE·r).
 *
 * A record's number is also its slot in the replenishment queue (repl-queue.ts), and the
 * record holds the slot's links there: the queue needs no tables of its own per unit.
 */
import { MICROSECS, type STime } from '../clock';
import { R_SCHED_PRIV, R_SCHED_PRIV_LEN, ROW, type VcpuTable } from '../vcpu-table';
import type { Unit } from './core';

export const RTDS_DEFAULT_PERIOD_US = 10000;
export const RTDS_DEFAULT_BUDGET_US = 4000;

/** Doubles of a record (in `f`, row r from F_STRIDE·r), in ns. */
export const F_STRIDE = ROW;
export const F_PERIOD = R_SCHED_PRIV + 0;
export const F_BUDGET = R_SCHED_PRIV + 1;
export const F_CUR_BUDGET = R_SCHED_PRIV + 2;
export const F_CUR_DEADLINE = R_SCHED_PRIV + 3;
export const F_LAST_START = R_SCHED_PRIV + 4;
const F_NR = 5;

/** Integers of a record (in `i`, row r from I_STRIDE·r), after its five doubles. */
export const I_STRIDE = ROW * 2;
const I_BASE = (R_SCHED_PRIV + F_NR) * 2;
export const I_PRIORITY_LEVEL = I_BASE + 0;
export const I_FLAGS = I_BASE + 1;
/** Its links in the replenishment queue (repl-queue.ts SlotLinks): next, previous, bucket. */
export const I_REPL_LINKS = I_BASE + 2;
/** The record fits the row's private region. */
if (I_REPL_LINKS + 3 > (R_SCHED_PRIV + R_SCHED_PRIV_LEN) * 2) throw new Error('rt_unit does not fit the VcpuTable private region');

/** RTDS_extratime: may run past its budget at a lower priority level. */
export const RT_EXTRATIME = 1;
/**
 * RTDS_depleted: burn_budget() found no budget left (and no extratime). Only
 * repl_timer_handler() clears it; which queue a unit goes to is decided by its
 * cur_budget and extratime (runq_insert), not by this flag.
 */
export const RT_DEPLETED = 2;
export const RT_ON_RUNQ = 4;
export const RT_ON_DEPLETEDQ = 8;
export const RT_ON_REPLQ = 16;

export class RtUnits {
  /** Unit idx → the unit while its record is this scheduler's (null otherwise). */
  readonly unit: (Unit | null)[] = [];

  constructor(private readonly vt: VcpuTable) {}

  /** The rows' doubles and integers: two views of one buffer, replaced when it grows. */
  get f(): Float64Array {
    return this.vt.f;
  }
  get i(): Int32Array {
    return this.vt.i;
  }

  /** The unit's record (its idx) if its row's region holds this scheduler's record of it, else -1. */
  recordOf(u: Unit): number {
    const r = u.priv;
    return typeof r === 'number' && this.unit[r] === u ? r : -1;
  }

  /** Initialise the unit's record (rt_alloc_udata): Xen's default period and budget, extratime on. */
  alloc(u: Unit): number {
    const r = u.idx;
    while (this.unit.length <= r) this.unit.push(null);
    this.unit[r] = u;
    const f = this.vt.f;
    const b = r * F_STRIDE;
    f[b + F_PERIOD] = MICROSECS(RTDS_DEFAULT_PERIOD_US);
    f[b + F_BUDGET] = MICROSECS(RTDS_DEFAULT_BUDGET_US);
    f[b + F_CUR_BUDGET] = 0;
    f[b + F_CUR_DEADLINE] = 0;
    f[b + F_LAST_START] = 0;
    const I = this.vt.i;
    I[r * I_STRIDE + I_PRIORITY_LEVEL] = 0;
    I[r * I_STRIDE + I_FLAGS] = RT_EXTRATIME;
    I.fill(-1, r * I_STRIDE + I_REPL_LINKS, r * I_STRIDE + I_REPL_LINKS + 3);
    return r;
  }

  /** rt_free_udata: the record (not in the replenishment queue) is no longer this scheduler's. */
  free(r: number): void {
    this.unit[r] = null;
  }

  flag(r: number, fl: number): boolean {
    return (this.i[r * I_STRIDE + I_FLAGS]! & fl) !== 0;
  }

  setFlag(r: number, fl: number, on: boolean): void {
    if (on) this.i[r * I_STRIDE + I_FLAGS]! |= fl;
    else this.i[r * I_STRIDE + I_FLAGS]! &= ~fl;
  }

  deadline(r: number): STime {
    return this.f[r * F_STRIDE + F_CUR_DEADLINE]!;
  }

  /**
   * A new deadline (rt_update_deadline). The unit is never in the replenishment queue
   * then — it is taken out before its refill, and is out while asleep — so its key in
   * the queue is the (level, deadline) it was queued with.
   */
  setDeadline(r: number, t: STime): void {
    this.f[r * F_STRIDE + F_CUR_DEADLINE] = t;
  }

  level(r: number): number {
    return this.i[r * I_STRIDE + I_PRIORITY_LEVEL]!;
  }

  /** compare_unit_priority() > 0: record a runs before record b. */
  higher(a: number, b: number): boolean {
    const I = this.i;
    const la = I[a * I_STRIDE + I_PRIORITY_LEVEL]!;
    const lb = I[b * I_STRIDE + I_PRIORITY_LEVEL]!;
    if (la !== lb) return la < lb;
    return this.f[a * F_STRIDE + F_CUR_DEADLINE]! < this.f[b * F_STRIDE + F_CUR_DEADLINE]!;
  }
}
