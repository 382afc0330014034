/**
 * Credit (credit1), Xen's default scheduler from 3.x to 4.11 (xen/common/sched/credit.c).
 *
 * How it works, in plain words:
 *
 * - Every pCPU has its own runqueue, ordered by priority and, within a priority,
 *   first come first served. Priorities are BOOST (0), UNDER (−1), OVER (−2) and, for
 *   the idle vCPU, IDLE (−64).
 * - Time is shared out as "credits". Every accounting period — one time slice, 30 ms
 *   by default — the scheduler hands out 300 credits per pCPU (10 credits per ms of a
 *   pCPU) to the domains that have been active, in proportion to their weight (256 by
 *   default), split evenly between each domain's active vCPUs. Running costs 10 credits
 *   per ms, charged whenever the vCPU is descheduled and at every 10 ms tick (three per
 *   slice).
 * - A vCPU with credit ≥ 0 is UNDER, below 0 it is OVER: UNDER vCPUs always run before
 *   OVER ones. A vCPU that wakes up while UNDER is BOOSTed and preempts whatever UNDER
 *   or OVER vCPU is running — this is what gives I/O-bound guests their responsiveness —
 *   until the next tick finds it running and drops it back to UNDER.
 * - A vCPU that stops consuming and builds up more than one slice worth of credit
 *   (300) is taken off the active list and its credit halved, so idle guests do not hoard.
 * - A running vCPU is switched out after a full time slice (30 ms) if another vCPU of
 *   at least its priority waits; a newly woken vCPU cannot preempt one that has run
 *   less than the ratelimit (1000 µs).
 * - Work stealing: when a pCPU's best local choice is OVER or idle, it looks at the
 *   runqueues of the busy pCPUs (its own NUMA node first, then the others) and steals
 *   a waiting vCPU of higher priority that hard affinity allows to run here. A vCPU
 *   waking where it cannot preempt makes an idle pCPU look for work.
 * - A cap (percent of one pCPU) limits the credit a domain gets per period, and a
 *   vCPU whose credit falls below −cap's worth is parked (not run) until its credit is
 *   positive again.
 *
 * What keeps it cheap on a 4096-pCPU host, as in Xen: a runqueue per pCPU kept in
 * priority order (credit-runq.ts; insertion at the end of the unit's class costs no walk),
 * the idlers and the pCPUs with waiting units as lists to pick from (cpu-fifo.ts), a
 * load balancer that skips a peer whose best waiting unit is no better than its own, and
 * an accounting that visits only the active units of each domain (credit-units.ts).
 * Per-unit state is typed-array records, not objects, so an event touches few cache lines.
 */
import { MICROSECS, MILLISECS, type Clock, type STime, type Timer, type TimerHandler } from '../clock';
import { XenError } from '../errno';
import type { Topology } from '../topology';
import type { VcpuTable } from '../vcpu-table';
import type { SchedDomainRec, Unit } from './core';
import { CpuFifo } from './cpu-fifo';
import { CschedRunqs, P_CUR_PRI, P_CUR_REC, P_FIFO_IDLERS, P_FIFO_QUEUED, P_FIFO_QUEUED_NODE, P_HEAD_PRI, P_STRIDE } from './credit-runq';
import {
  CSCHED_DEFAULT_WEIGHT,
  CSCHED_FLAG_ACTIVE,
  CSCHED_FLAG_PARKED,
  CSCHED_PRI_IDLE,
  CSCHED_PRI_TS_BOOST,
  CSCHED_PRI_TS_OVER,
  CSCHED_PRI_TS_UNDER,
  CschedDom,
  CschedUnits,
  F_CREDIT,
  F_LAST_SCHED,
  F_START,
  F_STRIDE,
  I_ACT_NEXT,
  I_FLAGS,
  I_PRI,
  I_RUNQ_CPU,
  I_STRIDE,
} from './credit-units';
import {
  SCHED_DEFAULT_RATELIMIT_US,
  XEN_SCHEDULER_ID,
  checkRatelimitUs,
  checkWeightCap,
  type DomainSchedOp,
  type DomainSchedResult,
  type PoolSchedOp,
  type PoolSchedParams,
  type SchedCoreApi,
  type SchedDump,
  type SchedDumpContext,
  type Scheduler,
} from './scheduler';
import { creditDump } from './credit-dump';

