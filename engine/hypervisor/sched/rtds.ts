/**
 * RTDS, the Real-Time Deferrable Server scheduler (xen/common/sched/rt.c), event driven
 * since 4.7.
 *
 * How it works, in plain words:
 *
 * - Every vCPU is a "server" with a budget and a period, in microseconds (defaults:
 *   4000 µs every 10000 µs). At the start of each period its budget is refilled and its
 *   deadline becomes the end of that period; budget it does not use is lost.
 * - The whole pool is scheduled by global preemptive Earliest Deadline First: of all
 *   the vCPUs with budget that want to run, those with the earliest deadlines run, on
 *   any pCPU their hard affinity allows. One runqueue per pool holds them ordered by
 *   (priority level, deadline); a vCPU that has used its budget goes to the depleted
 *   queue until its next refill.
 * - Refills are events, not a tick: a single replenishment timer is armed for the
 *   earliest pending refill, from a queue of vCPUs ordered by deadline. When it fires,
 *   every vCPU due gets its new budget and deadline, moves from the depleted queue back
 *   to the runqueue, and may preempt a running vCPU with a later deadline.
 * - extratime (on by default for new vCPUs): a vCPU that has used its budget may go on
 *   running at a lower priority level (priority_level + 1, with its budget refilled), so
 *   spare CPU time is not wasted; vCPUs still within their reserved budget always come
 *   first.
 * - A running vCPU's slice is its remaining budget; when it is used up, the pCPU
 *   reschedules, and the vCPU it ran keeps the pCPU only if it beats the head of the
 *   runqueue strictly (a tie lets the queued one run). A waking vCPU, one refilled from
 *   the depleted queue, or one just switched out, is placed on an idle pCPU if there is
 *   one (the first from its own pCPU in pCPU order), otherwise it preempts the pCPU
 *   running the vCPU with the latest deadline if its own is earlier.
 * - Deadline misses are not Xen's: Xen counts none. This simulator counts, per vCPU,
 *   the periods that ended while it was awake at level 0 with reserved budget left — the
 *   server was not given its budget before its deadline (Unit.deadlineMisses, the sched
 *   metrics' deadlineMisses). The bench's rt_job_misses is another of ours: jobs of the
 *   rt workload not done by their own deadlines. With a schedulable set (Σ budget/period
 *   within the pool's pCPUs, under global EDF's bounds) there are none.
 *
 * Where this differs from Xen 4.17's rt.c, on purpose:
 * - Times are floating-point ns (Xen: s_time_t integers); they hold whole ns here.
 * - No RTDS_scheduled / RTDS_delayed_runq_add window: the simulator switches context at
 *   once, so rt_context_saved()'s work (queue and tickle for the unit switched out, or
 *   take it off the replenishment queue) ends doSchedule, and a unit that wakes while
 *   still on its pCPU keeps running (the core does not call wake: Xen's
 *   unit_wake_running case).
 * - runq_tickle()'s walk over the pool's pCPUs is replaced, for a unit that may run
 *   anywhere, by a bitmap of the idle pCPUs and buckets of the running ones by key
 *   (cpu-bits.ts, rt-run-cpus.ts) that give the pCPU the walk would give.
 * - rt_unit_wake() picks no pCPU in Xen; wake() here takes res_pick's for a unit whose
 *   pCPU is outside the pool or its hard affinity. No hypercall leaves a unit there: an
 *   affinity change moves it first, as vcpu_set_affinity()'s migration does
 *   (unit-migrate.ts), so it is only a guard (rtds-decisions.test.ts reaches it by
 *   setting a unit's pCPU by hand).
 * - XEN_DOMCTL_SCHEDOP_putvcpuinfo checks every entry before applying any (Xen applies
 *   entries up to the first bad one and returns EINVAL; libxl checks them all first, so
 *   through xl nothing differs).
 * - No tasklet work and no hypercall preemption every 64 vCPUs.
 */
