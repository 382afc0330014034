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
import type { SchedDomainRec, Unit } from './core';
import { RingQueue } from './queue';
import { CpuHeap } from './cpu-heap';
import { SlotHeap } from './slot-heap';
import {
  XEN_SCHEDULER_ID,
  type DomainSchedOp,
  type DomainSchedResult,
  type PoolSchedOp,
  type PoolSchedParams,
  type SchedCoreApi,
  type Scheduler,
  type VcpuSchedParams,
} from './scheduler';

export const RTDS_DEFAULT_PERIOD_US = 10000;
export const RTDS_DEFAULT_BUDGET_US = 4000;
export const RTDS_MIN_PERIOD_US = 10;
export const RTDS_MIN_BUDGET_US = 10;
/** STIME_DELTA_MAX in µs (Xen's bound on a period). */
export const RTDS_MAX_PERIOD_US = Math.floor(2 ** 62 / 1000);

class RtUnit {
  period = MICROSECS(RTDS_DEFAULT_PERIOD_US);
  budget = MICROSECS(RTDS_DEFAULT_BUDGET_US);
  extratime = true;
  curBudget = 0;
  private _curDeadline = 0;
  priorityLevel = 0;
  lastStart = 0;
  depleted = false;
  onRunq = false;
  onDepletedq = false;
  onReplq = false;
  /** Its slot in the replenishment queue (a SlotHeap keyed by the deadline). */
  readonly replSlot: number;
  constructor(
    readonly dom: SchedDomainRec,
    private readonly replq: SlotHeap,
  ) {
    this.replSlot = replq.allocSlot();
  }
  get curDeadline(): STime {
    return this._curDeadline;
  }
  /** The replenishment queue's key is the live deadline, as rt.c compares the units. */
  set curDeadline(t: STime) {
    this._curDeadline = t;
    this.replq.setKey(this.replSlot, t);
  }
}

const rt = (u: Unit): RtUnit => u.priv as RtUnit;

/** Idle, untickled pCPUs: the one idle longest first (its idleSeq is the smallest). */
class IdleCpuHeap extends CpuHeap {
  constructor(
    n: number,
    private readonly idleSeq: Float64Array,
  ) {
    super(n);
  }
  protected override before(a: number, b: number): boolean {
    return this.idleSeq[a]! < this.idleSeq[b]!;
  }
}

/** Busy pCPUs: the one running the lowest-priority unit first (runq_tickle's preemption target). */
class RunCpuHeap extends CpuHeap {
  constructor(
    n: number,
    private readonly prio: Float64Array,
    private readonly deadline: Float64Array,
    private readonly rank: Float64Array,
  ) {
    super(n);
  }
  /** pCPU a runs a lower-priority unit than b (ties: a comes first in the walk). */
  protected override before(a: number, b: number): boolean {
    const pa = this.prio[a]!;
    const pb = this.prio[b]!;
    if (pa !== pb) return pa > pb;
    const da = this.deadline[a]!;
    const db = this.deadline[b]!;
    if (da !== db) return da > db;
    return this.rank[a]! < this.rank[b]!;
  }
}

/** compare_unit_priority(): > 0 when a runs before b. */
function higher(a: RtUnit, b: RtUnit): boolean {
  if (a.priorityLevel !== b.priorityLevel) return a.priorityLevel < b.priorityLevel;
  return a.curDeadline < b.curDeadline;
}

