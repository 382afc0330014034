/**
 * Credit2, Xen's default scheduler since 4.12 (xen/common/sched/credit2.c).
 *
 * How it works, in plain words:
 *
 * - Every vCPU has "credit", measured in nanoseconds of run time. It starts at 10 ms
 *   (CREDIT_INIT). While a vCPU runs, its credit burns at a rate that depends on its
 *   weight: the vCPU with the highest weight on the runqueue burns 1 credit per ns,
 *   one with half that weight burns 2 per ns, and so on. So weight is "how slowly you
 *   spend your money".
 * - Each runqueue keeps its waiting vCPUs sorted by credit; a pCPU always runs the
 *   vCPU with the most credit. The running vCPU gets a time slice that lasts until its
 *   credit would drop to that of the next waiting vCPU, but never less than 500 µs
 *   (MIN_TIMER) nor more than 10 ms (MAX_TIMER), and at least the ratelimit (1000 µs by
 *   default) once it has started.
 * - When the vCPU chosen to run has no credit left (≤ 0), every vCPU on the runqueue
 *   gets CREDIT_INIT added (twice that if the chosen one sank to CREDIT_MIN) and is clipped to
 *   CREDIT_INIT + 500 µs of carry-over: a "credit reset" that starts a new epoch. Over
 *   an epoch each vCPU gets run time in proportion to its weight.
 * - A vCPU that wakes up with more credit than one that is running preempts it (a
 *   "tickle"), unless that one has not yet run for its ratelimit. Idle pCPUs are
 *   tickled first, and among them those in the vCPU's soft affinity. A vCPU that
 *   mostly sleeps keeps its credit high, so it is picked quickly when it wakes: low
 *   wake-up latency without a special "boost" state.
 * - pCPUs are grouped into runqueues: one per socket by default (credit2_runqueue=
 *   cpu|core|socket|node|all), each with at most 16 pCPUs (max_cpus_runqueue, evened
 *   out over the host's pCPUs; hyperthread siblings stay together: credit2-arrangement.ts).
 * - Every runqueue tracks its load (the number of vCPUs that want to run) as an
 *   exponentially decaying average over a ~1 s window (2^30 ns, in Q18 fixed point,
 *   as Xen does), and so does every vCPU. At each credit reset, the runqueue compares
 *   its average load with the most different other runqueue and, if the difference is
 *   worth it, pushes, pulls or swaps the vCPUs whose move makes the two loads closest.
 * - Hard affinity is never violated: a vCPU only runs on, and is only moved to, pCPUs
 *   it may use. Soft affinity is a preference: when picking a runqueue and a pCPU, and
 *   when choosing an idle pCPU to wake one on, the soft-affine ones come first.
 * - A cap (percent of one pCPU) is enforced with a per-domain budget refilled every
 *   10 ms (cap period) to cap% of the period. Running vCPUs take budget from the
 *   domain in slices; a vCPU that finds none is "parked" until the next refill.
 *
 * Credits, budgets and times are integer ns and loads Q18 integers on a 1024 ns grain,
 * computed as Xen computes them (t2c_update's residual, c2t's division, the shifts of
 * update_runq_load): credit2-arith.ts says why each value stays exact in a double.
 *
 * Where this differs from Xen 4.17's credit2.c, on purpose:
 * - tickle_score() reads what the running unit's credit would be after burn_credits()
 *   instead of burning it there: the same value, burnt later in one step.
 * - No SCHEDOP_yield (the workloads never yield), no tasklet work, and no trylock that
 *   fails (one thread): runq_candidate's yield paths and balance_load's retries are absent.
 */
import { MICROSECS, MILLISECS, type STime, type Timer, type Clock } from '../clock';
import type { Topology } from '../topology';
import type { SchedDomainRec, Unit } from './core';
import { insertAt, removeAt } from './queue';
import { Runq, RunqLoads } from './credit2-runq';
import { C2Dom, C2UnitRef, C2Units } from './credit2-units';
import { c2t, LOADAVG_PRECISION_SHIFT, loadavgStep, loadGrain, loadQ, loadWindowPassed, t2cCredits, t2cResidual } from './credit2-arith';
import {
  SCHED_DEFAULT_RATELIMIT_US,
  XEN_SCHEDULER_ID,
  type DomainSchedOp,
  type DomainSchedResult,
  type PoolSchedOp,
  type PoolSchedParams,
  type SchedCoreApi,
  type SchedDump,
  type SchedDumpContext,
  type Scheduler,
  checkWeightCap,
} from './scheduler';
import { credit2Dump } from './credit2-dump';
import { schedSetMigrating } from './unit-migrate';
import { capTotBudget, checkCredit2PoolParams, credit2NoVcpuParams, CSCHED2_CAP_PERIOD_MS } from './credit2-params';
import { bitClear, bitOn, bitSet, idleFirstFrom } from './credit2-masks';
import { lowBit } from './cpu-bits';
import { firstUnusedRunqueueId, MAX_CPUS_RUNQ, runqueueFor, type Credit2RunqueueKind } from './credit2-arrangement';

export const CSCHED2_DEFAULT_WEIGHT = 256;
export const CSCHED2_MIN_TIMER = MICROSECS(500);
export const CSCHED2_CREDIT_INIT = MILLISECS(10);
export const CSCHED2_CREDIT_MIN = -CSCHED2_CREDIT_INIT;
export const CSCHED2_IDLE_CREDIT = CSCHED2_CREDIT_MIN - 1;
export const CSCHED2_CARRYOVER_MAX = CSCHED2_MIN_TIMER;
export const CSCHED2_MIGRATE_RESIST = MICROSECS(500);
export const CSCHED2_MIGRATE_COMPENSATION = MICROSECS(50);
export const CSCHED2_RATELIMIT_TICKLE_TOLERANCE = MICROSECS(50);
export const CSCHED2_CREDIT_RESET = 0;
export const CSCHED2_MAX_TIMER = CSCHED2_CREDIT_INIT;
export { CSCHED2_CAP_PERIOD_MS } from './credit2-params';
export { MAX_CPUS_RUNQ, type Credit2RunqueueKind } from './credit2-arrangement';
export { LOADAVG_GRANULARITY_SHIFT, LOADAVG_PRECISION_SHIFT, LOADAVG_WINDOW_SHIFT } from './credit2-arith';
/** credit2_balance_under / credit2_balance_over (in powers of two of one vCPU of load). */
export const BALANCE_UNDER_TOLERANCE = 0;
export const BALANCE_OVER_TOLERANCE = -3;

export interface Credit2Options {
  runqueue?: Credit2RunqueueKind;
  maxCpusRunqueue?: number;
  ratelimitUs?: number;
}

/** 1 << load_precision_shift: one unit of load in Q18. */
const P = 2 ** LOADAVG_PRECISION_SHIFT;

/**
 * A unit's record in the table (credit2-units.ts), 64 bytes at the unit's idx: five
 * doubles in `tf` from idx·F.STRIDE, then six integers in `ti` from idx·I.STRIDE. Const
 * enums, so the offsets are numbers in the code. Every number is an integer, as Xen's
 * (credit2-arith.ts): credit and times in ns, avgload in Q18 fixed point,
 * load_last_update in grains of 1024 ns.
 */
const enum F {
  STRIDE = 8,
  CREDIT = 0,
  START_TIME = 1,
  /** When the current run started (for the ratelimit). */
  RUN_START = 2,
  AVGLOAD = 3,
  /** In grains (now >> LOADAVG_GRANULARITY_SHIFT). */
  LOAD_LAST_UPDATE = 4,
}
const enum I {
  STRIDE = 16,
  WEIGHT = 10,
  /** C2 flags. */
  FLAGS = 11,
  /** The pCPU tickled to run it, -1 if none. */
  TICKLED_CPU = 12,
  /** v->processor, mirrored: every write to Unit.processor while it is in credit2 is known here. */
  PROCESSOR = 13,
  /** Its runqueue's slot, -1 when assigned to none (svc->rqd). */
  RQD = 14,
  /** t2c_update()'s residual: what the last burns left of time * max_weight below a credit (< weight). */
  RESIDUAL = 15,
}
/** A record's flags. */
const enum C2 {
  /** On its runqueue's list of waiting units. */
  ON_RUNQ = 1,
  /** Parked: its domain is out of budget (park_unit). */
  PARKED = 2,
  /** has_cap(): its domain has a cap, its budget is in the table's `budget`. */
  CAPPED = 4,
  /**
   * Running on a pCPU (the core's Unit.pcpu ≥ 0). That pCPU is its I.PROCESSOR: the core
   * sets v->processor when it starts running it, and credit2 moves only units that do not run.
   */
  RUNNING = 8,
  /** Unit.hardAll when it joined: hard affinity needs no test. */
  HARD_ALL = 16,
  /** Unit.hasSoft when it joined: soft affinity is worth testing. */
  HAS_SOFT = 32,
  /** Its soft affinity (cpu_soft_affinity, as set) is every pCPU, when it joined. */
  SOFT_ALL = 64,
  /**
   * Counted in its runqueue's load (rqd->load): from update_load(+1) to update_load(-1).
   * Xen knows this from where it is (on the runqueue, or scheduled until context_saved);
   * the flag saves working that out. It is not the unit's own load (update_svc_load).
   */
  LOADED = 128,
  /**
   * CSFLAG_runq_migrate_request: balance_load's migrate() asked this running (or just
   * picked) unit to move to migrateRqd's runqueue; it is _VPF_migrating meanwhile, and
   * res_pick sends it there once its pCPU switched it out (unit-migrate.ts).
   */
  MIGRATE_REQUEST = 256,
}
/** A runqueue's load row (credit2-runq.ts RunqLoads), by its slot. */
const enum RQ {
  STRIDE = 4,
  /** Units that want to run (instload). */
  LOAD = 0,
  /** Q18. */
  AVGLOAD = 1,
  /** The average used for balancing: also moved along with the units assigned (b_avgload, Q18). */
  B_AVGLOAD = 2,
  /** In grains; 0 for a new runqueue (cpu_add_to_runqueue's xzalloc). */
  LOAD_LAST_UPDATE = 3,
}