import { MICROSECS, type Clock, type STime, type Timer } from '../clock';
import { XenError } from '../errno';
import type { VcpuTable } from '../vcpu-table';
import type { SchedDomainRec, Unit } from './core';
import { RunqRing } from './queue';
import { CpuBits, firstSetFrom } from './cpu-bits';
import { ReplQueue } from './repl-queue';
import { RtRunCpus } from './rt-run-cpus';
import { rtdsDump } from './rtds-dump';
import {
  F_BUDGET,
  F_CUR_BUDGET,
  F_CUR_DEADLINE,
  F_LAST_START,
  F_PERIOD,
  F_STRIDE,
  I_FLAGS,
  I_PRIORITY_LEVEL,
  I_REPL_LINKS,
  I_STRIDE,
  RT_DEPLETED,
  RT_EXTRATIME,
  RT_ON_DEPLETEDQ,
  RT_ON_REPLQ,
  RT_ON_RUNQ,
  RTDS_DEFAULT_BUDGET_US,
  RTDS_DEFAULT_PERIOD_US,
  RtUnits,
} from './rt-units';
import {
  XEN_SCHEDULER_ID,
  type DomainSchedOp,
  type DomainSchedResult,
  type PoolSchedOp,
  type PoolSchedParams,
  type SchedCoreApi,
  type SchedDump,
  type SchedDumpContext,
  type Scheduler,
  type VcpuSchedParams,
} from './scheduler';

export { RTDS_DEFAULT_BUDGET_US, RTDS_DEFAULT_PERIOD_US } from './rt-units';
export const RTDS_MIN_PERIOD_US = 10;
export const RTDS_MIN_BUDGET_US = 10;
/** STIME_DELTA_MAX in µs (Xen's bound on a period). */
export const RTDS_MAX_PERIOD_US = Math.floor(2 ** 62 / 1000);

/** A value xen_domctl_sched_rtds's uint32_t fields can hold. */
const isU32 = (v: number): boolean => Number.isInteger(v) && v >= 0 && v <= 0xffffffff;

/** The unit's record (its `priv`, set by insertUnit). */
const rec = (u: Unit): number => u.priv as number;

export class RtdsScheduler implements Scheduler {
  readonly name = 'rtds';
  readonly id = XEN_SCHEDULER_ID.rtds;
  slice: STime = -1;
  private readonly cpus = new Set<number>();
  /** The runqueue: records, highest priority first, each with the key it was queued under. */
  private readonly runq = new RunqRing();
  /** The depleted queue: records. */
  private readonly depletedq = new Set<number>();
  /** The units' records: the private regions of their rows in the host's VcpuTable (record r is unit idx r). */
  private readonly units: RtUnits;
  /** Replenishment queue, earliest deadline first: a record's slot is its number. */
  private readonly replq: ReplQueue;
  private readonly replTimer: Timer;
  // runq_tickle() walks the pool's pCPUs the unit may use, from the unit's own pCPU in
  // cpumask_cycle() order (pCPU numbers, wrapping): the first idle one, else the first
  // running the latest (priority level, deadline). Xen keeps that walk (a handful of
  // pCPUs on real hosts); on a 4096-pCPU pool it was nearly all of the cost, so for a
  // unit that may run anywhere the pCPUs it would walk are kept where what the walk
  // would find is found without it: `idlers` (cpu-bits.ts), a bitmap of the idle,
  // untickled pCPUs searched from the unit's pCPU a word at a time, and `run`
  // (rt-run-cpus.ts), the running, untickled pCPUs, latest (level, deadline) first.
  private readonly inPool: Uint8Array;
  private readonly tickled: Uint8Array;
  /** 1: the pCPU runs its idle unit (is_idle_unit(curr_on_cpu(cpu))). */
  private readonly isIdle: Uint8Array;
  private readonly idlers: CpuBits;
  private readonly run: RtRunCpus;
  replenishments = 0;
  /** True while replHandler runs: it arms the replenishment timer once, at its end. */
  private inRepl = false;
  /** replHandler's records due (kept to reuse). */
  private readonly due: number[] = [];