export class RtdsScheduler implements Scheduler {
  readonly name = 'rtds';
  readonly id = XEN_SCHEDULER_ID.rtds;
  slice: STime = -1;
  private readonly cpus = new Set<number>();
  private readonly runq = new RingQueue<Unit>();
  private readonly depletedq = new Set<Unit>();
  /** Replenishment queue, earliest deadline first: RtUnit slots, and the unit of each slot. */
  private readonly replq = new SlotHeap();
  private readonly replUnit: (Unit | null)[] = [];
  private replSeqNext = 0;
  private readonly replTimer: Timer;
  // runq_tickle() walks the pool's pCPUs: first the idle ones in the order they went
  // idle, then all of them for the latest deadline. Xen keeps that walk (a handful of
  // pCPUs on real hosts); on a 4096-pCPU pool it was nearly all of the cost, so the
  // pCPUs it would walk are kept in two heaps whose tops are what the walk would find:
  // `idleHeap`, idle and not tickled pCPUs by when they went idle, and `runHeap`,
  // running and not tickled pCPUs, latest (priority level, deadline) first and, among
  // equals, the pCPU that joined the pool first (the walk's order).
  private readonly inPool: Uint8Array;
  private readonly tickled: Uint8Array;
  private readonly isIdle: Uint8Array;
  /** Order of joining the pool (the walk's order over the pool's pCPUs). */
  private readonly rank: Float64Array;
  private rankNext = 0;
  /** Order of going idle (the walk's order over the idle pCPUs). */
  private readonly idleSeq: Float64Array;
  private idleSeqNext = 0;
  /** The running unit's priority level and deadline, as runHeap has them. */
  private readonly runPrio: Float64Array;
  private readonly runDeadline: Float64Array;
  private readonly idleHeap: CpuHeap;
  private readonly runHeap: CpuHeap;
  replenishments = 0;

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
    this.rank = new Float64Array(n);
    this.idleSeq = new Float64Array(n);
    this.runPrio = new Float64Array(n);
    this.runDeadline = new Float64Array(n);
    this.idleHeap = new IdleCpuHeap(n, this.idleSeq);
    this.runHeap = new RunCpuHeap(n, this.runPrio, this.runDeadline, this.rank);
  }

  /** The pCPU now runs `svc` (or its key changed): re-key it unless tickled. */
  private setRunning(cpu: number, svc: RtUnit): void {
    this.runPrio[cpu] = svc.priorityLevel;
    this.runDeadline[cpu] = svc.curDeadline;
    if (this.tickled[cpu] === 0) this.runHeap.update(cpu);
  }

  private setIdle(cpu: number): void {
    if (this.isIdle[cpu] === 0) {
      this.isIdle[cpu] = 1;
      this.idleSeq[cpu] = this.idleSeqNext++;
    }
    this.runHeap.remove(cpu);
    if (this.tickled[cpu] === 0) this.idleHeap.update(cpu);
  }

  initPcpu(cpu: number): void {
    this.cpus.add(cpu);
    this.inPool[cpu] = 1;
    this.rank[cpu] = this.rankNext++;
    this.tickled[cpu] = 0;
    this.setIdle(cpu);
  }

  deinitPcpu(cpu: number): void {
    this.cpus.delete(cpu);
    this.inPool[cpu] = 0;
    this.tickled[cpu] = 0;
    this.isIdle[cpu] = 0;
    this.idleHeap.remove(cpu);
    this.runHeap.remove(cpu);
  }

  insertDomain(d: SchedDomainRec): void {
    d.priv ??= {};
  }

  removeDomain(d: SchedDomainRec): void {
    // the units' replenishment slots go with their domain
    for (const u of d.units) {
      const svc = u.priv;
      if (svc instanceof RtUnit && this.replUnit[svc.replSlot] === u) {
        this.replUnit[svc.replSlot] = null;
        this.replq.freeSlot(svc.replSlot);
      }
    }
  }

  insertUnit(u: Unit, now: STime): void {
    if (!(u.priv instanceof RtUnit) || u.priv.dom !== u.dom) {
      const old = u.priv;
      if (old instanceof RtUnit && this.replUnit[old.replSlot] === u) {
        this.replUnit[old.replSlot] = null;
        this.replq.freeSlot(old.replSlot);
      }
      const svc = new RtUnit(u.dom, this.replq);
      this.replUnit[svc.replSlot] = u;
      u.priv = svc;
    }
    const svc = rt(u);
    svc.onRunq = svc.onDepletedq = svc.onReplq = false;
    if (now >= svc.curDeadline) this.updateDeadline(svc, now);
    u.processor = this.pickCpu(u);
  }

  removeUnit(u: Unit): void {
    this.dequeue(u);
    if (rt(u).onReplq) this.replqRemove(u);
  }

  /** rt_update_deadline(): next period boundary after now; full budget. */
  private updateDeadline(svc: RtUnit, now: STime): void {
    if (svc.curDeadline === 0 || now - svc.curDeadline >= svc.period * 4) {
      // first time (or long asleep): periods aligned on multiples of the period
      svc.curDeadline = (Math.floor(now / svc.period) + 1) * svc.period;
    } else {
      const count = Math.floor((now - svc.curDeadline) / svc.period) + 1;
      svc.curDeadline += count * svc.period;
    }
    svc.curBudget = svc.budget;
    svc.priorityLevel = 0;
    svc.depleted = false;
  }

  // --- queues ----------------------------------------------------------------------

  private runqInsert(u: Unit): void {
    const svc = rt(u);
    const q = this.runq;
    let lo = 0;
    let hi = q.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (higher(svc, rt(q.at(mid)))) hi = mid;
      else lo = mid + 1;
    }
    q.insertAt(lo, u);
    svc.onRunq = true;
  }

  /** runq_insert of the scheduler: runqueue or, when depleted, the depleted queue. */
  private enqueue(u: Unit): void {
    const svc = rt(u);
    if (svc.depleted) {
      this.depletedq.add(u);
      svc.onDepletedq = true;
    } else this.runqInsert(u);
  }

  private dequeue(u: Unit): void {
    const svc = rt(u);
    if (svc.onRunq) {
      // keys do not change while queued: binary search to the unit's key, then find it
      const q = this.runq;
      let lo = 0;
      let hi = q.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (higher(rt(q.at(mid)), svc)) lo = mid + 1;
        else hi = mid;
      }
      let i = lo;
      while (i < q.length && q.at(i) !== u) i++;
      if (i >= q.length) i = q.indexOf(u);
      if (i >= 0) q.removeAt(i);
      svc.onRunq = false;
    }
    if (svc.onDepletedq) {
      this.depletedq.delete(u);
      svc.onDepletedq = false;
    }
  }

  // The replenishment queue: a min-heap on (deadline, arming order).
  private armRepl(): void {
    if (this.replq.size > 0) this.clock.set(this.replTimer, this.replq.topKey());
    else this.clock.cancel(this.replTimer);
  }

  private replqInsert(u: Unit): void {
    const svc = rt(u);
    const at = this.replq.push(svc.replSlot, svc.curDeadline, this.replSeqNext++);
    svc.onReplq = true;
    if (at === 0) this.armRepl();
  }

  private replqRemove(u: Unit): void {
    const svc = rt(u);
    svc.onReplq = false;
    const i = this.replq.remove(svc.replSlot);
    if (i === 0) this.armRepl();
  }

  // --- picking and tickling --------------------------------------------------------

  pickCpu(u: Unit): number {
    const cur = u.processor;
    if (this.cpus.has(cur) && u.hardOk(cur)) return cur;
    for (const c of this.cpus) if (u.hardOk(c)) return c;
    return cur;
  }

  /** runq_tickle(): an idle pCPU, else the one running the latest deadline if we beat it. */
  private tickle(u: Unit): void {
    const svc = rt(u);
    const own = u.processor;
    if (this.inPool[own] === 1 && u.hardOk(own) && this.tickled[own] === 0 && this.core.curr(own) === null) {
      this.tickleCpu(own);
      return;
    }
    if (u.hardAll) {
      if (this.idleHeap.size > 0) {
        this.tickleCpu(this.idleHeap.top());
        return;
      }
      const c = this.runHeap.top();
      if (c >= 0 && higher(svc, rt(this.core.curr(c)!))) this.tickleCpu(c);
      return;
    }
    // hard affinity: the same walk over the pCPUs it allows
    let idleCpu = -1;
    let freeCpu = -1;
    let latestCpu = -1;
    let latest: RtUnit | null = null;
    for (const c of u.vcpu.hardAffinity) {
      if (this.inPool[c] !== 1 || this.tickled[c] === 1) continue;
      if (this.isIdle[c] === 1 && (idleCpu < 0 || this.idleSeq[c]! < this.idleSeq[idleCpu]!)) idleCpu = c;
      const cur = this.core.curr(c);
      if (!cur) {
        if (freeCpu < 0 || this.rank[c]! < this.rank[freeCpu]!) freeCpu = c;
        continue;
      }
      const cs = rt(cur);
      if (!latest || higher(latest, cs) || (!higher(cs, latest) && this.rank[c]! < this.rank[latestCpu]!)) {
        latest = cs;
        latestCpu = c;
      }
    }
    if (idleCpu >= 0) this.tickleCpu(idleCpu);
    else if (freeCpu >= 0) this.tickleCpu(freeCpu);
    else if (latest && higher(svc, latest)) this.tickleCpu(latestCpu);
  }

  private tickleCpu(cpu: number): void {
    this.tickled[cpu] = 1;
    this.idleHeap.remove(cpu);
    this.runHeap.remove(cpu);
    this.core.tickle(cpu);
  }

  // --- wake / sleep ----------------------------------------------------------------

  wake(u: Unit, now: STime): void {
    const svc = rt(u);
    if (svc.onRunq || svc.onDepletedq) return;
    if (now >= svc.curDeadline) this.updateDeadline(svc, now);
    if (!this.cpus.has(u.processor) || !u.hardOk(u.processor)) u.processor = this.pickCpu(u);
    this.enqueue(u);
    if (!svc.onReplq) this.replqInsert(u);
    if (!svc.depleted) this.tickle(u);
  }

  sleep(u: Unit): void {
    this.dequeue(u);
    if (rt(u).onReplq) this.replqRemove(u);
  }

  // --- do_schedule -----------------------------------------------------------------

  private burnBudget(svc: RtUnit, now: STime): void {
    const delta = now - svc.lastStart;
    svc.lastStart = now;
    if (delta <= 0 || svc.depleted) return;
    svc.curBudget -= delta;
    if (svc.curBudget <= 0) {
      if (svc.extratime) {
        svc.priorityLevel++;
        svc.curBudget = svc.budget;
      } else {
        svc.curBudget = 0;
        svc.depleted = true;
      }
    }
  }

  doSchedule(cpu: number, prev: Unit | null, now: STime): Unit | null {
    this.tickled[cpu] = 0;
    let scurr: RtUnit | null = null;
    let prevOk = false;
    if (prev) {
      scurr = rt(prev);
      this.burnBudget(scurr, now);
      prevOk = prev.runnable() && !scurr.depleted && prev.hardOk(cpu);
      if (!prev.runnable() && scurr.onReplq) this.replqRemove(prev);
    }
    // runq_pick(): the first unit of the global queue allowed on this pCPU
    let pick = -1;
    const q = this.runq;
    for (let i = 0; i < q.length; i++) {
      if (q.at(i).hardOk(cpu)) {
        pick = i;
        break;
      }
    }
    let snext: Unit | null = pick >= 0 ? q.at(pick) : null;
    if (prevOk && (!snext || !higher(rt(snext), scurr!))) snext = prev;
    else if (snext) {
      q.removeAt(pick);
      rt(snext).onRunq = false;
    }
    if (prev && snext !== prev && prev.runnable()) this.enqueue(prev);
    if (!snext) {
      this.setIdle(cpu);
      this.slice = -1;
      return null;
    }
    this.isIdle[cpu] = 0;
    this.idleHeap.remove(cpu);
    const sn = rt(snext);
    this.setRunning(cpu, sn);
    sn.lastStart = now;
    this.slice = Math.max(sn.curBudget, 1);
    // the next refill may come before the budget is gone: the replenishment handler
    // tickles as needed
    return snext;
  }

  // --- replenishment ---------------------------------------------------------------

  private replHandler(now: STime): void {
    const due: Unit[] = [];
    const q = this.replq;
    while (q.size > 0 && q.topKey() <= now) {
      const u = this.replUnit[q.top()]!;
      this.replqRemove(u);
      due.push(u);
    }
    for (const u of due) {
      const svc = rt(u);
      this.replenishments++;
      if (u.isRunning) this.burnBudget(svc, now);
      // the period ended with reserved budget unused although the vCPU wanted to run
      if (u.awake && svc.priorityLevel === 0 && !svc.depleted && svc.curBudget > 0) u.deadlineMisses++;
      const wasQueued = svc.onRunq || svc.onDepletedq;
      if (wasQueued) this.dequeue(u);
      this.updateDeadline(svc, now);
      if (u.isRunning) this.setRunning(u.pcpu, svc);
      if (u.awake) this.replqInsert(u);
      if (wasQueued) this.enqueue(u);
    }
    this.armRepl();
    for (const u of due) {
      if (!u.awake) continue;
      if (u.isRunning) {
        // it runs with a new deadline: let a waiting unit with an earlier one preempt
        const head = this.runq.length > 0 ? this.runq.at(0) : undefined;
        if (head && higher(rt(head), rt(u))) this.tickleCpu(u.pcpu);
        else this.core.tickle(u.pcpu); // re-arm its slice with the new budget
      } else if (rt(u).onRunq) this.tickle(u);
    }
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
        for (const u of d.units) this.setParams(u, period, budget, extratime ?? rt(u).extratime);
        return { params: { period, budget } };
      }
      case 'getvcpuinfo': {
        const out: VcpuSchedParams[] = [];
        for (const v of op.vcpus) {
          const u = d.units[v];
          if (!u) throw new XenError('EINVAL', `domain ${d.domid} has no vCPU ${v}`);
          const s = rt(u);
          out.push({ vcpu: v, period: s.period / 1000, budget: s.budget / 1000, extratime: s.extratime });
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
    const svc = rt(u);
    svc.period = MICROSECS(periodUs);
    svc.budget = MICROSECS(budgetUs);
    svc.extratime = extratime;
    if (svc.curBudget > svc.budget) svc.curBudget = svc.budget;
  }

  adjustGlobal(op: PoolSchedOp): PoolSchedParams {
    if (op.cmd === 'putinfo' && Object.values(op.params).some((v) => v !== undefined)) {
      throw new XenError('EINVAL', 'RTDS has no pool-wide parameters');
    }
    return {};
  }

  dump(): string {
    const line = (u: Unit): string => {
      const s = rt(u);
      return `[${u.domid}.${u.vcpuId}] cpu ${u.processor}, (${s.period}, ${s.budget}), cur_b=${s.curBudget} cur_d=${s.curDeadline}, last_start=${s.lastStart} onQ=${s.onRunq ? 1 : 0} runnable=${u.runnable() ? 1 : 0} flags=${s.depleted ? 1 : 0} effective hard_affinity=${u.vcpu.hardAffinity.toString()}`;
    };
    return ['Scheduler: SMP RTDS Scheduler (rtds)', 'Global RunQueue info:', ...this.runq.toArray().map(line), 'Global DepletedQueue info:', ...[...this.depletedq].map(line), 'Global Replenishment Events info:', ...this.replq.slots().map((slot) => this.replUnit[slot]!).sort((a, b) => rt(a).curDeadline - rt(b).curDeadline).map(line)].join('\n');
  }
}