const byNumber = (a: number, b: number): number => a - b;

/** The record's copies of the core's affinity flags for unit `u` (HARD_ALL, HAS_SOFT, SOFT_ALL). */
const affinityFlags = (u: Unit): number => (u.hardAll ? C2.HARD_ALL : 0) | (u.hasSoft ? C2.HAS_SOFT : 0) | (u.vcpu.softAffinity.full ? C2.SOFT_ALL : 0);

/** balance_load's pull sort keys: avgload · PULL_POS_MAX + list position (sortPulls). */
const PULL_POS_MAX = 2 ** 20;
const PULL_POS_INV = 2 ** -20;
const PULL_KEY_MAX = 2 ** 32;

/**
 * cpumask_cycle(rq->pick_bias, mask) over the runqueue's pCPUs that pass `ok`: the first
 * after the bias in cpu order, wrapping (the bias itself last); -1 if none.
 */
function cycleBias(rq: Runq, ok: (cpu: number) => boolean): number {
  const cpus = rq.cpus;
  const n = cpus.length;
  let k = 0;
  while (k < n && cpus[k]! <= rq.pickBias) k++;
  for (let i = 0; i < n; i++) {
    const c = cpus[(k + i) % n]!;
    if (ok(c)) return c;
  }
  return -1;
}

/** cpumask_test_cpu(cpu, unit->cpu_soft_affinity): the mask as set, not met with hard affinity. */
const inSoftMask = (u: Unit, cpu: number): boolean => (u.vcpu.softAffinity.bits[cpu >>> 5]! & (1 << (cpu & 31))) !== 0;

export class Credit2Scheduler implements Scheduler {
  readonly name = 'credit2';
  readonly id = XEN_SCHEDULER_ID.credit2;
  slice: STime = -1;
  ratelimitUs: number;
  readonly runqueueKind: Credit2RunqueueKind;
  readonly maxCpusRunqueue: number;
  private readonly rqs: Runq[] = [];
  /** The slots of `rqs`, in the same order (balance_load walks these). */
  private readonly rqSlots: number[] = [];
  private readonly rqBySlot: (Runq | null)[] = [];
  private readonly rqOf: (Runq | null)[];
  /** Per pCPU: its runqueue's slot, -1 when it has none. */
  private readonly rqSlotOf: Int32Array;
  /** Idle pCPUs (rqd->idle) and tickled ones (rqd->tickled), bitmaps (credit2-masks.ts). */
  private readonly idleBits: Uint32Array;
  private readonly tickledBits: Uint32Array;
  /** Fully idle cores as a bitmap test (idleWord's smt): threads of at most two a core. */
  private readonly smtBits: boolean;
  /** Per pCPU: the idx of the unit it runs, -1 when idle (curr_on_cpu(), as this scheduler last handed it out). */
  private readonly curIdx: Int32Array;
  /**
   * Per pCPU: when its current unit started running (that unit's F.RUN_START, which does
   * not change while it runs). runq_tickle's ratelimit test reads it for every busy pCPU
   * of the runqueue and most of them stop there: 16 pCPUs' values are two cache lines
   * instead of 16 units' records.
   */
  private readonly curRunStart: Float64Array;
  private ratelimitNs: number;
  private readonly doms = new Set<C2Dom>();
  private readonly t = new C2Units(F.STRIDE);
  /** The table's views (refreshed when it grows, in insertUnit). */
  private ti = this.t.i;
  private tf = this.t.f;
  private readonly rqLoads = new RunqLoads(RQ.STRIDE);
  /** Runqueue load balancing moves done (for metrics/tests). */
  migrations = 0;

  constructor(
    private readonly core: SchedCoreApi,
    private readonly clock: Clock,
    private readonly topo: Topology,
    opts: Credit2Options = {},
  ) {
    this.ratelimitUs = opts.ratelimitUs ?? SCHED_DEFAULT_RATELIMIT_US;
    this.runqueueKind = opts.runqueue ?? 'socket';
    this.maxCpusRunqueue = opts.maxCpusRunqueue ?? MAX_CPUS_RUNQ;
    this.rqOf = new Array<Runq | null>(core.nrCpus).fill(null);
    this.rqSlotOf = new Int32Array(core.nrCpus).fill(-1);
    this.idleBits = new Uint32Array((core.nrCpus + 31) >>> 5);
    this.tickledBits = new Uint32Array((core.nrCpus + 31) >>> 5);
    this.smtBits = topo.threadsPerCore <= 2;
    this.curIdx = new Int32Array(core.nrCpus).fill(-1);
    this.curRunStart = new Float64Array(core.nrCpus);
    this.ratelimitNs = MICROSECS(this.ratelimitUs);
  }

  private setIdle(rq: Runq, cpu: number, idle: boolean): void {
    if (bitOn(this.idleBits, cpu) === idle) return;
    if (idle) bitSet(this.idleBits, cpu);
    else bitClear(this.idleBits, cpu);
    rq.nIdle += idle ? 1 : -1;
  }

  /** The unit may run on `cpu` (hard affinity; the flag spares the mask test). */
  private hardOk(idx: number, cpu: number): boolean {
    return (this.ti[idx * I.STRIDE + I.FLAGS]! & C2.HARD_ALL) !== 0 || this.t.unit[idx]!.hardOk(cpu);
  }

  // --- runqueue arrangement --------------------------------------------------------

  initPcpu(cpu: number, _now: STime): void {
    const k = runqueueFor(this.topo, this.runqueueKind, this.maxCpusRunqueue, cpu, this.rqs);
    let rq = k >= 0 ? this.rqs[k]! : null;
    if (!rq) {
      const slot = this.rqLoads.alloc();
      // cpu_add_to_runqueue(): the first unused id, at that place in the id-ordered list
      const at = firstUnusedRunqueueId(this.rqs);
      rq = new Runq(at, slot, this.t.unit);
      // rqd->pick_bias starts at the runqueue's first pCPU (cpu_add_to_runqueue)
      rq.pickBias = cpu;
      this.rqs.splice(at, 0, rq);
      this.rqSlots.splice(at, 0, slot);
      while (this.rqBySlot.length <= slot) this.rqBySlot.push(null);
      this.rqBySlot[slot] = rq;
    }
    rq.cpus.push(cpu);
    rq.cpus.sort(byNumber);
    rq.mask.set(rq.cpus);
    this.setIdle(rq, cpu, true);
    this.rqOf[cpu] = rq;
    this.rqSlotOf[cpu] = rq.slot;
  }

  deinitPcpu(cpu: number): void {
    const rq = this.rqOf[cpu];
    if (!rq) return;
    rq.cpus.splice(rq.cpus.indexOf(cpu), 1);
    rq.mask.set(rq.cpus);
    this.setIdle(rq, cpu, false);
    bitClear(this.tickledBits, cpu);
    this.rqOf[cpu] = null;
    this.rqSlotOf[cpu] = -1;
    this.curIdx[cpu] = -1;
    if (rq.cpus.length === 0) {
      if (rq.svc.length > 0) throw new Error(`credit2: runqueue ${rq.id} still has units`);
      const i = this.rqs.indexOf(rq);
      this.rqs.splice(i, 1);
      this.rqSlots.splice(i, 1);
      this.rqBySlot[rq.slot] = null;
      this.rqLoads.free(rq.slot);
    } else if (rq.pickBias === cpu) {
      // csched2_deinit_pdata(): a bias on the leaving pCPU moves to the first one left
      rq.pickBias = rq.cpus[0]!;
    }
  }

  /**
   * The runqueues (tests): id, pCPUs, instload, and avgload (as a fraction of one vCPU)
   * as last stored. Reading changes nothing: update_runq_load() runs only where Xen runs
   * it (csched2_dump() does not either).
   */
  runqueues(): { id: number; cpus: number[]; load: number; avgload: number; nrUnits: number }[] {
    return this.rqs.map((rq) => {
      const b = rq.slot * RQ.STRIDE;
      const rf = this.rqLoads.f;
      return { id: rq.id, cpus: [...rq.cpus], load: rf[b + RQ.LOAD]!, avgload: rf[b + RQ.AVGLOAD]! / P, nrUnits: rq.svc.length };
    });
  }

  /** The arrangement and each runqueue's pCPUs, read without touching the load averages. */
  arrangement(): { kind: Credit2RunqueueKind; maxCpusRunqueue: number; runqueues: { id: number; cpus: number[] }[] } {
    return { kind: this.runqueueKind, maxCpusRunqueue: this.maxCpusRunqueue, runqueues: this.rqs.map((rq) => ({ id: rq.id, cpus: [...rq.cpus] })) };
  }

  runqueueOf(cpu: number): number {
    return this.rqOf[cpu]?.id ?? -1;
  }

  // --- domains and units -----------------------------------------------------------

  insertDomain(d: SchedDomainRec): void {
    if (!(d.priv instanceof C2Dom)) d.priv = new C2Dom(CSCHED2_DEFAULT_WEIGHT);
    this.doms.add(d.priv as C2Dom);
  }

  removeDomain(d: SchedDomainRec): void {
    const sd = d.priv as C2Dom;
    if (sd.replTimer) this.clock.cancel(sd.replTimer);
    this.doms.delete(sd);
  }

  /** The unit's row in this scheduler's table, -1 if it has none (never inserted here). */
  private rowOf(u: Unit): number {
    const ref = u.priv;
    return ref instanceof C2UnitRef && ref.units === this.t ? ref.idx : -1;
  }

  private readonly rqdOfIdx = (idx: number): Runq | null => {
    const s = this.ti[idx * I.STRIDE + I.RQD]!;
    return s >= 0 ? this.rqBySlot[s]! : null;
  };