  constructor(
    private readonly core: SchedCoreApi & { readonly vt: VcpuTable },
    private readonly clock: Clock,
  ) {
    this.units = new RtUnits(core.vt);
    this.replq = new ReplQueue({ rows: this.units, stride: I_STRIDE, offset: I_REPL_LINKS });
    this.replTimer = clock.at(clock.now, (now) => this.replHandler(now));
    clock.cancel(this.replTimer);
    const n = core.nrCpus;
    this.inPool = new Uint8Array(n);
    this.tickled = new Uint8Array(n);
    this.isIdle = new Uint8Array(n);
    this.idlers = new CpuBits(n);
    this.run = new RtRunCpus(n);
  }

  /** The pCPU now runs record r (or its key changed): a preemption candidate unless tickled. */
  private setRunning(cpu: number, r: number): void {
    this.run.setKey(cpu, this.units.level(r), this.units.deadline(r));
    if (this.tickled[cpu] === 0) this.run.join(cpu);
  }

  private setIdle(cpu: number): void {
    this.isIdle[cpu] = 1;
    this.run.leave(cpu);
    if (this.tickled[cpu] === 0) this.idlers.add(cpu);
  }

  initPcpu(cpu: number): void {
    this.cpus.add(cpu);
    this.inPool[cpu] = 1;
    this.tickled[cpu] = 0;
    this.setIdle(cpu);
  }

  deinitPcpu(cpu: number): void {
    this.cpus.delete(cpu);
    this.inPool[cpu] = 0;
    this.tickled[cpu] = 0;
    this.isIdle[cpu] = 0;
    this.idlers.delete(cpu);
    this.run.leave(cpu);
  }

  insertDomain(d: SchedDomainRec): void {
    d.priv ??= {};
  }

  removeDomain(d: SchedDomainRec): void {
    // the units' records (and replenishment slots) go with their domain
    for (const u of d.units) {
      const r = this.units.recordOf(u);
      if (r >= 0) {
        this.units.free(r);
        u.priv = null;
      }
    }
  }

  insertUnit(u: Unit, now: STime): void {
    // a unit keeps its record while it stays in this instance (its domain is fixed:
    // Unit.dom is readonly); a domain moved here from another pool arrives with priv null
    let r = this.units.recordOf(u);
    if (r < 0) {
      r = this.units.alloc(u);
      u.priv = r;
    }
    this.units.i[r * I_STRIDE + I_FLAGS]! &= ~(RT_ON_RUNQ | RT_ON_DEPLETEDQ | RT_ON_REPLQ);
    if (now >= this.units.deadline(r)) this.updateDeadline(r, now);
    u.processor = this.pickCpu(u);
  }

  removeUnit(u: Unit): void {
    const r = rec(u);
    this.dequeue(r);
    if (this.units.flag(r, RT_ON_REPLQ)) this.replqRemove(r);
  }

  /**
   * rt_update_deadline() (now >= cur_deadline): the deadline moves on by as many whole
   * periods as it takes to pass now — periods stay anchored at the unit's first
   * deadline, one period after it was first inserted (cur_deadline 0), not at multiples
   * of the period once the period changes — with a full budget at level 0, and
   * last_start = now (the time run before now in the old period is not burnt from the
   * new budget). RTDS_depleted is left as it is: only repl_timer_handler clears it.
   */
  private updateDeadline(r: number, now: STime): void {
    const f = this.units.f;
    const b = r * F_STRIDE;
    const period = f[b + F_PERIOD]!;
    const dl = f[b + F_CUR_DEADLINE]!;
    // Xen adds periods one at a time below 1024 periods behind, multiplies above: the same
    this.units.setDeadline(r, dl + (Math.floor((now - dl) / period) + 1) * period);
    f[b + F_CUR_BUDGET] = f[b + F_BUDGET]!;
    f[b + F_LAST_START] = now;
    this.units.i[r * I_STRIDE + I_PRIORITY_LEVEL] = 0;
  }

  // --- queues ----------------------------------------------------------------------

  /** After every queued unit that compare_unit_priority() does not put after it. */
  private runqInsert(r: number): void {
    const t = this.units;
    this.runq.insert(r, t.level(r), t.deadline(r));
    t.i[r * I_STRIDE + I_FLAGS]! |= RT_ON_RUNQ;
  }

