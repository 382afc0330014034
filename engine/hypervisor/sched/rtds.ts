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
 *   reschedules. A waking vCPU, or one refilled, is placed on an idle pCPU if there is
 *   one, otherwise it preempts the pCPU running the vCPU with the latest deadline if its
 *   own deadline is earlier.
 * - Deadline misses: this simulator counts, per vCPU, the periods that ended with
 *   reserved budget left over while the vCPU wanted to run — the server was not given
 *   its budget before its deadline. With a schedulable set (Σ budget/period within the
 *   pool's pCPUs, under global EDF's bounds) there are none.
 */
import { MICROSECS, type Clock, type STime, type Timer } from '../clock';
import { XenError } from '../errno';
import { withRoomFor } from './unit-map';
import type { SchedDomainRec, Unit } from './core';
import { RingQueue } from './queue';
import { CpuFifo } from './cpu-fifo';
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

/** The unit's record (its `priv`, set by insertUnit). */
const rec = (u: Unit): number => u.priv as number;

export class RtdsScheduler implements Scheduler {
  readonly name = 'rtds';
  readonly id = XEN_SCHEDULER_ID.rtds;
  slice: STime = -1;
  private readonly cpus = new Set<number>();
  /** The runqueue: records, highest priority first. */
  private readonly runq = new RingQueue<number>();
  /** The depleted queue: records. */
  private readonly depletedq = new Set<number>();
  private readonly units = new RtUnits();
  /** Replenishment queue, earliest deadline first: a record's slot is its number. */
  private readonly replq = new ReplQueue({ rows: this.units, stride: I_STRIDE, offset: I_REPL_LINKS });
  /** By unit idx: its record here (-1 for none). The hot hooks get units by idx. */
  private recOf = new Int32Array(64).fill(-1);
  private readonly replTimer: Timer;
  // runq_tickle() walks the pool's pCPUs: first the idle ones in the order they went
  // idle, then all of them for the latest deadline. Xen keeps that walk (a handful of
  // pCPUs on real hosts); on a 4096-pCPU pool it was nearly all of the cost, so the
  // pCPUs it would walk are kept where the first is what the walk would find:
  // `idlers`, idle and not tickled pCPUs in the order they went idle (a list: a pCPU
  // going idle goes last, so a heap's sifts bought nothing), and `run` (rt-run-cpus.ts),
  // running and not tickled pCPUs, latest (priority level, deadline) first and, among
  // equals, the pCPU that joined the pool first (the walk's order).
  private readonly inPool: Uint8Array;
  private readonly tickled: Uint8Array;
  private readonly isIdle: Uint8Array;
  /** The rank of the next pCPU to join: its place in the walk's order over the pool (run.rank). */
  private rankNext = 0;
  /** Order of going idle (the walk's order over the idle pCPUs). */
  private readonly idleSeq: Float64Array;
  private idleSeqNext = 0;
  private readonly idlers: CpuFifo;
  private readonly run: RtRunCpus;
  replenishments = 0;
  /** True while replHandler runs: it arms the replenishment timer once, at its end. */
  private inRepl = false;
  /** replHandler's records due (kept to reuse). */
  private readonly due: number[] = [];

  constructor(
    private readonly core: SchedCoreApi,
    private readonly clock: Clock,
  ) {
    this.replTimer = clock.at(clock.now, (now) => this.replHandler(now));
    clock.cancel(this.replTimer);
    const n = core.nrCpus;
    this.inPool = new Uint8Array(n);
    this.tickled = new Uint8Array(n);
    this.isIdle = new Uint8Array(n);
    this.idleSeq = new Float64Array(n);
    this.idlers = new CpuFifo(n);
    this.run = new RtRunCpus(n);
  }

  /** The pCPU now runs record r (or its key changed): a preemption candidate unless tickled. */
  private setRunning(cpu: number, r: number): void {
    this.run.setKey(cpu, this.units.level(r), this.units.deadline(r));
    if (this.tickled[cpu] === 0) this.run.join(cpu);
  }