export { CSCHED_DEFAULT_WEIGHT, CSCHED_PRI_IDLE, CSCHED_PRI_TS_BOOST, CSCHED_PRI_TS_OVER, CSCHED_PRI_TS_UNDER } from './credit-units';
export const CSCHED_DEFAULT_TSLICE_MS = 30;
export const CSCHED_TICKS_PER_TSLICE = 3;
export const CSCHED_CREDITS_PER_MSEC = 10;
export const CSCHED_MIN_TIMER = MICROSECS(50);
export const XEN_SYSCTL_CSCHED_TSLICE_MIN = 1;
export const XEN_SYSCTL_CSCHED_TSLICE_MAX = 1000;
export const XEN_SYSCTL_CSCHED_MGR_DLY_MAX_US = 100_000;

/**
 * __csched_set_tslice (xen/common/sched/credit.c): CSCHED_TICKS_PER_TSLICE ticks a
 * slice, or one when the slice is shorter than that many milliseconds ...
 */
const cschedTicksPerTslice = (tsliceMs: number): number => (tsliceMs < CSCHED_TICKS_PER_TSLICE ? 1 : CSCHED_TICKS_PER_TSLICE);
/** ... and tick_period_us = tslice_ms · 1000 / ticks_per_tslice in whole microseconds (10 ms → 3333 µs). */
const cschedTickPeriodNs = (tsliceMs: number, ticks: number): STime => MICROSECS(Math.floor((tsliceMs * 1000) / ticks));

/**
 * csched_schedule()'s restart of the tick when a pCPU stops being idle (credit.c:
 * `now + MICROSECS(tick_period_us) - now % MICROSECS(tick_period_us)`): the first
 * multiple of the period after `now`. By a division and a floor, not `%`: a remainder of
 * doubles is a call into the C library (~25 ns against ~3 here), once per pCPU leaving
 * idle. The quotient of two doubles may round up to the next integer when `now` is just
 * below a multiple: the base is corrected by one period either way, so the result is
 * exactly Xen's for every time in whole nanoseconds.
 */
export function nextTickBoundary(now: STime, period: STime): STime {
  let base = Math.floor(now / period) * period;
  if (base > now) base -= period;
  else if (now - base >= period) base += period;
  return base + period;
}

/** The unit's record (its `priv`, set by insertUnit). */
const rec = (u: Unit): number => u.priv as number;

export class CreditScheduler implements Scheduler, TimerHandler {
  readonly name = 'credit';
  readonly id = XEN_SCHEDULER_ID.credit;
  slice: STime = -1;
  tsliceMs = CSCHED_DEFAULT_TSLICE_MS;
  ratelimitUs = SCHED_DEFAULT_RATELIMIT_US;
  vcpuMigrDelayUs = 0;
  /** The same three in ns, kept with them (adjustGlobal). */
  private tsliceNs = MILLISECS(CSCHED_DEFAULT_TSLICE_MS);
  private ticksPerTslice = CSCHED_TICKS_PER_TSLICE;
  private tickPeriodNs = cschedTickPeriodNs(CSCHED_DEFAULT_TSLICE_MS, CSCHED_TICKS_PER_TSLICE);
  private ratelimitNs = MICROSECS(SCHED_DEFAULT_RATELIMIT_US);
  /** The pool's pCPUs, in the order they joined (the fallback walk of pickCpu). */
  private readonly cpus = new Set<number>();
  private readonly inPool: Uint8Array;
  /** The units' records: the private regions of their rows in the host's VcpuTable. */
  private readonly units: CschedUnits;
  private readonly runq: CschedRunqs;
  /** prv->idlers: idle pCPUs, the one idle longest first. */
  private readonly idlers: CpuFifo;
  /** pCPUs whose runqueue has a waiting unit (work-stealing candidates). */
  private readonly queued: CpuFifo;
  /** The same per NUMA node, in the same order (the first pass of csched_load_balance). */
  private readonly queuedOnNode: CpuFifo;
  /**
   * The per-pCPU records (credit-runq.ts), which also hold the record and priority of
   * the unit running on each pCPU as doSchedule chose them (kept by csched_tick and
   * csched_acct): __runq_tickle, csched_tick and the idler pick compare against the
   * running unit without touching its unit or record.
   */
  private readonly pc: Int32Array;
  /**
   * Each pCPU's csched_tick timer (an indexed clock timer, -1 until the pCPU joins). As
   * in Xen, csched_tick re-arms it one tick period on and csched_tick_resume at the next
   * multiple of the period, so every ticker is armed on the same grid.
   */
  private readonly ticker: Int32Array;
  private master: Timer | null = null;
  /**
   * The pool's domains in the order they joined (Xen's sdom list): an array, as
   * csched_acct walks it twice per period and a Set's iterator was most of its cost.
   */
  private readonly doms: CschedDom[] = [];
  /** csched_acct's domains with active units, this period (kept to reuse). */
  private readonly acctDoms: CschedDom[] = [];
  private readonly balanceBias: Int32Array;
  steals = 0;