  /**
   * rt.c's runq_insert(): the runqueue when the unit has budget left or extratime, else
   * the depleted queue.
   */
  private enqueue(r: number): void {
    const t = this.units;
    if (t.f[r * F_STRIDE + F_CUR_BUDGET]! > 0 || t.i[r * I_STRIDE + I_FLAGS]! & RT_EXTRATIME) this.runqInsert(r);
    else {
      this.depletedq.add(r);
      t.i[r * I_STRIDE + I_FLAGS]! |= RT_ON_DEPLETEDQ;
    }
  }

  private dequeue(r: number): void {
    const t = this.units;
    const I = t.i;
    const fl = I[r * I_STRIDE + I_FLAGS]!;
    if (fl & RT_ON_RUNQ) {
      // keys do not change while queued (replHandler dequeues before a new deadline)
      this.runq.remove(r, t.level(r), t.deadline(r));
      I[r * I_STRIDE + I_FLAGS]! &= ~RT_ON_RUNQ;
    }
    if (fl & RT_ON_DEPLETEDQ) {
      this.depletedq.delete(r);
      I[r * I_STRIDE + I_FLAGS]! &= ~RT_ON_DEPLETEDQ;
    }
  }

  // The replenishment queue (repl-queue.ts): as Xen's list, by compare_unit_priority
  // (level, deadline) at queueing, then queueing order.
  private armRepl(): void {
    if (this.replq.size > 0) this.clock.set(this.replTimer, this.replq.topKey());
    else this.clock.cancel(this.replTimer);
  }

  private replqInsert(r: number): void {
    const at = this.replq.push(r, this.units.level(r), this.units.deadline(r));
    this.units.i[r * I_STRIDE + I_FLAGS]! |= RT_ON_REPLQ;
    if (at === 0 && !this.inRepl) this.armRepl();
  }

  private replqRemove(r: number): void {
    this.units.i[r * I_STRIDE + I_FLAGS]! &= ~RT_ON_REPLQ;
    const i = this.replq.remove(r);
    if (i === 0 && !this.inRepl) this.armRepl();
  }

  // --- picking and tickling --------------------------------------------------------

  /**
   * rt_res_pick_locked(): the unit's pCPU when the pool and its hard affinity allow it,
   * else cpumask_cycle() from it: the next allowed pCPU after it, wrapping.
   */
  pickCpu(u: Unit): number {
    const cur = u.processor;
    if (this.inPool[cur] === 1 && u.hardOk(cur)) return cur;
    const n = this.core.nrCpus;
    for (let i = 1; i < n; i++) {
      const c = cur + i < n ? cur + i : cur + i - n;
      if (this.inPool[c] === 1 && u.hardOk(c)) return c;
    }
    return cur;
  }

  /** compare_unit_priority(record r, the unit pCPU `cpu` runs) > 0: r runs before it. */
  private beats(r: number, cpu: number): boolean {
    const la = this.units.level(r);
    const lb = this.run.level(cpu);
    if (la !== lb) return la < lb;
    return this.units.deadline(r) < this.run.deadline(cpu);
  }

  /**
   * runq_tickle(): walking the pool's untickled pCPUs the unit may use from its own pCPU
   * in cpumask_cycle() order, the first idle one; else, when the unit beats it, the first
   * pCPU met that runs the latest (level, deadline) (compare_unit_priority, strictly).
   */
  private tickle(r: number): void {
    const core = this.core;
    const idx = r; // the unit's record is in its row
    const own = core.processor(idx);
    if (core.hardAll(idx)) {
      if (this.idlers.size > 0) {
        this.tickleCpu(this.idlers.firstFrom(own));
        return;
      }
      const c = this.run.latestFrom(own);
      if (c >= 0 && this.beats(r, c)) this.tickleCpu(c);
      return;
    }
    // hard affinity: Xen's walk over the pCPUs it allows, from its own in cycle order
    const mask = core.unit(idx).vcpu.hardAffinity.bits;
    const n = core.nrCpus;
    const run = this.run;
    let latest = -1;
    const first = firstSetFrom(mask, 0, mask.length, own);
    for (let c = first; c >= 0; ) {
      if (this.inPool[c] === 1 && this.tickled[c] === 0) {
        if (this.isIdle[c] === 1) {
          this.tickleCpu(c);
          return;
        }
        if (latest < 0 || run.level(c) > run.level(latest) || (run.level(c) === run.level(latest) && run.deadline(c) > run.deadline(latest))) latest = c;
      }
      c = firstSetFrom(mask, 0, mask.length, c + 1 < n ? c + 1 : 0);
      if (c === first) break;
    }
    if (latest >= 0 && this.beats(r, latest)) this.tickleCpu(latest);
  }