  private setIdle(cpu: number): void {
    if (this.isIdle[cpu] === 0) {
      this.isIdle[cpu] = 1;
      this.idleSeq[cpu] = this.idleSeqNext++;
    }
    this.run.leave(cpu);
    // a tickled idle pCPU that found nothing goes back to its place, not last
    if (this.tickled[cpu] === 0) this.idlers.addByKey(cpu, this.idleSeq);
  }

  initPcpu(cpu: number): void {
    this.cpus.add(cpu);
    this.inPool[cpu] = 1;
    this.run.setRank(cpu, this.rankNext++);
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
        this.recOf[this.units.idx[r]!] = -1;
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
    this.recOf = withRoomFor(this.recOf, u.idx);
    this.recOf[u.idx] = r;
    this.units.i[r * I_STRIDE + I_FLAGS]! &= ~(RT_ON_RUNQ | RT_ON_DEPLETEDQ | RT_ON_REPLQ);
    if (now >= this.units.deadline(r)) this.updateDeadline(r, now);
    u.processor = this.pickCpu(u);
  }

  removeUnit(u: Unit): void {
    const r = rec(u);
    this.dequeue(r);
    if (this.units.flag(r, RT_ON_REPLQ)) this.replqRemove(r);
  }

  /** rt_update_deadline(): next period boundary after now; full budget. */
  private updateDeadline(r: number, now: STime): void {
    const f = this.units.f;
    const b = r * F_STRIDE;
    const period = f[b + F_PERIOD]!;
    const dl = f[b + F_CUR_DEADLINE]!;
    if (dl === 0 || now - dl >= period * 4) {
      // first time (or long asleep): periods aligned on multiples of the period
      this.units.setDeadline(r, (Math.floor(now / period) + 1) * period);
    } else {
      const count = Math.floor((now - dl) / period) + 1;
      this.units.setDeadline(r, dl + count * period);
    }
    f[b + F_CUR_BUDGET] = f[b + F_BUDGET]!;
    const I = this.units.i;
    I[r * I_STRIDE + I_PRIORITY_LEVEL] = 0;
    I[r * I_STRIDE + I_FLAGS]! &= ~RT_DEPLETED;
  }

  // --- queues ----------------------------------------------------------------------