  constructor(
    private readonly core: SchedCoreApi & { readonly vt: VcpuTable },
    private readonly clock: Clock,
    private readonly topo: Topology,
  ) {
    const n = core.nrCpus;
    this.units = new CschedUnits(core.vt);
    this.inPool = new Uint8Array(n);
    this.runq = new CschedRunqs(n, this.units, Math.max(1, topo.nrNodes));
    this.pc = this.runq.pc;
    // the lists' entries live in the per-pCPU records (one cache line per pCPU)
    this.idlers = new CpuFifo(n, 1, { table: this.pc, stride: P_STRIDE, offset: P_FIFO_IDLERS });
    this.queued = new CpuFifo(n, 1, { table: this.pc, stride: P_STRIDE, offset: P_FIFO_QUEUED });
    this.queuedOnNode = new CpuFifo(n, topo.nrNodes, { table: this.pc, stride: P_STRIDE, offset: P_FIFO_QUEUED_NODE });
    this.ticker = new Int32Array(n).fill(-1);
    this.balanceBias = new Int32Array(topo.nrNodes);
  }

  private setIdler(cpu: number, idle: boolean): void {
    if (idle) this.idlers.add(cpu);
    else this.idlers.delete(cpu);
  }

  private get creditsPerTslice(): number {
    return CSCHED_CREDITS_PER_MSEC * this.tsliceMs;
  }

  // --- pCPUs -----------------------------------------------------------------------

  initPcpu(cpu: number): void {
    this.cpus.add(cpu);
    this.inPool[cpu] = 1;
    this.setIdler(cpu, true);
    if (this.ticker[cpu]! < 0) this.ticker[cpu] = this.clock.newIndexed(this, cpu);
    if (!this.master) this.master = this.clock.every(this.tsliceNs, (now) => this.acct(now));
  }

  deinitPcpu(cpu: number): void {
    if (!this.runq.empty(cpu)) throw new Error(`credit: pCPU ${cpu} runqueue not empty`);
    this.cpus.delete(cpu);
    this.inPool[cpu] = 0;
    this.setIdler(cpu, false);
    this.queued.delete(cpu);
    this.queuedOnNode.delete(cpu);
    this.clock.cancelIndexed(this.ticker[cpu]!);
    if (this.cpus.size === 0 && this.master) {
      this.clock.cancel(this.master);
      this.master = null;
    }
  }

  // --- domains and units -----------------------------------------------------------

  insertDomain(d: SchedDomainRec): void {
    if (!(d.priv instanceof CschedDom)) d.priv = new CschedDom();
    const sd = d.priv as CschedDom;
    if (!this.doms.includes(sd)) this.doms.push(sd);
  }