  private tickleCpu(cpu: number): void {
    this.tickled[cpu] = 1;
    this.idlers.delete(cpu);
    this.run.leave(cpu);
    this.core.tickle(cpu);
  }

  // --- wake / sleep ----------------------------------------------------------------

  /**
   * rt_unit_wake(). The core calls it only for a unit not on a pCPU (one still there
   * when it wakes keeps running: Xen's unit_wake_running and RTDS_scheduled cases), so
   * it is off the replenishment queue. A deadline passed while asleep gives new
   * parameters; then replq_insert, runq_insert and runq_tickle — whatever queue the
   * unit went to: a depleted unit tickles too.
   */
  wake(idx: number, now: STime): void {
    const r = idx; // the unit's record is in its row
    const t = this.units;
    if (t.flag(r, RT_ON_RUNQ | RT_ON_DEPLETEDQ)) return;
    if (now >= t.deadline(r)) this.updateDeadline(r, now);
    const core = this.core;
    const cpu = core.processor(idx);
    if (this.inPool[cpu] !== 1 || !core.hardOk(idx, cpu)) core.setProcessor(idx, this.pickCpu(core.unit(idx)));
    if (!t.flag(r, RT_ON_REPLQ)) this.replqInsert(r);
    this.enqueue(r);
    this.tickle(r);
  }

  sleep(idx: number): void {
    const r = idx;
    this.dequeue(r);
    if (this.units.flag(r, RT_ON_REPLQ)) this.replqRemove(r);
  }

  // --- do_schedule -----------------------------------------------------------------

  /** burn_budget(): ns run since last_start; at 0 left, extratime's next level or depleted. */
  private burnBudget(r: number, now: STime): void {
    const f = this.units.f;
    const I = this.units.i;
    const b = r * F_STRIDE;
    const delta = now - f[b + F_LAST_START]!;
    f[b + F_LAST_START] = now;
    if (delta < 0) return;
    const left = f[b + F_CUR_BUDGET]! - delta;
    f[b + F_CUR_BUDGET] = left;
    if (left <= 0) {
      if (I[r * I_STRIDE + I_FLAGS]! & RT_EXTRATIME) {
        I[r * I_STRIDE + I_PRIORITY_LEVEL]!++;
        f[b + F_CUR_BUDGET] = f[b + F_BUDGET]!;
      } else {
        f[b + F_CUR_BUDGET] = 0;
        I[r * I_STRIDE + I_FLAGS]! |= RT_DEPLETED;
      }
    }
  }

  /**
   * rt_schedule(), then rt_context_saved() for the unit switched out (the simulator
   * switches at once): burn prev's budget, runq_pick() the first unit of the runqueue
   * this pCPU may run, keep prev only if it is runnable with budget left and beats that
   * unit strictly (compare_unit_priority > 0: on a tie the queued unit runs). A prev
   * still runnable goes back to a queue and is tickled for (RTDS_delayed_runq_add);
   * one that is not leaves the replenishment queue.
   */
  doSchedule(cpu: number, prev: number, now: STime): number {
    this.tickled[cpu] = 0;
    const t = this.units;
    const core = this.core;
    let scurr = -1;
    let prevOk = false;
    // unit_runnable(prev), asked once: nothing here changes the vCPU's state
    const prevRunnable = prev >= 0 && core.runnable(prev);
    if (prev >= 0) {
      scurr = prev;
      this.burnBudget(scurr, now);
      prevOk = prevRunnable && t.f[scurr * F_STRIDE + F_CUR_BUDGET]! > 0 && core.hardOk(prev, cpu);
    }
    // runq_pick(): the first unit of the global queue allowed on this pCPU
    let pick = -1;
    const q = this.runq;
    for (let i = 0; i < q.length; i++) {
      if (core.hardOk(q.at(i), cpu)) {
        pick = i;
        break;
      }
    }
    const rnext = pick >= 0 ? q.at(pick) : -1;
    let sn = rnext;
    if (prevOk && (rnext < 0 || t.higher(scurr, rnext))) sn = scurr;
    else if (rnext >= 0) {
      q.removeAt(pick);
      t.i[rnext * I_STRIDE + I_FLAGS]! &= ~RT_ON_RUNQ;
    }
    if (sn < 0) {
      this.setIdle(cpu);
      this.slice = -1;
    } else {
      this.isIdle[cpu] = 0;
      this.idlers.delete(cpu);
      this.setRunning(cpu, sn);
      t.f[sn * F_STRIDE + F_LAST_START] = now;
      this.slice = Math.max(t.f[sn * F_STRIDE + F_CUR_BUDGET]!, 1);
    }
    if (scurr >= 0 && sn !== scurr) {
      // rt_context_saved(), once this pCPU runs sn
      if (prevRunnable) {
        this.enqueue(scurr);
        this.tickle(scurr);
      } else if (t.flag(scurr, RT_ON_REPLQ)) this.replqRemove(scurr);
    }
    return sn;
  }

