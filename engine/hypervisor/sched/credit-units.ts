/**
 * Credit's per-domain and per-unit data: Xen's struct csched_dom and struct csched_unit
 * (xen/common/sched/credit.c).
 *
 * The per-unit records live in typed arrays owned by the scheduler instance, and a
 * unit's `priv` is its record number. On a 4096-pCPU host with 16,384 vCPUs every
 * scheduling event touches one or two units picked from all of them; as one JS object
 * per unit (its credit, start time and last-run time each a boxed double) that was
 * three or four cache misses per unit. Here record r is 64 bytes of one buffer — its
 * doubles first (`f`, from F_STRIDE·r), then its integers (`i`, from I_STRIDE·r + 8) — so
 * touching a unit is one cache line (two when the buffer is not line aligned), not one in
 * a table of doubles and another in a table of integers.
 *
 * A domain's active units (csched_dom.active_unit, the ones csched_acct shares credit
 * among) are a list threaded through the records, in the order they became active.
 */
import { grown } from '../typed-grow';
import type { SchedDomainRec, Unit } from './core';
import { withRoomFor } from './unit-map';

export const CSCHED_DEFAULT_WEIGHT = 256;
export const CSCHED_PRI_TS_BOOST = 0;
export const CSCHED_PRI_TS_UNDER = -1;
export const CSCHED_PRI_TS_OVER = -2;
export const CSCHED_PRI_IDLE = -64;

/** CSCHED_FLAG_UNIT_PARKED: over its cap, not run until its credit is positive again. */
export const CSCHED_FLAG_PARKED = 1;
/** On its domain's active list (csched_acct shares credit to it). */
export const CSCHED_FLAG_ACTIVE = 2;

/** Bytes of a record: four doubles, then eight integers. */
const RECORD_BYTES = 64;

/** Doubles of a record (in `f`): credit, when it started being charged, when it last went on a pCPU. */
export const F_STRIDE = RECORD_BYTES / 8;
export const F_CREDIT = 0;
export const F_START = 1;
export const F_LAST_SCHED = 2;

/** Integers of a record (in `i`), after its four doubles. */
export const I_STRIDE = RECORD_BYTES / 4;
const I_BASE = 8;
export const I_PRI = I_BASE + 0;
/** pCPU whose runqueue holds it, -1 when on none. */
export const I_RUNQ_CPU = I_BASE + 1;
export const I_FLAGS = I_BASE + 2;
export const I_RQ_NEXT = I_BASE + 3;
export const I_RQ_PREV = I_BASE + 4;
/** The priority class (−pri) it was queued under: which class tail it may be. */
export const I_RQ_CLASS = I_BASE + 5;
export const I_ACT_NEXT = I_BASE + 6;
export const I_ACT_PREV = I_BASE + 7;

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

/** The records of one credit scheduler instance's units. */
export class CschedUnits {
  /** The records' doubles and integers: two views of one buffer. */
  f: Float64Array;
  i: Int32Array;
  /** Record → its unit and domain (null while free). */
  readonly unit: (Unit | null)[] = [];
  readonly dom: (CschedDom | null)[] = [];
  /** Record → its unit's idx, and unit idx → its record here (-1 for none): the hot
   * hooks get units by idx and reach their records without the Unit object. */
  idx = new Int32Array(64);
  recOf = new Int32Array(64).fill(-1);
  private cap = 64;
  private used = 0;
  private readonly freeList: number[] = [];

  constructor() {
    const buf = new ArrayBuffer(this.cap * RECORD_BYTES);
    this.f = new Float64Array(buf);
    this.i = new Int32Array(buf);
  }

  /** The unit's record in this table, or -1 when it has none here. */
  recordOf(u: Unit): number {
    const r = u.priv;
    return typeof r === 'number' && this.unit[r] === u ? r : -1;
  }

  /** A fresh record for `u` (csched_alloc_udata): credit 0, UNDER, on no runqueue. */
  alloc(u: Unit, sd: CschedDom): number {
    let r = this.freeList.pop();
    if (r === undefined) {
      if (this.used === this.cap) this.grow();
      r = this.used++;
    }
    this.unit[r] = u;
    this.dom[r] = sd;
    this.idx[r] = u.idx;
    this.recOf = withRoomFor(this.recOf, u.idx);
    this.recOf[u.idx] = r;
    this.f.fill(0, r * F_STRIDE, r * F_STRIDE + I_BASE / 2);
    const b = r * I_STRIDE;
    this.i.fill(-1, b + I_BASE, b + I_STRIDE);
    this.i[b + I_PRI] = CSCHED_PRI_TS_UNDER;
    this.i[b + I_FLAGS] = 0;
    return r;
  }

  /** csched_free_udata: the record (not queued, not active) can be reused. */
  free(r: number): void {
    this.recOf[this.idx[r]!] = -1;
    this.unit[r] = null;
    this.dom[r] = null;
    this.freeList.push(r);
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

  private grow(): void {
    const cap = this.cap * 2;
    this.f = grown(this.f, cap * F_STRIDE);
    this.i = new Int32Array(this.f.buffer);
    this.idx = grown(this.idx, cap);
    this.cap = cap;
  }

  /** Append record r to its domain's active list (list_add in __csched_unit_acct_start). */
  actStart(r: number): void {
    const sd = this.dom[r]!;
    const I = this.i;
    const b = r * I_STRIDE;
    I[b + I_FLAGS]! |= CSCHED_FLAG_ACTIVE;
    I[b + I_ACT_PREV] = sd.actTail;
    I[b + I_ACT_NEXT] = -1;
    if (sd.actTail >= 0) I[sd.actTail * I_STRIDE + I_ACT_NEXT] = r;
    else sd.actHead = r;
    sd.actTail = r;
    sd.nrActive++;
  }

  /** Take record r off its domain's active list (__csched_unit_acct_stop_locked). */
  actStop(r: number): void {
    const sd = this.dom[r]!;
    const I = this.i;
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