  removeDomain(d: SchedDomainRec): void {
    const i = this.doms.indexOf(d.priv as CschedDom);
    if (i >= 0) this.doms.splice(i, 1);
    this.units.freeDomain(d);
  }

  insertUnit(u: Unit, now: STime): void {
    const sd = u.dom.priv as CschedDom;
    let r = this.units.recordOf(u);
    if (r < 0 || this.units.dom[r] !== sd) {
      if (r >= 0) this.units.free(r);
      r = this.units.alloc(u, sd);
      u.priv = r;
    }
    const I = this.units.i;
    I[r * I_STRIDE + I_RUNQ_CPU] = -1;
    I[r * I_STRIDE + I_FLAGS]! &= ~CSCHED_FLAG_PARKED;
    this.units.f[r * F_STRIDE + F_START] = now;
    u.processor = this.pickCpu(u);
  }

  removeUnit(u: Unit): void {
    const r = rec(u);
    const I = this.units.i;
    if (I[r * I_STRIDE + I_RUNQ_CPU]! >= 0) this.runqRemove(r);
    if (I[r * I_STRIDE + I_FLAGS]! & CSCHED_FLAG_ACTIVE) this.units.actStop(r);
    I[r * I_STRIDE + I_FLAGS]! &= ~CSCHED_FLAG_PARKED;
  }

  // --- runqueues -------------------------------------------------------------------

  private runqInsert(r: number, cpu: number): void {
    // a pCPU is on both lists exactly while its runqueue is not empty: only its first
    // waiting unit adds it (its record is in cache already: insert reads it)
    const first = this.runq.empty(cpu);
    this.runq.insert(r, cpu);
    if (first) {
      this.queued.add(cpu);
      this.queuedOnNode.add(cpu, this.topo.cpuNode[cpu]!);
    }
  }

  private runqRemove(r: number): void {
    const cpu = this.runq.remove(r);
    if (this.runq.empty(cpu)) {
      this.queued.delete(cpu);
      this.queuedOnNode.delete(cpu);
    }
  }

  private burnCredits(r: number, now: STime): void {
    const f = this.units.f;
    const b = r * F_STRIDE;
    const val = now - f[b + F_START]!;
    if (val <= 0) return;
    f[b + F_CREDIT]! -= (val * CSCHED_CREDITS_PER_MSEC) / MILLISECS(1);
    f[b + F_START] = now;
  }

  // --- picking and tickling --------------------------------------------------------

  /** _csched_cpu_pick(): an idle pCPU (its own first, soft-affine first), else its own. */
  pickCpu(u: Unit): number {
    const cur = u.processor;
    const own = this.inPool[cur] === 1 && u.hardOk(cur);
    if (own && this.idlers.has(cur) && (!u.hasSoft || u.softOk(cur))) return cur;
    let idleHard = -1;
    for (let c = this.idlers.first(); c >= 0; c = this.idlers.next(c)) {
      if (!u.hardOk(c) || this.pc[c * P_STRIDE + P_CUR_REC]! >= 0) continue;
      if (!u.hasSoft || u.softOk(c)) return c;
      if (idleHard < 0) idleHard = c;
    }
    if (idleHard >= 0) return idleHard;
    if (own) return cur;
    for (const c of this.cpus) if (u.hardOk(c)) return c;
    return cur;
  }

  /** Soft affinity allows `cpu` (asked only of a unit with one: core.hasSoft). */
  private softOk(idx: number, cpu: number): boolean {
    return this.core.unit(idx).softOk(cpu);
  }