  private runqInsert(r: number): void {
    const t = this.units;
    const q = this.runq;
    let lo = 0;
    let hi = q.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (t.higher(r, q.at(mid))) hi = mid;
      else lo = mid + 1;
    }
    q.insertAt(lo, r);
    t.i[r * I_STRIDE + I_FLAGS]! |= RT_ON_RUNQ;
  }

  /** runq_insert of the scheduler: runqueue or, when depleted, the depleted queue. */
  private enqueue(r: number): void {
    if (this.units.flag(r, RT_DEPLETED)) {
      this.depletedq.add(r);
      this.units.i[r * I_STRIDE + I_FLAGS]! |= RT_ON_DEPLETEDQ;
    } else this.runqInsert(r);
  }

  private dequeue(r: number): void {
    const t = this.units;
    const I = t.i;
    const fl = I[r * I_STRIDE + I_FLAGS]!;
    if (fl & RT_ON_RUNQ) {
      // keys do not change while queued: binary search to the unit's key, then find it
      const q = this.runq;
      let lo = 0;
      let hi = q.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (t.higher(q.at(mid), r)) lo = mid + 1;
        else hi = mid;
      }
      let i = lo;
      while (i < q.length && q.at(i) !== r) i++;
      if (i >= q.length) i = q.indexOf(r);
      if (i >= 0) q.removeAt(i);
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

  pickCpu(u: Unit): number {
    const cur = u.processor;
    if (this.inPool[cur] === 1 && u.hardOk(cur)) return cur;
    for (const c of this.cpus) if (u.hardOk(c)) return c;
    return cur;
  }

  /** runq_tickle(): an idle pCPU, else the one running the latest deadline if we beat it. */
  private tickle(r: number): void {
    const t = this.units;
    const core = this.core;
    const idx = t.idx[r]!;
    const own = core.processor(idx);
    if (this.inPool[own] === 1 && core.hardOk(idx, own) && this.tickled[own] === 0 && core.currIdx(own) < 0) {
      this.tickleCpu(own);
      return;
    }
    if (core.hardAll(idx)) {
      if (this.idlers.size() > 0) {
        this.tickleCpu(this.idlers.first());
        return;
      }
      const c = this.run.top();
      if (c >= 0 && t.higher(r, this.recOf[core.currIdx(c)]!)) this.tickleCpu(c);
      return;
    }
    // hard affinity: the same walk over the pCPUs it allows
    let idleCpu = -1;
    let freeCpu = -1;
    let latestCpu = -1;
    let latest = -1;
    for (const c of core.unit(idx).vcpu.hardAffinity) {
      if (this.inPool[c] !== 1 || this.tickled[c] === 1) continue;
      if (this.isIdle[c] === 1 && (idleCpu < 0 || this.idleSeq[c]! < this.idleSeq[idleCpu]!)) idleCpu = c;
      const ci = core.currIdx(c);
      if (ci < 0) {
        if (freeCpu < 0 || this.run.rank(c) < this.run.rank(freeCpu)) freeCpu = c;
        continue;
      }
      const cs = this.recOf[ci]!;
      if (latest < 0 || t.higher(latest, cs) || (!t.higher(cs, latest) && this.run.rank(c) < this.run.rank(latestCpu))) {
        latest = cs;
        latestCpu = c;
      }
    }
    if (idleCpu >= 0) this.tickleCpu(idleCpu);
    else if (freeCpu >= 0) this.tickleCpu(freeCpu);
    else if (latest >= 0 && t.higher(r, latest)) this.tickleCpu(latestCpu);
  }

  private tickleCpu(cpu: number): void {
    this.tickled[cpu] = 1;
    this.idlers.delete(cpu);
    this.run.leave(cpu);
    this.core.tickle(cpu);
  }

  // --- wake / sleep ----------------------------------------------------------------

  wake(idx: number, now: STime): void {
    const r = this.recOf[idx]!;
    const t = this.units;
    if (t.flag(r, RT_ON_RUNQ | RT_ON_DEPLETEDQ)) return;
    if (now >= t.deadline(r)) this.updateDeadline(r, now);
    const core = this.core;
    const cpu = core.processor(idx);
    if (this.inPool[cpu] !== 1 || !core.hardOk(idx, cpu)) core.setProcessor(idx, this.pickCpu(core.unit(idx)));
    this.enqueue(r);
    if (!t.flag(r, RT_ON_REPLQ)) this.replqInsert(r);
    if (!t.flag(r, RT_DEPLETED)) this.tickle(r);
  }

  sleep(idx: number): void {
    const r = this.recOf[idx]!;
    this.dequeue(r);
    if (this.units.flag(r, RT_ON_REPLQ)) this.replqRemove(r);
  }

  // --- do_schedule -----------------------------------------------------------------

  private burnBudget(r: number, now: STime): void {
    const f = this.units.f;
    const I = this.units.i;
    const b = r * F_STRIDE;
    const delta = now - f[b + F_LAST_START]!;
    f[b + F_LAST_START] = now;
    if (delta <= 0 || I[r * I_STRIDE + I_FLAGS]! & RT_DEPLETED) return;
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

  doSchedule(cpu: number, prev: number, now: STime): number {
    this.tickled[cpu] = 0;
    const t = this.units;
    const core = this.core;
    let scurr = -1;
    let prevOk = false;
    // unit_runnable(prev), asked once: nothing here changes the vCPU's state
    const prevRunnable = prev >= 0 && core.runnable(prev);
    if (prev >= 0) {
      scurr = this.recOf[prev]!;
      this.burnBudget(scurr, now);
      prevOk = prevRunnable && !t.flag(scurr, RT_DEPLETED) && core.hardOk(prev, cpu);
      if (!prevRunnable && t.flag(scurr, RT_ON_REPLQ)) this.replqRemove(scurr);
    }
    // runq_pick(): the first unit of the global queue allowed on this pCPU
    let pick = -1;
    const q = this.runq;
    for (let i = 0; i < q.length; i++) {
      if (core.hardOk(t.idx[q.at(i)]!, cpu)) {
        pick = i;
        break;
      }
    }
    const rnext = pick >= 0 ? q.at(pick) : -1;
    let sn = rnext;
    if (prevOk && (rnext < 0 || !t.higher(rnext, scurr))) sn = scurr;
    else if (rnext >= 0) {
      q.removeAt(pick);
      t.i[rnext * I_STRIDE + I_FLAGS]! &= ~RT_ON_RUNQ;
    }
    if (prev >= 0 && sn !== scurr && prevRunnable) this.enqueue(scurr);
    if (sn < 0) {
      this.setIdle(cpu);
      this.slice = -1;
      return -1;
    }
    this.isIdle[cpu] = 0;
    this.idlers.delete(cpu);
    this.setRunning(cpu, sn);
    t.f[sn * F_STRIDE + F_LAST_START] = now;
    this.slice = Math.max(t.f[sn * F_STRIDE + F_CUR_BUDGET]!, 1);
    // the next refill may come before the budget is gone: the replenishment handler
    // tickles as needed
    return t.idx[sn]!;
  }

  // --- replenishment ---------------------------------------------------------------

  private replHandler(now: STime): void {
    const due = this.due;
    const q = this.replq;
    const t = this.units;
    // as repl_timer_handler, the timer is set once, for the queue as the handler leaves
    // it, not at each unit taken from or put back at the front of the queue
    this.inRepl = true;
    const core = this.core;
    while (q.size > 0 && q.topKey() <= now) {
      const r = q.top();
      this.replqRemove(r);
      due.push(r);
    }
    for (const r of due) {
      const idx = t.idx[r]!;
      const pcpu = core.pcpuOf(idx);
      const awake = core.awake(idx);
      this.replenishments++;
      if (pcpu >= 0) this.burnBudget(r, now);
      // the period ended with reserved budget unused although the vCPU wanted to run
      if (awake && t.level(r) === 0 && !t.flag(r, RT_DEPLETED) && t.f[r * F_STRIDE + F_CUR_BUDGET]! > 0) core.unit(idx).deadlineMisses++;
      const wasQueued = t.flag(r, RT_ON_RUNQ | RT_ON_DEPLETEDQ);
      if (wasQueued) this.dequeue(r);
      this.updateDeadline(r, now);
      if (pcpu >= 0) this.setRunning(pcpu, r);
      if (awake) this.replqInsert(r);
      if (wasQueued) this.enqueue(r);
    }
    this.inRepl = false;
    this.armRepl();
    for (const r of due) {
      const idx = t.idx[r]!;
      if (!core.awake(idx)) continue;
      const pcpu = core.pcpuOf(idx);
      if (pcpu >= 0) {
        // it runs with a new deadline: let a waiting unit with an earlier one preempt
        const head = this.runq.length > 0 ? this.runq.at(0) : -1;
        if (head >= 0 && t.higher(head, r)) this.tickleCpu(pcpu);
        else core.tickle(pcpu); // re-arm its slice with the new budget
      } else if (t.flag(r, RT_ON_RUNQ)) this.tickle(r);
    }
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
        const { period, budget, extratime } = op.params;
        if (period === undefined || budget === undefined || period === 0 || budget === 0) {
          throw new XenError('EINVAL', 'RTDS putinfo needs a period and a budget');
        }
        RtdsScheduler.check(period, budget);
        for (const u of d.units) this.setParams(u, period, budget, extratime ?? this.units.flag(rec(u), RT_EXTRATIME));
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
    this.units.setFlag(r, RT_EXTRATIME, extratime);
    if (f[b + F_CUR_BUDGET]! > f[b + F_BUDGET]!) f[b + F_CUR_BUDGET] = f[b + F_BUDGET]!;
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
      recordOfIdx: (idx) => this.recOf[idx]!,
    });
  }
}