  // --- replenishment ---------------------------------------------------------------

  /**
   * repl_timer_handler(): every unit due leaves the replenishment queue for a list, in
   * queue order, each put at the list's head (list_add), gets its new deadline and
   * budget (rt_update_deadline) and, when queued, its new place in its queue. Then, down
   * that list (the last due first): a running unit that the runqueue's head now beats
   * gets that head tickled for (runq_tickle: an idle pCPU may take it); otherwise a unit
   * that was depleted (the flag is cleared) and is queued is tickled for; each goes back
   * on the replenishment queue. The timer is set once, for the queue's new head.
   *
   * Not Xen: deadline misses. Xen counts none; this simulator counts, per vCPU, the
   * periods that ended while it was awake at level 0 with reserved budget left
   * (Unit.deadlineMisses, the sched metrics' deadlineMisses). The bench's
   * rt_job_misses is another metric of ours: the rt workload's jobs not done by their
   * own deadlines.
   */
  private replHandler(now: STime): void {
    const due = this.due;
    const q = this.replq;
    const t = this.units;
    const f = t.f;
    this.inRepl = true;
    const core = this.core;
    while (q.size > 0 && q.topKey() <= now) {
      const r = q.top();
      this.replqRemove(r);
      due.push(r);
    }
    for (const r of due) {
      const idx = r;
      const pcpu = core.pcpuOf(idx);
      this.replenishments++;
      const b = r * F_STRIDE;
      const left = f[b + F_CUR_BUDGET]! - (pcpu >= 0 ? now - f[b + F_LAST_START]! : 0);
      if (core.awake(idx) && t.level(r) === 0 && left > 0) core.deadlineMiss(idx);
      // off its queue under the key it was queued with, back on under the new one
      const queued = t.flag(r, RT_ON_RUNQ | RT_ON_DEPLETEDQ);
      if (queued) this.dequeue(r);
      this.updateDeadline(r, now);
      if (queued) this.enqueue(r);
      if (pcpu >= 0) this.setRunning(pcpu, r);
    }
    for (let k = due.length - 1; k >= 0; k--) {
      const r = due[k]!;
      const idx = r;
      if (core.pcpuOf(idx) >= 0 && this.runq.length > 0) {
        const head = this.runq.at(0);
        if (t.higher(head, r)) this.tickle(head);
      } else if (t.flag(r, RT_DEPLETED)) {
        t.i[r * I_STRIDE + I_FLAGS]! &= ~RT_DEPLETED;
        if (t.flag(r, RT_ON_RUNQ | RT_ON_DEPLETEDQ)) this.tickle(r);
      }
      this.replqInsert(r);
    }
    this.inRepl = false;
    this.armRepl();
    due.length = 0;
  }

  // --- parameters ------------------------------------------------------------------