  /** __runq_tickle(): preempt the unit's pCPU if it beats what runs there, else wake an idler. */
  private tickle(idx: number, r: number): void {
    const I = this.units.i;
    const cpu = I[r * I_STRIDE + I_RUNQ_CPU]!;
    const curPri = this.pc[cpu * P_STRIDE + P_CUR_PRI]!;
    if (I[r * I_STRIDE + I_PRI]! > curPri) {
      // it will not be idle: do not offer it to the next pick
      if (curPri === CSCHED_PRI_IDLE) this.setIdler(cpu, false);
      this.core.tickle(cpu);
      return;
    }
    if (curPri > CSCHED_PRI_IDLE) {
      // someone idle may steal it (tickle_one_idle_cpu)
      const core = this.core;
      const hasSoft = core.hasSoft(idx);
      for (let c = this.idlers.first(); c >= 0; c = this.idlers.next(c)) {
        if (core.hardOk(idx, c) && (!hasSoft || this.softOk(idx, c))) {
          this.setIdler(c, false);
          this.core.tickle(c);
          return;
        }
      }
      if (hasSoft) {
        for (let c = this.idlers.first(); c >= 0; c = this.idlers.next(c)) {
          if (core.hardOk(idx, c)) {
            this.setIdler(c, false);
            this.core.tickle(c);
            return;
          }
        }
      }
    }
  }

  // --- wake / sleep ----------------------------------------------------------------

  wake(idx: number): void {
    const r = idx; // the unit's record is in its row
    const I = this.units.i;
    const b = r * I_STRIDE;
    if (I[b + I_RUNQ_CPU]! >= 0 || I[b + I_FLAGS]! & CSCHED_FLAG_PARKED) return;
    // BOOST a waking UNDER vCPU (not a parked one)
    if (I[b + I_PRI] === CSCHED_PRI_TS_UNDER) I[b + I_PRI] = CSCHED_PRI_TS_BOOST;
    const core = this.core;
    let cpu = core.processor(idx);
    if (this.inPool[cpu] !== 1 || !core.hardOk(idx, cpu)) {
      cpu = this.pickCpu(core.unit(idx));
      core.setProcessor(idx, cpu);
    }
    this.runqInsert(r, cpu);
    this.tickle(idx, r);
  }

  sleep(idx: number): void {
    if (this.units.i[idx * I_STRIDE + I_RUNQ_CPU]! >= 0) this.runqRemove(idx);
  }

  // --- the tick and accounting -----------------------------------------------------

  /** The clock fires a pCPU's tick timer. */
  fireTimer(cpu: number, now: STime): void {
    this.tick(cpu, now);
  }

  /** csched_tick(): charge the running unit, end its boost, make it active. */
  private tick(cpu: number, now: STime): void {
    const r = this.pc[cpu * P_STRIDE + P_CUR_REC]!;
    if (r < 0) return;
    const I = this.units.i;
    const b = r * I_STRIDE;
    if (I[b + I_PRI] === CSCHED_PRI_TS_BOOST) this.pc[cpu * P_STRIDE + P_CUR_PRI] = I[b + I_PRI] = CSCHED_PRI_TS_UNDER;
    this.burnCredits(r, now);
    if (!(I[b + I_FLAGS]! & CSCHED_FLAG_ACTIVE)) this.units.actStart(r);
    // an OVER unit running with UNDER ones waiting: let the schedule sort it out
    // from the head's priority in the pCPU's record (PRI_IDLE when empty): the head
    // unit's own record is not touched
    if (this.runq.headPri(cpu) > I[b + I_PRI]!) this.core.tickle(cpu);
    this.clock.setIndexed(this.ticker[cpu]!, now + this.tickPeriodNs);
  }