  /** csched2_alloc_udata(): a new record for `u` at its idx, as a new unit of domain `sd` starts. */
  private freshRecord(u: Unit, sd: C2Dom, now: STime): void {
    this.t.bind(u, sd);
    const tf = (this.tf = this.t.f);
    const ti = (this.ti = this.t.i);
    const idx = u.idx;
    const b = idx * F.STRIDE;
    tf[b + F.CREDIT] = CSCHED2_CREDIT_INIT;
    tf[b + F.START_TIME] = 0;
    tf[b + F.RUN_START] = 0;
    // csched2_alloc_udata(): "starting load of 50 %", 1 << (load_precision_shift - 1),
    // as of NOW() >> LOADAVG_GRANULARITY_SHIFT
    tf[b + F.AVGLOAD] = P / 2;
    tf[b + F.LOAD_LAST_UPDATE] = loadGrain(now);
    const r = idx * I.STRIDE;
    ti[r + I.WEIGHT] = sd.weight;
    ti[r + I.FLAGS] = 0;
    ti[r + I.TICKLED_CPU] = -1;
    ti[r + I.PROCESSOR] = u.processor;
    ti[r + I.RQD] = -1;
    ti[r + I.RESIDUAL] = 0;
    this.t.budget[idx] = 0;
    this.t.budgetQuota[idx] = 0;
  }

  insertUnit(u: Unit, now: STime): void {
    const sd = u.dom.priv as C2Dom;
    const ref = u.priv instanceof C2UnitRef && u.priv.units === this.t ? u.priv : null;
    if (!ref || ref.dom !== sd) {
      this.freshRecord(u, sd, now);
      u.priv = new C2UnitRef(this.t, u.idx, sd, this.rqdOfIdx);
    }
    const idx = u.idx;
    const ti = this.ti;
    const r = idx * I.STRIDE;
    ti[r + I.WEIGHT] = sd.weight;
    // the affinity flags as attach just set them (adjustAffinity keeps them in step after)
    let fl = (ti[r + I.FLAGS]! & ~(C2.ON_RUNQ | C2.PARKED | C2.RUNNING | C2.CAPPED | C2.HARD_ALL | C2.HAS_SOFT | C2.SOFT_ALL | C2.LOADED | C2.MIGRATE_REQUEST)) | affinityFlags(u);
    this.migrateRqd.delete(idx);
    ti[r + I.TICKLED_CPU] = -1;
    ti[r + I.PROCESSOR] = u.processor;
    // the load average goes on from csched2_alloc_udata()'s (csched2_unit_insert leaves it)
    sd.nrUnits++;
    if (sd.cap > 0) {
      fl |= C2.CAPPED;
      this.t.budget[idx] = 0;
      this.t.budgetQuota[idx] = Math.max(Math.floor(sd.totBudget / sd.nrUnits), CSCHED2_MIN_TIMER);
    }
    ti[r + I.FLAGS] = fl;
    const cpu = this.pickCpu(u, now);
    u.processor = cpu;
    ti[r + I.PROCESSOR] = cpu;
    this.assign(idx, this.rqOf[cpu]!);
  }

  removeUnit(u: Unit, now: STime): void {
    const idx = u.idx;
    this.dequeue(idx, now);
    if (this.ti[idx * I.STRIDE + I.RQD]! >= 0) this.deassign(idx);
    this.t.dom[idx]!.nrUnits--;
  }

  private assign(idx: number, rq: Runq): void {
    this.ti[idx * I.STRIDE + I.RQD] = rq.slot;
    rq.svc.push(idx);
    rq.addWeight(this.ti[idx * I.STRIDE + I.WEIGHT]!);
    // expected new load with this unit
    const rf = this.rqLoads.f;
    const b = rq.slot * RQ.STRIDE + RQ.B_AVGLOAD;
    rf[b] = rf[b]! + this.tf[idx * F.STRIDE + F.AVGLOAD]!;
  }

  private deassign(idx: number): void {
    const r = idx * I.STRIDE;
    const rq = this.rqBySlot[this.ti[r + I.RQD]!]!;
    removeAt(rq.svc, rq.svc.indexOf(idx));
    rq.removeWeight(this.ti[r + I.WEIGHT]!);
    const rf = this.rqLoads.f;
    const b = rq.slot * RQ.STRIDE + RQ.B_AVGLOAD;
    rf[b] = Math.max(0, rf[b]! - this.tf[idx * F.STRIDE + F.AVGLOAD]!);
    this.ti[r + I.RQD] = -1;
  }

  /** Off the runqueue / parked list, load −1 (sleep, removal). */
  private dequeue(idx: number, now: STime): void {
    const ti = this.ti;
    const r = idx * I.STRIDE;
    if (ti[r + I.FLAGS]! & C2.ON_RUNQ) this.runqRemove(idx);
    if (ti[r + I.FLAGS]! & C2.PARKED) {
      const list = this.t.dom[idx]!.parked;
      const i = list.indexOf(idx);
      if (i >= 0) removeAt(list, i);
      ti[r + I.FLAGS] = ti[r + I.FLAGS]! & ~C2.PARKED;
    }
    const s = ti[r + I.RQD]!;
    if (ti[r + I.FLAGS]! & C2.LOADED && s >= 0) this.updateLoad(idx, s, -1, now);
  }

  // --- load tracking (update_runq_load / update_svc_load) --------------------------

  /**
   * update_runq_load(): the runqueue's averages brought to `now` (in grains) with the load
   * they had since the last update, then its load changed by `change`.
   */
  private updateRunqLoad(slot: number, change: number, now: STime): void {
    this.runqLoadAt(slot, change, loadGrain(now));
  }

  /** updateRunqLoad() at `g`, now in grains (computed once for several updates at one instant). */
  private runqLoadAt(slot: number, change: number, g: number): void {
    const rf = this.rqLoads.f;
    const b = slot * RQ.STRIDE;
    const last = rf[b + RQ.LOAD_LAST_UPDATE]!;
    const load = rf[b + RQ.LOAD]!;
    if (loadWindowPassed(last, g)) rf[b + RQ.AVGLOAD] = rf[b + RQ.B_AVGLOAD] = loadQ(load);
    else if (g > last) {
      // "Time went backwards?": delta < 0 counts as 0, which changes nothing
      const delta = g - last;
      rf[b + RQ.AVGLOAD] = loadavgStep(rf[b + RQ.AVGLOAD]!, delta, load);
      rf[b + RQ.B_AVGLOAD] = loadavgStep(rf[b + RQ.B_AVGLOAD]!, delta, load);
    }
    rf[b + RQ.LOAD] = load + change;
    rf[b + RQ.LOAD_LAST_UPDATE] = g;
  }

  /**
   * update_svc_load(): the unit's average brought to `now`. Its load since the last update
   * is Xen's: 1 if it is now leaving the runqueue's load (change -1), 0 if it is joining it
   * (+1), else whether it is runnable now (unit_runnable(): not blocked, not parked; a unit
   * that has blocked but still runs until its pCPU's schedule counts 0).
   */
  private updateSvcLoad(idx: number, change: number, now: STime): void {
    this.svcLoadAt(idx, change, loadGrain(now));
  }

  /** updateSvcLoad() at `g`, now in grains. */
  private svcLoadAt(idx: number, change: number, g: number): void {
    const r = idx * I.STRIDE + I.FLAGS;
    const fl = this.ti[r]!;
    this.svcLoadStep(idx, change < 0 ? 1 : change > 0 ? 0 : this.unitRunnable(idx, fl), g);
    if (change > 0) this.ti[r] = fl | C2.LOADED;
    else if (change < 0) this.ti[r] = fl & ~C2.LOADED;
  }

  /** update_svc_load()'s average at `g` (grains), the unit's load since the last update being `load`. */
  private svcLoadStep(idx: number, load: number, g: number): void {
    const tf = this.tf;
    const b = idx * F.STRIDE;
    const last = tf[b + F.LOAD_LAST_UPDATE]!;
    if (loadWindowPassed(last, g)) tf[b + F.AVGLOAD] = loadQ(load);
    else if (g > last) tf[b + F.AVGLOAD] = loadavgStep(tf[b + F.AVGLOAD]!, g - last, load);
    tf[b + F.LOAD_LAST_UPDATE] = g;
  }

  /**
   * unit_runnable() as 1 or 0, from the record's flags where they tell: a unit not counted
   * in its runqueue's load (blocked, asleep, not yet woken) or parked is not runnable; one
   * counted and not running is (queued, or just picked: a sleep takes a unit that does not
   * run out of the load at once). Only a running unit may have stopped being runnable
   * unseen (vcpu_sleep_nosync() only tickles its pCPU): the core's row says. balance_load
   * asks this of every unit of two runqueues, and the core's rows are a cache miss each.
   */
  private unitRunnable(idx: number, fl: number): number {
    if ((fl & (C2.LOADED | C2.PARKED)) !== C2.LOADED) return 0;
    if ((fl & C2.RUNNING) === 0) return 1;
    return this.core.runnable(idx) ? 1 : 0;
  }

  private updateLoad(idx: number, slot: number, change: number, now: STime): void {
    const g = loadGrain(now);
    this.runqLoadAt(slot, change, g);
    this.svcLoadAt(idx, change, g);
  }

  // --- runqueue --------------------------------------------------------------------