  private static check(period: number, budget: number): void {
    if (!Number.isInteger(period) || period < RTDS_MIN_PERIOD_US || period > RTDS_MAX_PERIOD_US) {
      throw new XenError('EINVAL', `period ${period} us outside ${RTDS_MIN_PERIOD_US}-${RTDS_MAX_PERIOD_US}`);
    }
    if (!Number.isInteger(budget) || budget < RTDS_MIN_BUDGET_US || budget > period) {
      throw new XenError('EINVAL', `budget ${budget} us must be ${RTDS_MIN_BUDGET_US}-${period} (at most the period)`);
    }
  }

  adjustDomain(d: SchedDomainRec, op: DomainSchedOp): DomainSchedResult {
    switch (op.cmd) {
      case 'getinfo':
        // Xen returns the defaults here, not the vCPUs' values (use getvcpuinfo)
        return { params: { period: RTDS_DEFAULT_PERIOD_US, budget: RTDS_DEFAULT_BUDGET_US } };
      case 'putinfo': {
        // rt_dom_cntl() refuses only a 0 period or budget, then sets every unit's period and
        // budget (µs -> ns). The ranges are libxl's (sched_rtds_domain_set) and putvcpuinfo's;
        // the XEN_DOMCTL_SCHEDRT_extra flag libxl sends is not read: a unit keeps the
        // extratime rt_alloc_udata gave it until putvcpuinfo changes it.
        const { period, budget } = op.params;
        if (!period || !budget) throw new XenError('EINVAL', 'RTDS putinfo needs a period and a budget, neither 0');
        // xen_domctl_sched_rtds's period and budget are uint32_t: nothing else gets here
        if (!isU32(period) || !isU32(budget)) throw new XenError('EINVAL', `RTDS period ${period} and budget ${budget} must be uint32_t µs`);
        for (const u of d.units) this.setParams(u, period, budget, this.units.flag(rec(u), RT_EXTRATIME));
        return { params: { period, budget } };
      }
      case 'getvcpuinfo': {
        const out: VcpuSchedParams[] = [];
        for (const v of op.vcpus) {
          const u = d.units[v];
          if (!u) throw new XenError('EINVAL', `domain ${d.domid} has no vCPU ${v}`);
          const b = rec(u) * F_STRIDE;
          const f = this.units.f;
          out.push({ vcpu: v, period: f[b + F_PERIOD]! / 1000, budget: f[b + F_BUDGET]! / 1000, extratime: this.units.flag(rec(u), RT_EXTRATIME) });
        }
        return { params: {}, vcpus: out };
      }
      case 'putvcpuinfo': {
        for (const p of op.vcpus) {
          if (!d.units[p.vcpu]) throw new XenError('EINVAL', `domain ${d.domid} has no vCPU ${p.vcpu}`);
          RtdsScheduler.check(p.period, p.budget);
        }
        for (const p of op.vcpus) this.setParams(d.units[p.vcpu]!, p.period, p.budget, p.extratime);
        return { params: {}, vcpus: op.vcpus.map((p) => ({ ...p })) };
      }
    }
  }

  private setParams(u: Unit, periodUs: number, budgetUs: number, extratime: boolean): void {
    const r = rec(u);
    const f = this.units.f;
    const b = r * F_STRIDE;
    f[b + F_PERIOD] = MICROSECS(periodUs);
    f[b + F_BUDGET] = MICROSECS(budgetUs);
    // cur_budget is left as it is, as rt_dom_cntl() does: the next refill applies the budget
    this.units.setFlag(r, RT_EXTRATIME, extratime);
  }

  adjustGlobal(op: PoolSchedOp): PoolSchedParams {
    if (op.cmd === 'putinfo' && Object.values(op.params).some((v) => v !== undefined)) {
      throw new XenError('EINVAL', 'RTDS has no pool-wide parameters');
    }
    return {};
  }

  /** rt_dump() and rt_dump_pcpu() (rtds-dump.ts), reading the state as it is. */
  dump(ctx: SchedDumpContext): SchedDump {
    return rtdsDump(ctx, {
      cpus: this.cpus,
      units: this.units,
      runq: () => this.runq.toArray(),
      depletedq: () => this.depletedq,
      replq: () => this.replq.slots(),
      recordOfIdx: (idx) => idx,
    });
  }
}