  /**
   * csched_acct(): share out credits_per_tslice × pCPUs by weight among active domains.
   * It walks the domains and, of each, only its active units (Xen's active_sdom and
   * active_unit lists): a unit that stopped consuming left its list and costs nothing.
   */
  private acct(now: STime): void {
    const cpt = this.creditsPerTslice;
    const creditTotal = cpt * this.cpus.size;
    let weightTotal = 0;
    const doms = this.doms;
    for (let i = 0; i < doms.length; i++) weightTotal += doms[i]!.weight * doms[i]!.nrActive;
    if (weightTotal === 0) return;
    // fair share per domain, limited by what it can use (its active vCPUs' pCPU time, or its cap)
    const active = this.acctDoms;
    active.length = 0;
    let spare = 0;
    let weightUncapped = 0;
    for (let i = 0; i < doms.length; i++) {
      const sd = doms[i]!;
      const n = sd.nrActive;
      if (n === 0) continue;
      let fair = Math.ceil((creditTotal * sd.weight * n) / weightTotal);
      let peak = n * cpt;
      if (sd.cap > 0) peak = Math.min(peak, Math.floor((sd.cap * cpt + 99) / 100));
      if (fair > peak) {
        spare += fair - peak;
        fair = peak;
      } else weightUncapped += sd.weight * n;
      sd.share = fair;
      active.push(sd);
    }
    if (spare > 0 && weightUncapped > 0) {
      for (const sd of active) {
        const n = sd.nrActive;
        let peak = n * cpt;
        if (sd.cap > 0) peak = Math.min(peak, Math.floor((sd.cap * cpt + 99) / 100));
        if (sd.share < peak) sd.share = Math.min(peak, sd.share + Math.ceil((spare * sd.weight * n) / weightUncapped));
      }
    }
    // priorities change under queued units: until the re-sort, queue as Xen's walk would
    this.runq.sorted = false;
    const I = this.units.i;
    const f = this.units.f;
    for (const sd of active) {
      const n = sd.nrActive;
      const perUnit = Math.ceil(sd.share / n);
      const creditCap = sd.cap > 0 ? Math.ceil(Math.floor((sd.cap * cpt + 99) / 100) / n) : 0;
      for (let r = sd.actHead; r >= 0; ) {
        const b = r * I_STRIDE;
        const next = I[b + I_ACT_NEXT]!;
        const idx = r;
        const running = this.core.pcpuOf(idx);
        if (running >= 0) this.burnCredits(r, now);
        let credit = f[r * F_STRIDE + F_CREDIT]! + perUnit;
        if (credit < 0) {
          I[b + I_PRI] = CSCHED_PRI_TS_OVER;
          if (running >= 0) this.pc[running * P_STRIDE + P_CUR_PRI] = CSCHED_PRI_TS_OVER;
          if (sd.cap > 0 && credit < -creditCap && !(I[b + I_FLAGS]! & CSCHED_FLAG_PARKED)) this.park(idx, r);
          if (credit < -cpt) credit = -cpt;
        } else {
          I[b + I_PRI] = CSCHED_PRI_TS_UNDER;
          if (running >= 0) this.pc[running * P_STRIDE + P_CUR_PRI] = CSCHED_PRI_TS_UNDER;
          if (I[b + I_FLAGS]! & CSCHED_FLAG_PARKED) this.unpark(idx, r);
          if (credit > cpt) {
            this.units.actStop(r);
            credit /= 2;
          }
        }
        f[r * F_STRIDE + F_CREDIT] = credit;
        r = next;
      }
    }
    // priorities changed: re-sort the runqueues (csched_runq_sort)
    for (let c = this.queued.first(); c >= 0; c = this.queued.next(c)) {
      this.runq.sort(c);
      if (this.pc[c * P_STRIDE + P_CUR_REC]! >= 0 && this.pc[c * P_STRIDE + P_CUR_PRI]! < this.runq.headPri(c)) this.core.tickle(c);
    }
    this.runq.sorted = true;
  }

  private park(idx: number, r: number): void {
    const I = this.units.i;
    I[r * I_STRIDE + I_FLAGS]! |= CSCHED_FLAG_PARKED;
    const running = this.core.pcpuOf(idx);
    if (I[r * I_STRIDE + I_RUNQ_CPU]! >= 0) this.runqRemove(r);
    else if (running >= 0) this.core.tickle(running);
  }

  private unpark(idx: number, r: number): void {
    const I = this.units.i;
    const core = this.core;
    I[r * I_STRIDE + I_FLAGS]! &= ~CSCHED_FLAG_PARKED;
    if (core.awake(idx) && core.pcpuOf(idx) < 0 && I[r * I_STRIDE + I_RUNQ_CPU]! < 0) {
      const proc = core.processor(idx);
      this.runqInsert(r, this.inPool[proc] === 1 && core.hardOk(idx, proc) ? proc : this.pickCpu(core.unit(idx)));
      this.tickle(idx, r);
    }
  }

