/**
 * Credit2's per-unit data, Xen's struct csched2_unit (xen/common/sched/credit2.c): credit,
 * start_time, budget, weight, residual, avgload, load_last_update, tickled_cpu, rqd and the
 * flags (__CSFLAG_scheduled, parked, on the runqueue). All integers, as Xen's
 * (credit2-arith.ts).
 *
 * One host-wide typed table, one 64-byte record per unit, indexed by the core's Unit.idx
 * (dense and stable while the unit lives). credit2's walks — runq_tickle over the running
 * units of a runqueue, reset_credit over all the units of a runqueue, balance_load over
 * two runqueues' units, runq_insert's ordered search — reach a unit through its index in
 * an integer list: the address of its numbers is known before the load, so the CPU
 * overlaps the misses, instead of Unit → C2Unit object → boxed double (two dependent
 * misses per unit on the 16,384-vCPU bench). Read with plain `f[idx * F_STRIDE + F_x]`,
 * no getters (getters into a shared table measured 5 % slower).
 *
 * The record's numbers read on the hot paths are in it; what only capped domains need
 * (the budget and its quota) and its domain are side tables read when a flag says they
 * matter (has_cap() is Xen's test too).
 */
import type { Timer } from '../clock';
import { grown } from '../typed-grow';
import type { Unit } from './core';

/** struct csched2_dom. */
export class C2Dom {
  weight: number;
  cap = 0;
  nrUnits = 0;
  budget = 0;
  totBudget = 0;
  replTimer: Timer | null = null;
  /** Parked units' indices, in the order they were parked. */
  readonly parked: number[] = [];
  constructor(weight: number) {
    this.weight = weight;
  }
}

/**
 * The table's storage: records of `stride` doubles (`f`; `i` is the same buffer as
 * integers), rows by idx. The record's layout (which double, which integer, the flags)
 * is credit2.ts's, as const enums there: esbuild writes their numbers into the code, so an
 * access is an index computation, not a load of a module variable first (that was 5 %
 * of the 64-pCPU case).
 */
export class C2Units {
  f: Float64Array;
  i: Int32Array;
  /** has_cap() units' budget (ns held) and the slice they take at a time. */
  budget = new Float64Array(64);
  budgetQuota = new Float64Array(64);
  /** idx → its unit and its domain's data (null for rows no unit of this scheduler has). */
  readonly unit: (Unit | null)[] = [];
  readonly dom: (C2Dom | null)[] = [];

  constructor(private readonly stride: number) {
    this.f = new Float64Array(64 * stride);
    this.i = new Int32Array(this.f.buffer);
  }

  /** Row idx is `u`'s, of domain `sd`; the table grows to hold it (f and i may be new arrays). */
  bind(u: Unit, sd: C2Dom): void {
    const idx = u.idx;
    if ((idx + 1) * this.stride > this.f.length) this.grow(idx + 1);
    while (this.unit.length <= idx) {
      this.unit.push(null);
      this.dom.push(null);
    }
    this.unit[idx] = u;
    this.dom[idx] = sd;
  }

  private grow(rows: number): void {
    let n = this.f.length / this.stride;
    while (n < rows) n *= 2;
    this.f = grown(this.f, n * this.stride);
    this.i = new Int32Array(this.f.buffer);
    this.budget = grown(this.budget, n);
    this.budgetQuota = grown(this.budgetQuota, n);
  }
}

/**
 * A unit's unit->priv in credit2: which table row is its and for which domain data it was
 * made (a unit moved to another pool's scheduler starts afresh, as csched2_alloc_udata).
 */
export class C2UnitRef {
  constructor(
    readonly units: C2Units,
    readonly idx: number,
    readonly dom: C2Dom,
    private readonly rqdOf: (idx: number) => unknown,
  ) {}

  /** The runqueue it is assigned to (svc->rqd), null when none. */
  get rqd(): unknown {
    return this.rqdOf(this.idx);
  }
}