  private runqInsert(idx: number): void {
    const q = this.rqBySlot[this.ti[idx * I.STRIDE + I.RQD]!]!.q;
    const tf = this.tf;
    const cr = tf[idx * F.STRIDE + F.CREDIT]!;
    let lo = 0;
    let hi = q.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (tf[q[mid]! * F.STRIDE + F.CREDIT]! >= cr) lo = mid + 1;
      else hi = mid;
    }
    insertAt(q, lo, idx);
    this.ti[idx * I.STRIDE + I.FLAGS] = this.ti[idx * I.STRIDE + I.FLAGS]! | C2.ON_RUNQ;
  }

  private runqRemove(idx: number): void {
    const q = this.rqBySlot[this.ti[idx * I.STRIDE + I.RQD]!]!.q;
    const i = q.indexOf(idx);
    if (i >= 0) removeAt(q, i);
    this.ti[idx * I.STRIDE + I.FLAGS] = this.ti[idx * I.STRIDE + I.FLAGS]! & ~C2.ON_RUNQ;
  }

  // --- credits and budget ----------------------------------------------------------

  /**
   * burn_credits(): the time run since start_time, at t2c_update()'s rate: (delta *
   * max_weight + residual) / weight credits, an integer division whose remainder is kept
   * (svc->residual), so that many short runs cost what one long one does.
   */
  private burnCredits(rq: Runq, idx: number, now: STime): void {
    const tf = this.tf;
    const ti = this.ti;
    const b = idx * F.STRIDE;
    const delta = now - tf[b + F.START_TIME]!;
    if (delta <= 0) return;
    const r = idx * I.STRIDE;
    const w = ti[r + I.WEIGHT]!;
    const res = ti[r + I.RESIDUAL]!;
    const mw = rq.maxWeight;
    const burnt = t2cCredits(delta, mw, w, res);
    ti[r + I.RESIDUAL] = t2cResidual(delta, mw, w, res, burnt);
    let credit = tf[b + F.CREDIT]! - burnt;
    if (credit < CSCHED2_CREDIT_MIN) credit = CSCHED2_CREDIT_MIN;
    tf[b + F.CREDIT] = credit;
    if (this.ti[r + I.FLAGS]! & C2.CAPPED) this.t.budget[idx] = this.t.budget[idx]! - delta;
    tf[b + F.START_TIME] = now;
  }

  /** unit_grab_budget(): take a slice of the domain's budget; false if none is left. */
  private grabBudget(idx: number): boolean {
    // an uncapped unit is answered without touching the domain
    if ((this.ti[idx * I.STRIDE + I.FLAGS]! & C2.CAPPED) === 0) return true;
    const budget = this.t.budget;
    if (budget[idx]! > 0) return true;
    const sd = this.t.dom[idx]!;
    if (sd.cap === 0) return true;
    // what the unit overran (its budget is <= 0) is taken from the domain's
    sd.budget += budget[idx]!;
    if (sd.budget > 0) {
      const quota = this.t.budgetQuota[idx]!;
      const take = sd.budget >= quota ? quota : sd.budget;
      budget[idx] = take;
      sd.budget -= take;
      return true;
    }
    // none left: the caller parks it (park_unit)
    budget[idx] = 0;
    return false;
  }

  /** unit_return_budget(): give back what was not used; unpark others. */
  private returnBudget(idx: number, now: STime): void {
    if ((this.ti[idx * I.STRIDE + I.FLAGS]! & C2.CAPPED) === 0) return;
    const sd = this.t.dom[idx]!;
    if (sd.cap === 0) return;
    const b = this.t.budget[idx]!;
    if (b > 0) {
      sd.budget += b;
      this.t.budget[idx] = 0;
      if (sd.budget > 0 && sd.parked.length > 0) this.unpark(sd, now);
    }
  }

  private park(idx: number): void {
    const r = idx * I.STRIDE + I.FLAGS;
    if (this.ti[r]! & C2.PARKED) return;
    this.ti[r] = this.ti[r]! | C2.PARKED;
    this.t.dom[idx]!.parked.push(idx);
  }

  private unpark(sd: C2Dom, now: STime): void {
    const list = sd.parked.splice(0);
    const ti = this.ti;
    for (const idx of list) {
      const r = idx * I.STRIDE;
      ti[r + I.FLAGS] = ti[r + I.FLAGS]! & ~C2.PARKED;
      const slot = ti[r + I.RQD]!;
      if (this.core.awake(idx) && (ti[r + I.FLAGS]! & (C2.RUNNING | C2.ON_RUNQ)) === 0 && slot >= 0) {
        // unpark_parked_units(): counted in the load again, queued, tickle
        this.updateLoad(idx, slot, 1, now);
        this.runqInsert(idx);
        this.tickle(idx, now);
      }
    }
  }

  /**
   * replenish_domain_budget(): tot_budget more each period; a domain still at or below 0
   * (it overran by more than a period's budget) unparks nobody and waits for the next.
   */
  private replenish(sd: C2Dom, now: STime): void {
    sd.budget += sd.totBudget;
    if (sd.budget <= 0) return;
    if (sd.budget > sd.totBudget) sd.budget = sd.totBudget;
    if (sd.parked.length > 0) this.unpark(sd, now);
  }

  private resetCredit(rq: Runq, snext: number, now: STime): void {
    const tf = this.tf;
    const ti = this.ti;
    // reset_credit() in Xen 4.17: burn_credits() never takes a credit below
    // CSCHED2_CREDIT_MIN (-CSCHED2_CREDIT_INIT), and a snext sunk to it gets twice
    // CSCHED2_CREDIT_INIT, so that it is in the black again
    const add = tf[snext * F.STRIDE + F.CREDIT]! <= CSCHED2_CREDIT_MIN ? 2 * CSCHED2_CREDIT_INIT : CSCHED2_CREDIT_INIT;
    const svc = rq.svc;
    for (let k = 0; k < svc.length; k++) {
      const idx = svc[k]!;
      const fl = ti[idx * I.STRIDE + I.FLAGS]!;
      if (fl & C2.RUNNING && idx !== snext) {
        this.burnCredits(rq, idx, now);
        if (fl & C2.CAPPED && this.t.budget[idx]! <= 0) this.core.tickle(ti[idx * I.STRIDE + I.PROCESSOR]!);
      }
      const b = idx * F.STRIDE;
      let credit = tf[b + F.CREDIT]! + add;
      if (credit > CSCHED2_CREDIT_INIT + CSCHED2_CARRYOVER_MAX) credit = CSCHED2_CREDIT_INIT + CSCHED2_CARRYOVER_MAX;
      tf[b + F.CREDIT] = credit;
      tf[b + F.START_TIME] = now;
    }
    // adding the same amount and clipping at one ceiling keeps the runqueue's order
  }

  // --- picking pCPUs and tickling --------------------------------------------------

  /**
   * csched2_res_pick() (Xen 4.17): the runqueue of least b_avgload (as last updated: Xen
   * reads it without update_runq_load) among those with a pCPU of the unit's soft
   * affinity, else of its hard affinity (its own runqueue's load less its own), and there
   * cpumask_cycle(pick_bias, ...): the first such pCPU after the runqueue's bias, idle or
   * not; the bias moves to it.
   */
  pickCpu(u: Unit, _now: STime): number {
    const idx = this.rowOf(u);
    // "First check to see if we're here because someone else suggested a place for us to
    // move": migrate()'s request, if the runqueue is still there and the hard affinity
    // meets it; its bias cycled to the pCPU given (soft affinity is runq_tickle's business)
    if (idx >= 0 && this.ti[idx * I.STRIDE + I.FLAGS]! & C2.MIGRATE_REQUEST) {
      this.ti[idx * I.STRIDE + I.FLAGS] = this.ti[idx * I.STRIDE + I.FLAGS]! & ~C2.MIGRATE_REQUEST;
      const to = this.migrateRqd.get(idx)!;
      this.migrateRqd.delete(idx);
      const cpu = this.rqs.includes(to) ? cycleBias(to, (c) => u.hardOk(c)) : -1;
      if (cpu >= 0) {
        to.pickBias = cpu;
        return cpu;
      }
    }
    const hasSoft = u.hasSoft;
    const ownSlot = idx >= 0 ? this.ti[idx * I.STRIDE + I.RQD]! : -1;
    let minLoad = Infinity;
    let minRq: Runq | null = null;
    let minSLoad = Infinity;
    let minSRq: Runq | null = null;
    const rf = this.rqLoads.f;
    // every pCPU in the unit's hard affinity and no soft one (the common case): each
    // runqueue has a pCPU of both, no mask to test
    const anyCpu = !hasSoft && u.hardAll;
    for (const rq of this.rqs) {
      let hard = anyCpu && rq.cpus.length > 0;
      let soft = hard;
      if (!anyCpu) {
        for (const c of rq.cpus) {
          if (u.hardOk(c)) {
            hard = true;
            if (!hasSoft || u.softOk(c)) {
              soft = true;
              break;
            }
          }
        }
      }
      if (!hard) continue;
      let load = rf[rq.slot * RQ.STRIDE + RQ.B_AVGLOAD]!;
      if (ownSlot === rq.slot) load = Math.max(0, load - this.tf[idx * F.STRIDE + F.AVGLOAD]!);
      if (hasSoft && soft && load < minSLoad) {
        minSLoad = load;
        minSRq = rq;
      }
      if (load < minLoad) {
        minLoad = load;
        minRq = rq;
      }
    }
    const rq = hasSoft && minSRq ? minSRq : minRq;
    const proc = u.processor;
    if (!rq) return proc;
    const useSoft = hasSoft && rq === minSRq;
    let first = cycleBias(rq, useSoft ? (c) => u.softOk(c) : (c) => u.hardOk(c));
    if (first < 0) first = rq.cpus.find((c) => u.hardOk(c)) ?? rq.cpus[0]!;
    rq.pickBias = first;
    return first;
  }

  /**
   * csched2_unit_migrate(): the unit (not running, off the runqueue) moves to `cpu`'s
   * runqueue through migrate() if that is another one (which takes its own pCPU there,
   * cpumask_cycle of the pick_bias), else only its processor changes.
   */
  migrateUnit(u: Unit, cpu: number, now: STime): void {
    const idx = u.idx;
    const to = this.rqOf[cpu]!;
    if (this.ti[idx * I.STRIDE + I.RQD] !== to.slot) {
      this.migrate(idx, to, now);
      return;
    }
    u.processor = cpu;
    this.ti[idx * I.STRIDE + I.PROCESSOR] = cpu;
  }

  /**
   * csched2_aff_cntl(): Xen sets CSFLAG_pinned for a single-pCPU hard affinity (our dump
   * reads that from the mask); here the record's copies of the core's affinity flags
   * (HARD_ALL, HAS_SOFT, SOFT_ALL), which insertUnit took, follow the new masks.
   */
  adjustAffinity(u: Unit): void {
    const r = u.idx * I.STRIDE;
    this.ti[r + I.FLAGS] = (this.ti[r + I.FLAGS]! & ~(C2.HARD_ALL | C2.HAS_SOFT | C2.SOFT_ALL)) | affinityFlags(u);
  }

  /** runq_tickle(): find a pCPU for a unit just queued, preempting if worth it. */
  private tickle(idx: number, now: STime): void {
    const ti = this.ti;
    const tf = this.tf;
    const r = idx * I.STRIDE;
    const rq = this.rqBySlot[ti[r + I.RQD]!]!;
    const cpus = rq.cpus;
    const fl = ti[r + I.FLAGS]!;
    const hasSoft = (fl & C2.HAS_SOFT) !== 0;
    const hardAll = (fl & C2.HARD_ALL) !== 0;
    const softAll = (fl & C2.SOFT_ALL) !== 0;
    // the unit itself is only needed for an affinity mask test
    const u = hardAll && softAll ? null : this.t.unit[idx]!;
    const proc = ti[r + I.PROCESSOR]!;
    const tickled = this.tickledBits;
    // 1. idle pCPUs, per affinity step (soft first when the unit has a soft affinity,
    // then hard): a pCPU of a fully idle core (rqd->smt_idle), then any idle untickled
    // one, each time the unit's processor if it qualifies, else the next one after it
    // (cpumask_test_or_cycle), as Xen 4.17's runq_tickle() does
    if (rq.nIdle > 0) {
      let best = -1;
      for (let step = hasSoft ? 0 : 1; step < 2 && best < 0; step++) {
        const soft = step === 0;
        if (!soft && hardAll && this.smtBits) {
          // no mask of the unit's to test: the runqueue's bitmaps answer
          const smt = this.topo.threadsPerCore === 2;
          best = idleFirstFrom(rq.mask, this.idleBits, tickled, proc, smt);
          if (best < 0 && smt) best = idleFirstFrom(rq.mask, this.idleBits, tickled, proc, false);
        } else {
          best = this.idleFrom(rq, proc, idx, soft, true);
          if (best < 0) best = this.idleFrom(rq, proc, idx, soft, false);
        }
      }
      if (best >= 0) {
        this.tickleCpu(best, idx);
        return;
      }
    }
    // 2. a busy, untickled pCPU whose unit the newcomer may preempt, by tickle_score():
    // first the unit's processor, taken at once if its score is above 0 and it is in the
    // unit's soft affinity (every pCPU when none is set); then the others, the best score
    const credit = tf[idx * F.STRIDE + F.CREDIT]!;
    let best = -1;
    let max = 0;
    if (this.rqSlotOf[proc] === rq.slot && !bitOn(tickled, proc) && (hardAll || u!.hardOk(proc))) {
      const score = this.tickleScore(proc, proc, credit, u, softAll, rq.maxWeight, now);
      if (score > 0) {
        if (softAll || inSoftMask(u!, proc)) {
          this.tickleCpu(proc, idx);
          return;
        }
        max = score;
        best = proc;
      }
    }
    if (hardAll) {
      // for_each_cpu() over rqd->active less idle and tickled, a word at a time (an idle
      // pCPU's score would be -1: it runs no unit)
      const m = rq.mask;
      const idle = this.idleBits;
      for (let k = 0; k < m.member.length; k++) {
        const w = m.w0 + k;
        let x = m.member[k]! & ~idle[w]! & ~tickled[w]!;
        while (x !== 0) {
          const c = (w << 5) + lowBit(x);
          x &= x - 1;
          if (c === proc) continue;
          const score = this.tickleScore(c, proc, credit, u, softAll, rq.maxWeight, now);
          if (score > max) {
            max = score;
            best = c;
          }
        }
      }
    } else {
      for (const c of cpus) {
        if (c === proc || bitOn(tickled, c) || !u!.hardOk(c)) continue;
        const score = this.tickleScore(c, proc, credit, u, softAll, rq.maxWeight, now);
        if (score > max) {
          max = score;
          best = c;
        }
      }
    }
    if (best >= 0) this.tickleCpu(best, idx);
  }

  /**
   * tickle_score() (Xen 4.17): how much a unit with `credit` (processor `proc`, affinity
   * of `u`) gains by preempting the unit running on `c`; -1 if `c` runs none, or one that
   * has not run more than the ratelimit less CSCHED2_RATELIMIT_TICKLE_TOLERANCE. A score
   * above 0 gets CSCHED2_CREDIT_INIT more if `c` is in the new unit's soft affinity, and
   * as much again if it is not in the running unit's.
   * Xen burns the running unit's credits here (burn_credits); this reads what they would
   * be and writes nothing: the same value, burnt later in one step instead of two.
   */
  private tickleScore(c: number, proc: number, credit: number, u: Unit | null, softAll: boolean, maxWeight: number, now: STime): number {
    const tf = this.tf;
    const ti = this.ti;
    let cur: number;
    let runStart: number;
    if (c === this.switchedCpu) {
      cur = this.switchedTo;
      if (cur < 0) return -1;
      runStart = tf[cur * F.STRIDE + F.RUN_START]!;
    } else {
      cur = this.curIdx[c]!;
      if (cur < 0) return -1;
      runStart = this.curRunStart[c]!;
    }
    const rl = this.ratelimitNs;
    // is_preemptable(): run for MORE than the ratelimit less the tolerance
    if (rl > CSCHED2_RATELIMIT_TICKLE_TOLERANCE && now - runStart <= rl - CSCHED2_RATELIMIT_TICKLE_TOLERANCE) return -1;
    const cb = cur * F.STRIDE;
    const cr = cur * I.STRIDE;
    // burn_credits(): what t2c_update() would take, with the unit's residual
    const ran = now - tf[cb + F.START_TIME]!;
    let curCredit = tf[cb + F.CREDIT]!;
    if (ran > 0) curCredit -= t2cCredits(ran, maxWeight, ti[cr + I.WEIGHT]!, ti[cr + I.RESIDUAL]!);
    if (curCredit < CSCHED2_CREDIT_MIN) curCredit = CSCHED2_CREDIT_MIN;
    let score = credit - curCredit;
    if (c !== proc) score -= CSCHED2_MIGRATE_RESIST;
    if (score > 0) {
      if (softAll || inSoftMask(u!, c)) score += CSCHED2_CREDIT_INIT;
      if ((ti[cur * I.STRIDE + I.FLAGS]! & C2.SOFT_ALL) === 0 && !inSoftMask(this.t.unit[cur]!, c)) score += CSCHED2_CREDIT_INIT;
    }
    return score;
  }

  /**
   * cpumask_test_or_cycle(proc, mask) over the runqueue's idle, untickled pCPUs the unit
   * may use (its soft affinity, or its hard one), only those of fully idle cores if
   * `smt`: `proc` if it is one, else the first after it in cpu order, wrapping; -1 if none.
   */
  private idleFrom(rq: Runq, proc: number, idx: number, soft: boolean, smt: boolean): number {
    const cpus = rq.cpus;
    const n = cpus.length;
    // where the walk starts: proc, or the first pCPU after it
    let start = 0;
    while (start < n && cpus[start]! < proc) start++;
    if (start === n) start = 0;
    for (let k = 0; k < n; k++) {
      const c = cpus[(start + k) % n]!;
      if (!bitOn(this.idleBits, c) || bitOn(this.tickledBits, c)) continue;
      if (soft ? !this.t.unit[idx]!.softOk(c) : !this.hardOk(idx, c)) continue;
      if (smt && !this.smtIdle(rq, c)) continue;
      return c;
    }
    return -1;
  }

  /**
   * The pCPU's core is fully idle: every sibling thread in the runqueue idle and untickled
   * (Xen's rqd->smt_idle; a pCPU's sibling_mask holds its runqueue's siblings only).
   */
  private smtIdle(rq: Runq, c: number): boolean {
    const thr = this.topo.threadsPerCore;
    if (thr === 1) return true;
    const first = c - (c % thr);
    for (let s = first; s < first + thr; s++) {
      if (this.rqSlotOf[s] !== rq.slot) continue;
      if (!bitOn(this.idleBits, s) || bitOn(this.tickledBits, s)) return false;
    }
    return true;
  }

  private tickleCpu(cpu: number, idx: number): void {
    bitSet(this.tickledBits, cpu);
    this.ti[idx * I.STRIDE + I.TICKLED_CPU] = cpu;
    this.core.tickle(cpu);
  }

  // --- wake / sleep ----------------------------------------------------------------

  wake(idx: number, now: STime): void {
    const ti = this.ti;
    const r = idx * I.STRIDE;
    if (ti[r + I.FLAGS]! & (C2.ON_RUNQ | C2.PARKED)) return;
    const proc = ti[r + I.PROCESSOR]!;
    const slot = ti[r + I.RQD]!;
    if (slot < 0 || !this.hardOk(idx, proc) || this.rqSlotOf[proc] !== slot) {
      const cpu = this.pickCpu(this.core.unit(idx), now);
      const rq = this.rqOf[cpu]!;
      if (slot !== rq.slot) {
        if (slot >= 0) this.deassign(idx);
        this.assign(idx, rq);
      }
      this.core.setProcessor(idx, cpu);
      ti[r + I.PROCESSOR] = cpu;
    }
    this.updateLoad(idx, ti[r + I.RQD]!, 1, now);
    this.runqInsert(idx);
    this.tickle(idx, now);
  }

  sleep(idx: number, now: STime): void {
    this.dequeue(idx, now);
  }

  // --- do_schedule -----------------------------------------------------------------

  doSchedule(cpu: number, p: number, now: STime): number {
    const rq = this.rqOf[cpu]!;
    const ti = this.ti;
    const tf = this.tf;
    bitClear(this.tickledBits, cpu);
    let prevRunnable = false;
    if (p >= 0) {
      // prev may have been assigned to this runqueue's scheduler data before a move
      const s = ti[p * I.STRIDE + I.RQD]!;
      if (s >= 0) this.burnCredits(this.rqBySlot[s]!, p, now);
      prevRunnable = this.core.runnable(p);
      if (!prevRunnable) {
        const s2 = ti[p * I.STRIDE + I.RQD]!;
        if (ti[p * I.STRIDE + I.FLAGS]! & C2.LOADED && s2 >= 0) this.updateLoad(p, s2, -1, now);
        // csched2_schedule() asks budget for an overrun scurr, runnable or not (the
        // overrun is charged to the domain; with none left it is parked: it waits for a
        // replenishment even if it wakes before), then context_saved() returns what is left
        if (ti[p * I.STRIDE + I.FLAGS]! & C2.CAPPED && this.t.budget[p]! <= 0 && !this.grabBudget(p)) this.park(p);
        this.returnBudget(p, now);
      }
    }

    // runq_candidate()
    let snext = -1;
    let snextCredit = CSCHED2_IDLE_CREDIT;
    // ratelimit: prev has not run long enough to be switched away from; runq_candidate()
    // returns it at once, and csched2_schedule() goes on with it as snext
    let ratelimited = false;
    if (p >= 0 && prevRunnable && ti[p * I.STRIDE + I.RQD] === rq.slot && this.hardOk(p, cpu)) {
      const rl = this.ratelimitNs;
      if (this.grabBudget(p)) {
        ratelimited = rl > 0 && now - tf[p * F.STRIDE + F.RUN_START]! < rl;
        // past the ratelimit, prev is the default only if this pCPU is in its soft
        // affinity or no soft-affine pCPU of the runqueue is idle (soft_aff_preempt)
        if (ratelimited || (ti[p * I.STRIDE + I.FLAGS]! & C2.HAS_SOFT) === 0 || !this.softAffPreempt(rq, p, cpu)) {
          snext = p;
          snextCredit = tf[p * F.STRIDE + F.CREDIT]!;
        }
      } else {
        this.park(p);
      }
    }
    const q = rq.q;
    let pickIdx = -1;
    for (let i = 0; i < q.length && !ratelimited; i++) {
      const x = q[i]!;
      const xr = x * I.STRIDE;
      const xt = ti[xr + I.TICKLED_CPU]!;
      if (xt >= 0 && xt !== cpu && bitOn(this.tickledBits, xt)) {
        continue;
      }
      if (!this.hardOk(x, cpu)) {
        continue;
      }
      const xc = tf[x * F.STRIDE + F.CREDIT]!;
      if (ti[xr + I.PROCESSOR] !== cpu && snextCredit + CSCHED2_MIGRATE_RESIST > xc) {
        continue;
      }
      if (xc <= snextCredit) break;
      if (!this.grabBudget(x)) {
        // park it and look further; park_unit() takes it out of the load too
        removeAt(q, i);
        ti[xr + I.FLAGS] = ti[xr + I.FLAGS]! & ~C2.ON_RUNQ;
        this.park(x);
        this.updateLoad(x, rq.slot, -1, now);
        i--;
        continue;
      }
      pickIdx = i;
      break;
    }
    if (pickIdx >= 0) {
      snext = q[pickIdx]!;
      removeAt(q, pickIdx);
      ti[snext * I.STRIDE + I.FLAGS] = ti[snext * I.STRIDE + I.FLAGS]! & ~C2.ON_RUNQ;
    }
    // prev goes back on a runqueue in context_saved(), after this schedule: Xen sets
    // __CSFLAG_delayed_runq_add here, so during reset_credit, balance_load and
    // csched2_runtime below prev is still scheduled and on no runqueue (balance_load's
    // migrate() only asks it to move; the slice is not cut short for prev)
    const requeuePrev = p >= 0 && prevRunnable && snext !== p && (ti[p * I.STRIDE + I.FLAGS]! & C2.PARKED) === 0;
    // parked while it ran: not runnable any more, context_saved() takes it out of the load
    const parkedPrev = p >= 0 && prevRunnable && (ti[p * I.STRIDE + I.FLAGS]! & C2.PARKED) !== 0;
    if (snext < 0) {
      this.setIdle(rq, cpu, true);
      // "make sure avgload gets updated periodically even if there's no activity"
      this.updateRunqLoad(rq.slot, 0, now);
      this.slice = -1;
      if (requeuePrev) this.contextSaved(p, cpu, -1, rq, now);
      else if (parkedPrev) this.parkedOut(p, now);
      this.switched(cpu, p, -1);
      return -1;
    }
    // the running unit goes on: its load and its runqueue's brought up to date (the
    // averages are piecewise: when they are updated changes them)
    // (update_load(..., 0): prev was runnable to be picked again, so its load is 1)
    if (snext === p) {
      const g = loadGrain(now);
      this.runqLoadAt(rq.slot, 0, g);
      this.svcLoadStep(p, 1, g);
    }
    // the epoch ends when the top credit, snext's or the first waiting unit's (snext is off
    // the runqueue, prev not back on it yet), is spent: Xen 4.17's csched2_schedule() looks
    // at both whether or not runq_candidate() skipped units (affinity, tickled elsewhere)
    const head = q.length > 0 ? tf[q[0]! * F.STRIDE + F.CREDIT]! : -Infinity;
    const snc = tf[snext * F.STRIDE + F.CREDIT]!;
    if ((snc > head ? snc : head) <= CSCHED2_CREDIT_RESET) {
      // snext is __CSFLAG_scheduled from here on, as in csched2_schedule()
      this.scheduledNext = snext;
      this.scheduledCpu = cpu;
      this.resetCredit(rq, snext, now);
      this.balanceLoad(rq, now);
      this.scheduledNext = -1;
    }
    this.setIdle(rq, cpu, false);
    const sb = snext * F.STRIDE;
    tf[sb + F.START_TIME] = now;
    ti[snext * I.STRIDE + I.TICKLED_CPU] = -1;
    if (snext !== p) tf[sb + F.RUN_START] = now;
    if (ti[snext * I.STRIDE + I.PROCESSOR] !== cpu) {
      tf[sb + F.CREDIT] = tf[sb + F.CREDIT]! + CSCHED2_MIGRATE_COMPENSATION;
    }
    this.slice = this.runtime(rq, snext, snext === p, now);
    if (requeuePrev) this.contextSaved(p, cpu, snext, rq, now);
    else if (parkedPrev) this.parkedOut(p, now);
    this.switched(cpu, p, snext);
    return snext;
  }

  /** csched2_context_saved() for a unit parked while it ran: update_load(-1). */
  private parkedOut(idx: number, now: STime): void {
    const s = this.ti[idx * I.STRIDE + I.RQD]!;
    if (this.ti[idx * I.STRIDE + I.FLAGS]! & C2.LOADED && s >= 0) this.updateLoad(idx, s, -1, now);
  }

  /**
   * runq_candidate()'s soft_aff_preempt: `cpu` is outside the soft affinity of `idx`, which
   * runs there, and an idle, untickled pCPU of the runqueue is in it. Then Xen 4.17 does
   * not default to the running unit: it is put back on the runqueue by context_saved(),
   * whose runq_tickle() sends it to that pCPU.
   */
  private softAffPreempt(rq: Runq, idx: number, cpu: number): boolean {
    const u = this.t.unit[idx]!;
    if (u.softOk(cpu)) return false;
    for (const c of rq.cpus) {
      if (bitOn(this.idleBits, c) && !bitOn(this.tickledBits, c) && u.softOk(c)) return true;
    }
    return false;
  }

  /**
   * What the core does with do_schedule's answer, mirrored in the table once the schedule
   * is over: prev stops running, next runs on `cpu` and has it as its processor.
   */
  private switched(cpu: number, prev: number, next: number): void {
    if (next === prev) return;
    const ti = this.ti;
    if (prev >= 0) {
      ti[prev * I.STRIDE + I.FLAGS] = ti[prev * I.STRIDE + I.FLAGS]! & ~C2.RUNNING;
    }
    if (next >= 0) {
      const r = next * I.STRIDE;
      ti[r + I.FLAGS] = ti[r + I.FLAGS]! | C2.RUNNING;
      ti[r + I.PROCESSOR] = cpu;
      this.curRunStart[cpu] = this.tf[next * F.STRIDE + F.RUN_START]!;
    }
    this.curIdx[cpu] = next;
  }

  /**
   * csched2_context_saved() for a prev still runnable, once `cpu` runs `next`: back on the
   * runqueue it belongs to, then runq_tickle(), as Xen does it — an idle pCPU of the
   * runqueue (or one running a unit with less credit) takes it instead of leaving it to
   * wait for this pCPU's next slice.
   */
  private contextSaved(prev: number, cpu: number, next: number, rq: Runq, now: STime): void {
    // Xen ASSERTs this: a unit moves to another runqueue, or has its affinity changed,
    // only through the migration path (unit-migrate.ts), which makes it not runnable
    // (_VPF_migrating) until it is switched out, so a runnable prev is still cpu's
    if (this.ti[prev * I.STRIDE + I.RQD] !== rq.slot || !this.hardOk(prev, cpu)) {
      throw new Error(`credit2: runnable unit ${prev} switched out of pCPU ${cpu} is not in its runqueue (${rq.id}) or affinity`);
    }
    this.returnBudget(prev, now);
    this.runqInsert(prev);
    // the core still has prev as cpu's current unit: runq_tickle compares with next
    this.switchedCpu = cpu;
    this.switchedTo = next;
    this.tickle(prev, now);
    this.switchedCpu = -1;
  }

  /** csched2_runtime(). */
  private runtime(rq: Runq, sn: number, continuing: boolean, now: STime): STime {
    const tf = this.tf;
    let minTime = CSCHED2_MIN_TIMER;
    const rl = this.ratelimitNs;
    if (rl > 0) {
      const rmin = continuing ? tf[sn * F.STRIDE + F.RUN_START]! + rl - now : rl;
      if (rmin > minTime) minTime = rmin;
    }
    const snCredit = tf[sn * F.STRIDE + F.CREDIT]!;
    let rtCredit = snCredit;
    const q = rq.q;
    if (q.length > 0) {
      const wc = tf[q[0]! * F.STRIDE + F.CREDIT]!;
      if (wc > 0) rtCredit = snCredit - wc;
    }
    // c2t(): credit * weight / max_weight, an integer division
    let time = rtCredit > 0 ? c2t(rtCredit, this.ti[sn * I.STRIDE + I.WEIGHT]!, rq.maxWeight) : 0;
    // a capped unit runs no longer than its budget, but (as in Xen 4.17) that is cut
    // before the floor below: it may overrun, and the overrun is taken from its domain
    if (this.ti[sn * I.STRIDE + I.FLAGS]! & C2.CAPPED) {
      const b = this.t.budget[sn]!;
      if (b < time) time = b;
    }
    if (time < minTime) time = minTime;
    else if (time > CSCHED2_MAX_TIMER) time = CSCHED2_MAX_TIMER;
    return time;
  }

  // --- load balancing (balance_load) -----------------------------------------------

  private balanceLoad(lrq: Runq, now: STime): void {
    const slots = this.rqSlots;
    if (slots.length < 2) return;
    const rf = this.rqLoads.f;
    const ls = lrq.slot;
    // every update of this balance is at one instant: its grain computed once
    const g = loadGrain(now);
    this.runqLoadAt(ls, 0, g);
    const lb = rf[ls * RQ.STRIDE + RQ.B_AVGLOAD]!;
    let maxDelta = 0;
    let os = -1;
    for (let k = 0; k < slots.length; k++) {
      const s = slots[k]!;
      if (s === ls) continue;
      // update_runq_load(ops, st.orqd, 0, now), as runqLoadAt() does it, written out
      // here: this walk over every runqueue at every credit reset is its hottest caller
      const b = s * RQ.STRIDE;
      const last = rf[b + RQ.LOAD_LAST_UPDATE]!;
      let bavg = rf[b + RQ.B_AVGLOAD]!;
      if (g > last) {
        const load = rf[b + RQ.LOAD]!;
        if (loadWindowPassed(last, g)) rf[b + RQ.AVGLOAD] = bavg = loadQ(load);
        else {
          const delta = g - last;
          rf[b + RQ.AVGLOAD] = loadavgStep(rf[b + RQ.AVGLOAD]!, delta, load);
          bavg = loadavgStep(bavg, delta, load);
        }
        rf[b + RQ.B_AVGLOAD] = bavg;
      }
      rf[b + RQ.LOAD_LAST_UPDATE] = g;
      const d = Math.abs(lb - bavg);
      if (d > maxDelta) {
        maxDelta = d;
        os = s;
      }
    }
    if (os < 0) return;
    const orq = this.rqBySlot[os]!;
    const ob = rf[os * RQ.STRIDE + RQ.B_AVGLOAD]!;
    // "under 100 % capacity?" Xen 4.17 reads st.orqd's load and pCPUs here, and st.orqd is
    // still the cursor of the walk above: the last runqueue of the list (lrq itself, if
    // it is last), not the one of the largest difference, which it points at only after
    const last = slots[slots.length - 1]!;
    const loadMax = Math.max(lb, rf[last * RQ.STRIDE + RQ.B_AVGLOAD]!);
    const cpusMax = Math.max(lrq.cpus.length, this.rqBySlot[last]!.cpus.length);
    const tol = loadMax < cpusMax * P ? BALANCE_UNDER_TOLERANCE : BALANCE_OVER_TOLERANCE;
    if (maxDelta < P * 2 ** tol) return;

    // push, pull or swap: the move that leaves the two loads closest. Xen calls consider()
    // for every (push, pull) pair of a push unit, then for that push alone, push unit by
    // push unit, then for every pull alone, and keeps the first best (O(n²)). Here each
    // push unit's best pull is found in the pull side sorted by avgload (O(n log n)),
    // ties going to the one first in the runqueue's list: the same answer.
    const tf = this.tf;
    const pushes = this.pushes;
    const osvc = orq.svc;
    // the push units' loads span [minA, maxA] (0 included: the pull alone)
    let minA = 0;
    let maxA = 0;
    for (let j = 0; j < lrq.svc.length; j++) {
      const pu = lrq.svc[j]!;
      this.svcLoadAt(pu, 0, g);
      if (this.migrateable(pu, orq)) {
        pushes.push(pu);
        const a = tf[pu * F.STRIDE + F.AVGLOAD]!;
        if (a < minA) minA = a;
        if (a > maxA) maxA = a;
      }
    }
    // the pull side's loads are brought up to date in the inner loop of the first push
    // unit that may move: with none, Xen uses them as they were last updated
    const half = (ob - lb) / 2;
    const np = this.sortPulls(osvc, lrq, pushes.length > 0 ? g : -1, half + minA, half + maxA);
    const keys = this.pullKeys;
    const pulls = this.pulls;
    // consider(), with Xen's order of operations: l_load = lb - push + pull, o_load = ob + push - pull
    let best = maxDelta;
    let push = -1;
    let pull = -1;
    for (let i = 0; i < pushes.length; i++) {
      const pu = pushes[i]!;
      const a = tf[pu * F.STRIDE + F.AVGLOAD]!;
      const l = lb - a;
      const o = ob + a;
      if (np > 0) {
        const j = this.closestPull(np, l, o);
        const b = keys[j]!;
        const d = Math.abs(l + b - (o - b));
        if (d < best) {
          best = d;
          push = pu;
          pull = pulls[j]!;
        }
      }
      const d0 = Math.abs(l - o);
      if (d0 < best) {
        best = d0;
        push = pu;
        pull = -1;
      }
    }
    if (np > 0) {
      const j = this.closestPull(np, lb, ob);
      const b = keys[j]!;
      if (Math.abs(lb + b - (ob - b)) < best) {
        push = -1;
        pull = pulls[j]!;
      }
    }
    pushes.length = 0;
    if (push >= 0) this.migrate(push, orq, now);
    if (pull >= 0) this.migrate(pull, lrq, now);
  }

  /**
   * balance_load's pull side: the units of `osvc` that may move to `lrq`, sorted by
   * avgload, ties in list order, into `pulls` (their avgloads in `pullKeys`, their list
   * positions in `pullPos`, and the first index of each run of equal avgloads in
   * `pullRun`); returns how many. Each key is avgload · PULL_POS_MAX + list position,
   * exact in a double while avgload is an integer below 2^32 (a unit's is at most
   * 1 << load_precision_shift) and the list is shorter than PULL_POS_MAX, sorted by the
   * typed array's own sort; a comparator sort takes any other case. With `g` >= 0, update_svc_load() brings each
   * unit of `osvc` to grain `g` first.
   *
   * closestPull() is only asked about targets in [lo, hi] (half the loads' difference,
   * plus a push unit's avgload or nothing), and it answers with the nearest key on either
   * side of the target, the first in list order of its run. So the candidates outside
   * [lo, hi] that can be an answer are the first, in list order, of the largest key below
   * lo and of the smallest above hi: only those are kept with the ones inside. When the
   * loads differ by more than two units (no unit's avgload is in between) that leaves one.
   */
  private sortPulls(osvc: readonly number[], lrq: Runq, g: number, lo: number, hi: number): number {
    const tf = this.tf;
    const n = osvc.length;
    if (this.pullKeys.length < n) {
      const m = Math.max(n, 2 * this.pullKeys.length);
      this.pullKeys = new Float64Array(m);
      this.pullSort = new Float64Array(m);
      this.pulls = new Int32Array(m);
      this.pullPos = new Int32Array(m);
      this.pullRun = new Int32Array(m);
    }
    const sortKeys = this.pullSort;
    const keys = this.pullKeys;
    const pulls = this.pulls;
    const pos = this.pullPos;
    const run = this.pullRun;
    let np = 0;
    let packed = n <= PULL_POS_MAX;
    // the largest key below lo and the smallest above hi, each the first of its run
    let below = -Infinity;
    let belowAt = -1;
    let above = Infinity;
    let aboveAt = -1;
    for (let k = 0; k < n; k++) {
      const x = osvc[k]!;
      if (g >= 0) this.svcLoadAt(x, 0, g);
      if (!this.migrateable(x, lrq)) continue;
      const a = tf[x * F.STRIDE + F.AVGLOAD]!;
      if (a < lo) {
        if (a > below) {
          below = a;
          belowAt = k;
        }
        continue;
      }
      if (a > hi) {
        if (a < above) {
          above = a;
          aboveAt = k;
        }
        continue;
      }
      if (!(a < PULL_KEY_MAX && Math.floor(a) === a)) packed = false;
      sortKeys[np] = a * PULL_POS_MAX + k;
      pos[np++] = k;
    }
    if (belowAt >= 0) {
      if (!(below < PULL_KEY_MAX && Math.floor(below) === below)) packed = false;
      sortKeys[np] = below * PULL_POS_MAX + belowAt;
      pos[np++] = belowAt;
    }
    if (aboveAt >= 0) {
      if (!(above < PULL_KEY_MAX && Math.floor(above) === above)) packed = false;
      sortKeys[np] = above * PULL_POS_MAX + aboveAt;
      pos[np++] = aboveAt;
    }
    if (packed) {
      if (np > 1) sortKeys.subarray(0, np).sort();
      for (let j = 0; j < np; j++) {
        const c = sortKeys[j]!;
        const a = Math.floor(c * PULL_POS_INV);
        const k = c - a * PULL_POS_MAX;
        keys[j] = a;
        pos[j] = k;
        pulls[j] = osvc[k]!;
      }
    } else {
      pos.subarray(0, np).sort((p, q) => tf[osvc[p]! * F.STRIDE + F.AVGLOAD]! - tf[osvc[q]! * F.STRIDE + F.AVGLOAD]! || p - q);
      for (let j = 0; j < np; j++) {
        pulls[j] = osvc[pos[j]!]!;
        keys[j] = tf[pulls[j]! * F.STRIDE + F.AVGLOAD]!;
      }
    }
    for (let j = 0; j < np; j++) run[j] = j > 0 && keys[j - 1] === keys[j] ? run[j - 1]! : j;
    return np;
  }

  /**
   * Among the first `np` pull candidates (sorted by avgload), the one whose pull leaves
   * loads `l` and `o` closest, |(l + b) - (o - b)|: next to b = (o - l) / 2; of equal
   * results, the one first in the runqueue's list (the first of a run of equal keys).
   */
  private closestPull(np: number, l: number, o: number): number {
    const keys = this.pullKeys;
    const target = (o - l) / 2;
    let lo = 0;
    let hi = np;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0) return 0;
    // keys[lo] (if any) is the first of its run; keys[lo - 1]'s run starts at pullRun
    const kb = keys[lo - 1]!;
    const a = this.pullRun[lo - 1]!;
    if (lo === np) return a;
    const b = keys[lo]!;
    const da = Math.abs(l + kb - (o - kb));
    const db = Math.abs(l + b - (o - b));
    if (da !== db) return da < db ? a : lo;
    return this.pullPos[a]! < this.pullPos[lo]! ? a : lo;
  }

  /** balance_load's push candidates, in list order. */
  private readonly pushes: number[] = [];
  /** balance_load's pull candidates, by avgload (sortPulls). */
  private pulls = new Int32Array(64);
  private pullKeys = new Float64Array(64);
  private pullPos = new Int32Array(64);
  private pullRun = new Int32Array(64);
  private pullSort = new Float64Array(64);
  /** The unit the current do_schedule picked, while it runs reset_credit and balance_load. */
  private scheduledNext = -1;
  private scheduledCpu = -1;
  /** svc->migrate_rqd of the units with C2.MIGRATE_REQUEST, by idx. */
  private readonly migrateRqd = new Map<number, Runq>();
  /** The pCPU whose schedule is ending in context_saved(), and the unit it now runs (-1: idle). */
  private switchedCpu = -1;
  private switchedTo = -1;

  /**
   * unit_is_migrateable(): not already asked to move (CSFLAG_runq_migrate_request), and
   * its hard affinity meets the runqueue's pCPUs. Xen 4.17 does not look at soft affinity
   * here (runq_tickle and res_pick do).
   */
  private migrateable(idx: number, to: Runq): boolean {
    const fl = this.ti[idx * I.STRIDE + I.FLAGS]!;
    if (fl & C2.MIGRATE_REQUEST) return false;
    if (fl & C2.HARD_ALL) return true;
    const u = this.t.unit[idx]!;
    return to.cpus.some((c) => u.hardOk(c));
  }

  /**
   * migrate(): move a unit to another runqueue. One that is CSFLAG_scheduled (running, or
   * just picked by the schedule that is balancing) is only asked to: migrate_rqd, the
   * request flag and _VPF_migrating, and its pCPU tickled; it moves when switched out
   * (sched_unit_migrate_finish: res_pick's request branch, then csched2_unit_migrate
   * calls this again).
   */
  private migrate(idx: number, to: Runq, now: STime): void {
    const ti = this.ti;
    const r = idx * I.STRIDE;
    this.migrations++;
    const running = (ti[r + I.FLAGS]! & C2.RUNNING) !== 0;
    const loaded = (ti[r + I.FLAGS]! & C2.LOADED) !== 0;
    if (running || idx === this.scheduledNext) {
      this.migrateRqd.set(idx, to);
      schedSetMigrating(this.t.unit[idx]!);
      ti[r + I.FLAGS] = ti[r + I.FLAGS]! | C2.MIGRATE_REQUEST;
      this.core.tickle(running ? ti[r + I.PROCESSOR]! : this.scheduledCpu);
      return;
    }
    const onRunq = (ti[r + I.FLAGS]! & C2.ON_RUNQ) !== 0;
    const from = ti[r + I.RQD]!;
    if (onRunq) {
      this.runqRemove(idx);
      this.updateRunqLoad(from, -1, now);
    } else if (loaded && from >= 0) {
      this.updateRunqLoad(from, -1, now);
      this.updateRunqLoad(to.slot, 1, now);
    }
    this.deassign(idx);
    this.assign(idx, to);
    const cpu = cycleBias(to, (c) => this.hardOk(idx, c));
    this.core.setProcessor(idx, cpu);
    ti[r + I.PROCESSOR] = cpu;
    to.pickBias = cpu;
    if (onRunq) {
      this.updateRunqLoad(to.slot, 1, now);
      this.runqInsert(idx);
      this.tickle(idx, now);
    }
  }

  // --- parameters ------------------------------------------------------------------

  adjustDomain(d: SchedDomainRec, op: DomainSchedOp): DomainSchedResult {
    const sd = d.priv as C2Dom;
    const ti = this.ti;
    switch (op.cmd) {
      case 'getinfo':
        return { params: { weight: sd.weight, cap: sd.cap } };
      case 'putinfo': {
        // csched2_dom_cntl(): the same weight and cap rules as credit's
        checkWeightCap(op.params, sd.nrUnits);
        const { weight, cap } = op.params;
        const now = this.clock.now;
        if (weight) {
          const old = sd.weight;
          sd.weight = weight;
          for (const u of d.units) {
            const rq = this.rqdOfIdx(u.idx);
            if (rq) {
              rq.removeWeight(old);
              rq.addWeight(weight);
            }
            ti[u.idx * I.STRIDE + I.WEIGHT] = weight;
          }
        }
        if (cap !== undefined && cap !== 0) {
          // s_time_t divisions, as csched2_dom_cntl(): tot_budget (credit2-params.ts), each
          // unit's quota tot_budget / nr_units (at least CSCHED2_MIN_TIMER)
          sd.totBudget = capTotBudget(cap);
          for (const u of d.units) this.t.budgetQuota[u.idx] = Math.max(Math.floor(sd.totBudget / Math.max(sd.nrUnits, 1)), CSCHED2_MIN_TIMER);
          if (sd.cap === 0) {
            sd.budget = sd.totBudget;
            sd.replTimer ??= this.makeReplTimer(sd);
            this.clock.set(sd.replTimer, now + MILLISECS(CSCHED2_CAP_PERIOD_MS));
            sd.replTimer.period = MILLISECS(CSCHED2_CAP_PERIOD_MS);
            for (const u of d.units) {
              const rq = this.rqdOfIdx(u.idx);
              if (ti[u.idx * I.STRIDE + I.FLAGS]! & C2.RUNNING && rq) {
                this.burnCredits(rq, u.idx, now);
                this.core.tickle(ti[u.idx * I.STRIDE + I.PROCESSOR]!);
              }
              ti[u.idx * I.STRIDE + I.FLAGS] = ti[u.idx * I.STRIDE + I.FLAGS]! | C2.CAPPED;
              this.t.budget[u.idx] = 0;
            }
          }
          sd.cap = cap;
        } else if (cap === 0 && sd.cap !== 0) {
          if (sd.replTimer) this.clock.cancel(sd.replTimer);
          for (const u of d.units) {
            ti[u.idx * I.STRIDE + I.FLAGS] = ti[u.idx * I.STRIDE + I.FLAGS]! & ~C2.CAPPED;
            this.t.budget[u.idx] = 0;
            this.t.budgetQuota[u.idx] = 0;
          }
          sd.cap = 0;
          this.unpark(sd, now);
        }
        return { params: { weight: sd.weight, cap: sd.cap } };
      }
      default:
        throw credit2NoVcpuParams(op.cmd);
    }
  }

  private makeReplTimer(sd: C2Dom): Timer {
    const t = this.clock.every(MILLISECS(CSCHED2_CAP_PERIOD_MS), (now) => this.replenish(sd, now));
    return t;
  }

  adjustGlobal(op: PoolSchedOp): PoolSchedParams {
    if (op.cmd === 'putinfo') {
      checkCredit2PoolParams(op.params);
      const r = op.params.ratelimitUs;
      if (r !== undefined) {
        this.ratelimitUs = r;
        this.ratelimitNs = MICROSECS(r);
      }
    }
    return { ratelimitUs: this.ratelimitUs };
  }

  /** csched2_dump() (credit2-dump.ts), reading the state as it is. */
  dump(ctx: SchedDumpContext): SchedDump {
    return credit2Dump(ctx, {
      runqueues: this.rqs,
      defaultWeight: CSCHED2_DEFAULT_WEIGHT,
      loadPrecisionShift: LOADAVG_PRECISION_SHIFT,
      load: (rq) => this.rqLoads.f[rq.slot * RQ.STRIDE + RQ.LOAD]!,
      avgload: (rq) => this.rqLoads.f[rq.slot * RQ.STRIDE + RQ.AVGLOAD]!,
      idle: (c) => bitOn(this.idleBits, c),
      tickled: (c) => bitOn(this.tickledBits, c),
      smtIdle: (rq, c) => this.smtIdle(rq, c),
      unit: (idx) => ({
        running: (this.ti[idx * I.STRIDE + I.FLAGS]! & C2.RUNNING) !== 0,
        credit: this.tf[idx * F.STRIDE + F.CREDIT]!,
        weight: this.ti[idx * I.STRIDE + I.WEIGHT]!,
        capped: (this.ti[idx * I.STRIDE + I.FLAGS]! & C2.CAPPED) !== 0,
        budget: this.t.budget[idx]!,
        budgetQuota: this.t.budgetQuota[idx]!,
        avgload: this.tf[idx * F.STRIDE + F.AVGLOAD]!,
      }),
      sdom: (d) => d.priv as C2Dom,
      processor: (idx) => this.core.processor(idx),
      pinned: (idx) => this.core.unit(idx).vcpu.hardAffinity.weight === 1,
      name: (idx) => this.core.unit(idx),
    });
  }
}