  // --- do_schedule -----------------------------------------------------------------

  doSchedule(cpu: number, prev: number, now: STime): number {
    const I = this.units.i;
    const f = this.units.f;
    if (prev >= 0) {
      const r = prev;
      this.burnCredits(r, now);
      const prevRunnable = this.core.runnable(prev) && !(I[r * I_STRIDE + I_FLAGS]! & CSCHED_FLAG_PARKED) && this.core.hardOk(prev, cpu);
      const runtime = now - f[r * F_STRIDE + F_LAST_SCHED]!;
      if (prevRunnable && this.ratelimitNs > 0 && runtime < this.ratelimitNs) {
        this.slice = Math.max(this.ratelimitNs - runtime, CSCHED_MIN_TIMER);
        this.setIdler(cpu, false);
        return prev;
      }
      if (prevRunnable) this.runqInsert(r, cpu);
    }
    let snext = this.runq.head(cpu);
    const pri = snext >= 0 ? I[snext * I_STRIDE + I_PRI]! : CSCHED_PRI_IDLE;
    if (pri > CSCHED_PRI_TS_OVER) {
      this.runqRemove(snext);
    } else {
      const stolen = this.loadBalance(cpu, pri);
      if (stolen >= 0) snext = stolen;
      else if (snext >= 0) this.runqRemove(snext);
    }
    const wasIdle = prev < 0;
    if (snext < 0) {
      this.pc[cpu * P_STRIDE + P_CUR_REC] = -1;
      this.pc[cpu * P_STRIDE + P_CUR_PRI] = CSCHED_PRI_IDLE;
      this.setIdler(cpu, true);
      this.slice = -1;
      if (!wasIdle) this.clock.cancelIndexed(this.ticker[cpu]!);
      return -1;
    }
    this.setIdler(cpu, false);
    this.pc[cpu * P_STRIDE + P_CUR_REC] = snext;
    this.pc[cpu * P_STRIDE + P_CUR_PRI] = I[snext * I_STRIDE + I_PRI]!;
    const next = snext;
    f[snext * F_STRIDE + F_START] = now;
    if (next !== prev) f[snext * F_STRIDE + F_LAST_SCHED] = now;
    if (wasIdle) this.clock.setIndexed(this.ticker[cpu]!, nextTickBoundary(now, this.tickPeriodNs));
    this.slice = this.tsliceNs;
    return next;
  }

  /**
   * csched_load_balance(): steal a higher-priority waiting unit from a busy peer, on this
   * NUMA node first. Like Xen's, it skips a peer whose best waiting unit is not better
   * than what this pCPU has (csched_runq_steal gives up at the first such unit) — here
   * without touching the peer's units, from the priority of each runqueue's head.
   */
  private loadBalance(cpu: number, pri: number): number {
    if (this.queued.size() === 0) return -1;
    const node = this.topo.cpuNode[cpu]!;
    const pc = this.pc;
    const I = this.units.i;
    for (let pass = 0; pass < 2; pass++) {
      const list = pass === 0 ? this.queuedOnNode : this.queued;
      for (let peer = list.first(pass === 0 ? node : 0); peer >= 0; peer = list.next(peer)) {
        if (peer === cpu || this.idlers.has(peer) || pc[peer * P_STRIDE + P_HEAD_PRI]! <= pri) continue;
        if (pass === 1 && this.topo.cpuNode[peer] === node) continue;
        for (let r = this.runq.head(peer); r >= 0; r = this.runq.next(r)) {
          if (I[r * I_STRIDE + I_PRI]! <= pri) break;
          const idx = r;
          if (!this.core.hardOk(idx, cpu)) continue;
          if (this.vcpuMigrDelayUs > 0 && this.clock.now - this.units.f[r * F_STRIDE + F_LAST_SCHED]! < MICROSECS(this.vcpuMigrDelayUs)) continue;
          this.runqRemove(r);
          this.core.setProcessor(idx, cpu);
          this.steals++;
          this.balanceBias[node] = peer;
          return r;
        }
      }
    }
    return -1;
  }

