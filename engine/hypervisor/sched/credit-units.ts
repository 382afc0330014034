/**
 * Credit's per-domain and per-unit data: Xen's struct csched_dom and struct csched_unit
 * (xen/common/sched/credit.c).
 *
 * A unit's record is the scheduler-private region of its vCPU's row in the host's
 * VcpuTable (../vcpu-table.ts R_SCHED_PRIV: 64 bytes, owned by the scheduler the unit is
 * attached to), so a unit is known by its idx alone: record r IS unit idx r. On a
 * 4096-pCPU host with 16,384 vCPUs every scheduling event touches one or two units
 * picked from all of them, and the core touches the same rows: the record is then the
 * next line of a row already being read, not a miss in a buffer of its own reached
 * through an idx → record table. Its doubles come first (`f`, from F_STRIDE·r), then its
 * integers (`i`, the table's Int32Array view, from I_STRIDE·r).
 *
 * A domain's active units (csched_dom.active_unit, the ones csched_acct shares credit
 * among) are a list threaded through the records by idx, in the order they became active.
 */
import { R_SCHED_PRIV, R_SCHED_PRIV_LEN, ROW, type VcpuTable } from '../vcpu-table';
import type { SchedDomainRec, Unit } from './core';

export const CSCHED_DEFAULT_WEIGHT = 256;
export const CSCHED_PRI_TS_BOOST = 0;
export const CSCHED_PRI_TS_UNDER = -1;
export const CSCHED_PRI_TS_OVER = -2;
export const CSCHED_PRI_IDLE = -64;

/** CSCHED_FLAG_UNIT_PARKED: over its cap, not run until its credit is positive again. */
export const CSCHED_FLAG_PARKED = 1;
/** On its domain's active list (csched_acct shares credit to it). */
export const CSCHED_FLAG_ACTIVE = 2;

/** Doubles of a record (in `f`, row r from F_STRIDE·r): credit, when it started being
 * charged, when it last went on a pCPU; one spare. */
export const F_STRIDE = ROW;
export const F_CREDIT = R_SCHED_PRIV + 0;
export const F_START = R_SCHED_PRIV + 1;
export const F_LAST_SCHED = R_SCHED_PRIV + 2;
const F_NR = 4;

/** Integers of a record (in `i`, row r from I_STRIDE·r), after its four doubles. */
export const I_STRIDE = ROW * 2;
const I_BASE = (R_SCHED_PRIV + F_NR) * 2;
export const I_PRI = I_BASE + 0;
/** pCPU whose runqueue holds it, -1 when on none. */
export const I_RUNQ_CPU = I_BASE + 1;
export const I_FLAGS = I_BASE + 2;
/** Its neighbours (unit idx, -1 at an end) on its pCPU's runqueue ... */
export const I_RQ_NEXT = I_BASE + 3;
export const I_RQ_PREV = I_BASE + 4;
/** The priority class (−pri) it was queued under: which class tail it may be. */
export const I_RQ_CLASS = I_BASE + 5;
/** ... and on its domain's active list. */
export const I_ACT_NEXT = I_BASE + 6;
export const I_ACT_PREV = I_BASE + 7;
/** The record fits the row's private region. */
const I_END = (R_SCHED_PRIV + R_SCHED_PRIV_LEN) * 2;
if (I_ACT_PREV >= I_END) throw new Error('csched_unit does not fit the VcpuTable private region');

/** struct csched_dom. */
export class CschedDom {
  weight = CSCHED_DEFAULT_WEIGHT;
  cap = 0;
  actHead = -1;
  actTail = -1;
  nrActive = 0;
  /** Credits csched_acct gives it this period. */
  share = 0;
}

/** The records of one credit scheduler instance's units, in the rows of the host's VcpuTable. */
export class CschedUnits {
  /** Unit idx → the unit and its domain while its record is this scheduler's (null otherwise). */
  readonly unit: (Unit | null)[] = [];
  readonly dom: (CschedDom | null)[] = [];

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

  /** Initialise the unit's record (csched_alloc_udata): credit 0, UNDER, on no runqueue. */
  alloc(u: Unit, sd: CschedDom): number {
    const r = u.idx;
    while (this.unit.length <= r) {
      this.unit.push(null);
      this.dom.push(null);
    }
    this.unit[r] = u;
    this.dom[r] = sd;
    const fb = r * F_STRIDE;
    this.vt.f.fill(0, fb + R_SCHED_PRIV, fb + R_SCHED_PRIV + F_NR);
    const b = r * I_STRIDE;
    const I = this.vt.i;
    I.fill(-1, b + I_BASE, b + I_END);
    I[b + I_PRI] = CSCHED_PRI_TS_UNDER;
    I[b + I_FLAGS] = 0;
    return r;
  }

  /** csched_free_udata: the record (not queued, not active) is no longer this scheduler's. */
  free(r: number): void {
    this.unit[r] = null;
    this.dom[r] = null;
  }

  /** Free the records of a domain's units (its domain leaves the scheduler). */
  freeDomain(d: SchedDomainRec): void {
    for (const u of d.units) {
      const r = this.recordOf(u);
      if (r >= 0) {
        this.free(r);
        u.priv = null;
      }
    }
  }

  /** Append unit r to its domain's active list (list_add in __csched_unit_acct_start). */
  actStart(r: number): void {
    const sd = this.dom[r]!;
    const I = this.vt.i;
    const b = r * I_STRIDE;
    I[b + I_FLAGS]! |= CSCHED_FLAG_ACTIVE;
    I[b + I_ACT_PREV] = sd.actTail;
    I[b + I_ACT_NEXT] = -1;
    if (sd.actTail >= 0) I[sd.actTail * I_STRIDE + I_ACT_NEXT] = r;
    else sd.actHead = r;
    sd.actTail = r;
    sd.nrActive++;
  }

  /** Take unit r off its domain's active list (__csched_unit_acct_stop_locked). */
  actStop(r: number): void {
    const sd = this.dom[r]!;
    const I = this.vt.i;
    const b = r * I_STRIDE;
    I[b + I_FLAGS]! &= ~CSCHED_FLAG_ACTIVE;
    const p = I[b + I_ACT_PREV]!;
    const n = I[b + I_ACT_NEXT]!;
    if (p >= 0) I[p * I_STRIDE + I_ACT_NEXT] = n;
    else sd.actHead = n;
    if (n >= 0) I[n * I_STRIDE + I_ACT_PREV] = p;
    else sd.actTail = p;
    I[b + I_ACT_PREV] = -1;
    I[b + I_ACT_NEXT] = -1;
    sd.nrActive--;
  }
}