  // --- parameters ------------------------------------------------------------------

  adjustDomain(d: SchedDomainRec, op: DomainSchedOp): DomainSchedResult {
    const sd = d.priv as CschedDom;
    switch (op.cmd) {
      case 'getinfo':
        return { params: { weight: sd.weight, cap: sd.cap } };
      case 'putinfo': {
        const { weight, cap } = op.params;
        checkWeightCap(op.params, d.units.length);
        if (weight) sd.weight = weight;
        if (cap !== undefined) {
          sd.cap = cap;
          if (cap === 0) {
            for (const u of d.units) {
              const r = rec(u);
              if (this.units.i[r * I_STRIDE + I_FLAGS]! & CSCHED_FLAG_PARKED) this.unpark(u.idx, r);
            }
          }
        }
        return { params: { weight: sd.weight, cap: sd.cap } };
      }
      default:
        throw new XenError('EINVAL', `credit has no per-vCPU parameters (${op.cmd})`);
    }
  }

  adjustGlobal(op: PoolSchedOp): PoolSchedParams {
    if (op.cmd === 'putinfo') {
      const t = op.params.tsliceMs ?? this.tsliceMs;
      const r = op.params.ratelimitUs ?? this.ratelimitUs;
      const m = op.params.vcpuMigrDelayUs ?? this.vcpuMigrDelayUs;
      if (!Number.isInteger(t) || t < XEN_SYSCTL_CSCHED_TSLICE_MIN || t > XEN_SYSCTL_CSCHED_TSLICE_MAX) {
        throw new XenError('EINVAL', `tslice_ms ${t} outside ${XEN_SYSCTL_CSCHED_TSLICE_MIN}-${XEN_SYSCTL_CSCHED_TSLICE_MAX}`);
      }
      checkRatelimitUs(r);
      if (MICROSECS(r) > MILLISECS(t)) throw new XenError('EINVAL', `ratelimit_us ${r} exceeds tslice_ms ${t}`);
      if (!Number.isInteger(m) || m < 0 || m > XEN_SYSCTL_CSCHED_MGR_DLY_MAX_US) {
        throw new XenError('EINVAL', `vcpu_migr_delay_us ${m} outside 0-${XEN_SYSCTL_CSCHED_MGR_DLY_MAX_US}`);
      }
      const changed = t !== this.tsliceMs;
      this.tsliceMs = t;
      this.ratelimitUs = r;
      this.vcpuMigrDelayUs = m;
      this.tsliceNs = MILLISECS(t);
      this.ticksPerTslice = cschedTicksPerTslice(t);
      this.tickPeriodNs = cschedTickPeriodNs(t, this.ticksPerTslice);
      this.ratelimitNs = MICROSECS(r);
      if (changed && this.master) {
        this.master.period = this.tsliceNs;
        this.clock.set(this.master, this.clock.now + this.tsliceNs);
      }
    }
    return { tsliceMs: this.tsliceMs, ratelimitUs: this.ratelimitUs, vcpuMigrDelayUs: this.vcpuMigrDelayUs };
  }

  /** csched_dump() and csched_dump_pcpu() (credit-dump.ts), reading the state as it is. */
  dump(ctx: SchedDumpContext): SchedDump {
    return creditDump(ctx, {
      cpus: this.cpus,
      tsliceMs: this.tsliceMs,
      ratelimitUs: this.ratelimitUs,
      vcpuMigrDelayUs: this.vcpuMigrDelayUs,
      creditsPerMsec: CSCHED_CREDITS_PER_MSEC,
      creditsPerTslice: this.creditsPerTslice,
      ticksPerTslice: this.ticksPerTslice,
      defaultWeight: CSCHED_DEFAULT_WEIGHT,
      doms: this.doms,
      units: this.units,
      idler: (c) => this.idlers.has(c),
      runq: this.runq,
    });
  }
}
