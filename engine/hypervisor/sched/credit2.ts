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
 *   cpu|core|socket|node|all), each with at most 16 pCPUs (max_cpus_runqueue; larger
 *   groups are split evenly, keeping hyperthread siblings together).
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
 * The code is in layers, one concept a file, each a class extending the one before:
 * credit2-runqueues.ts (state, runqueue arrangement), credit2-load.ts (load tracking),
 * credit2-credits.ts (credits, reset, runtime), credit2-budget.ts (caps),
 * credit2-balance.ts (balance_load), credit2-tickle.ts (res_pick, runq_tickle), and
 * here the scheduler's hooks (wake, sleep, do_schedule, insert, remove, parameters).
 * Constants and the typed tables' layouts (const enums) are in credit2-layout.ts.
 *
 * Where this differs from Xen 4.17's credit2.c, on purpose:
 * - Credits, budgets and loads are floating-point ns (Xen: integers, t2c_update's
 *   residual, Q18 loads on a 1024 ns grain with shifts): the last bits differ, so an
 *   exact tie may break the other way.
 * - tickle_score() reads what the running unit's credit would be after burn_credits()
 *   instead of burning it there: the same value, burnt later in one step.
 * - balance_load's migrate() of a running unit (or the one just picked) reassigns it at
 *   once and the pCPU requeues it there at its next schedule, to the pCPU res_pick would
 *   give (cpumask_cycle of the new runqueue's pick_bias); Xen flags it
 *   (CSFLAG_runq_migrate_request, not runnable meanwhile) and moves it through the
 *   core's migration path. The destination is the same.
 * - No SCHEDOP_yield (the workloads never yield), no tasklet work, and no trylock that
 *   fails (one thread): runq_candidate's yield paths and balance_load's retries are absent.
 * - An affinity change detaches and re-attaches the unit (res_pick again), as
 *   vcpu_set_affinity() ends in sched_unit_migrate_finish() -> res_pick in Xen.
 */
import { MICROSECS, MILLISECS, type STime } from '../clock';
import { XenError } from '../errno';
import type { SchedDomainRec, Unit } from './core';
import { removeAt } from './queue';
import { cycleBias, Runq } from './credit2-runq';
import { C2Dom, C2UnitRef } from './credit2-units';
import {
  XEN_SYSCTL_SCHED_RATELIMIT_MAX,
  XEN_SYSCTL_SCHED_RATELIMIT_MIN,
  type DomainSchedOp,
  type DomainSchedResult,
  type PoolSchedOp,
  type PoolSchedParams,
  type Scheduler,
} from './scheduler';
import {
  C2,
  CSCHED2_CAP_PERIOD_MS,
  CSCHED2_CREDIT_INIT,
  CSCHED2_CREDIT_RESET,
  CSCHED2_DEFAULT_WEIGHT,
  CSCHED2_IDLE_CREDIT,
  CSCHED2_MIGRATE_COMPENSATION,
  CSCHED2_MIGRATE_RESIST,
  CSCHED2_MIN_TIMER,
  F,
  I,
  P,
} from './credit2-layout';
import { Credit2Tickle } from './credit2-tickle';

export {
  BALANCE_OVER_TOLERANCE,
  BALANCE_UNDER_TOLERANCE,
  CSCHED2_CAP_PERIOD_MS,
  CSCHED2_CARRYOVER_MAX,
  CSCHED2_CREDIT_INIT,
  CSCHED2_CREDIT_MIN,
  CSCHED2_CREDIT_RESET,
  CSCHED2_DEFAULT_WEIGHT,
  CSCHED2_IDLE_CREDIT,
  CSCHED2_MAX_TIMER,
  CSCHED2_MIGRATE_COMPENSATION,
  CSCHED2_MIGRATE_RESIST,
  CSCHED2_MIN_TIMER,
  CSCHED2_RATELIMIT_TICKLE_TOLERANCE,
  LOADAVG_PRECISION_SHIFT,
  LOADAVG_WINDOW_SHIFT,
  MAX_CPUS_RUNQ,
  type Credit2Options,
  type Credit2RunqueueKind,
} from './credit2-layout';

export class Credit2Scheduler extends Credit2Tickle implements Scheduler {
  insertDomain(d: SchedDomainRec): void {
    if (!(d.priv instanceof C2Dom)) d.priv = new C2Dom(CSCHED2_DEFAULT_WEIGHT);
    this.doms.add(d.priv as C2Dom);
  }

  removeDomain(d: SchedDomainRec): void {
    const sd = d.priv as C2Dom;
    if (sd.replTimer) this.clock.cancel(sd.replTimer);
    this.doms.delete(sd);
  }

  /** csched2_alloc_udata(): a new record for `u` at its idx, as a new unit of domain `sd` starts. */
  private freshRecord(u: Unit, sd: C2Dom): void {
    this.t.bind(u, sd);
    const tf = (this.tf = this.t.f);
    const ti = (this.ti = this.t.i);
    const idx = u.idx;
    const b = idx * F.STRIDE;
    tf[b + F.CREDIT] = CSCHED2_CREDIT_INIT;
    tf[b + F.START_TIME] = 0;
    tf[b + F.RUN_START] = 0;
    // csched2_alloc_udata(): "starting load of 50 %"
    tf[b + F.AVGLOAD] = P / 2;
    tf[b + F.LOAD_LAST_UPDATE] = 0;
    const r = idx * I.STRIDE;
    ti[r + I.WEIGHT] = sd.weight;
    ti[r + I.FLAGS] = 0;
    ti[r + I.TICKLED_CPU] = -1;
    ti[r + I.PROCESSOR] = u.processor;
    ti[r + I.RQD] = -1;
    ti[r + I.LOAD] = 0;
    this.t.budget[idx] = 0;
    this.t.budgetQuota[idx] = 0;
  }

  insertUnit(u: Unit, now: STime): void {
    const sd = u.dom.priv as C2Dom;
    const ref = u.priv instanceof C2UnitRef && u.priv.units === this.t ? u.priv : null;
    if (!ref || ref.dom !== sd) {
      this.freshRecord(u, sd);
      u.priv = new C2UnitRef(this.t, u.idx, sd, this.rqdOfIdx);
    }
    const idx = u.idx;
    const ti = this.ti;
    const r = idx * I.STRIDE;
    ti[r + I.WEIGHT] = sd.weight;
    // the affinity flags as attach just set them (an affinity change detaches and re-attaches)
    let fl = ti[r + I.FLAGS]! & ~(C2.ON_RUNQ | C2.PARKED | C2.RUNNING | C2.CAPPED | C2.HARD_ALL | C2.HAS_SOFT | C2.SOFT_ALL);
    if (u.hardAll) fl |= C2.HARD_ALL;
    if (u.hasSoft) fl |= C2.HAS_SOFT;
    if (u.vcpu.softAffinity.full) fl |= C2.SOFT_ALL;
    ti[r + I.TICKLED_CPU] = -1;
    ti[r + I.LOAD] = 0;
    ti[r + I.PROCESSOR] = u.processor;
    this.tf[idx * F.STRIDE + F.LOAD_LAST_UPDATE] = now;
    sd.nrUnits++;
    if (sd.cap > 0) {
      fl |= C2.CAPPED;
      this.t.budget[idx] = 0;
      this.t.budgetQuota[idx] = Math.max(sd.totBudget / sd.nrUnits, CSCHED2_MIN_TIMER);
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

  doSchedule(cpu: number, p: number, now: STime): number {
    const rq = this.rqOf[cpu]!;
    const ti = this.ti;
    const tf = this.tf;
    this.tickledCpu[cpu] = 0;
    let prevRunnable = false;
    if (p >= 0) {
      // prev may have been assigned to this runqueue's scheduler data before a move
      const s = ti[p * I.STRIDE + I.RQD]!;
      if (s >= 0) this.burnCredits(this.rqBySlot[s]!, p, now);
      prevRunnable = this.core.runnable(p);
      if (!prevRunnable) {
        const s2 = ti[p * I.STRIDE + I.RQD]!;
        if (ti[p * I.STRIDE + I.LOAD]! > 0 && s2 >= 0) this.updateLoad(p, s2, -1, now);
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
      if (xt >= 0 && xt !== cpu && this.tickledCpu[xt] === 1) {
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
    if (snext === p) this.updateLoad(p, rq.slot, 0, now);
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
    if (this.ti[prev * I.STRIDE + I.RQD] !== rq.slot || !this.hardOk(prev, cpu)) {
      this.requeueElsewhere(prev, now);
      return;
    }
    this.returnBudget(prev, now);
    this.runqInsert(prev);
    // the core still has prev as cpu's current unit: runq_tickle compares with next
    this.switchedCpu = cpu;
    this.switchedTo = next;
    this.tickle(prev, now);
    this.switchedCpu = -1;
  }

  /** A runnable unit that load balancing moved to another runqueue while it ran. */
  private requeueElsewhere(idx: number, now: STime): void {
    const ti = this.ti;
    const r = idx * I.STRIDE;
    this.returnBudget(idx, now);
    const s = ti[r + I.RQD]!;
    let rq = s >= 0 ? this.rqBySlot[s]! : null;
    if (!rq || !rq.cpus.some((c) => this.hardOk(idx, c))) {
      const cpu = this.pickCpu(this.core.unit(idx), now);
      const to = this.rqOf[cpu]!;
      const loaded = ti[r + I.LOAD]! > 0;
      if (rq) {
        if (loaded) this.updateRunqLoad(rq.slot, -1, now);
        this.deassign(idx);
      }
      this.assign(idx, to);
      if (loaded) this.updateRunqLoad(to.slot, 1, now);
      rq = to;
    }
    // moved here by balance_load while it ran (CSFLAG_runq_migrate_request): Xen's
    // res_pick takes cpumask_cycle(migrate_rqd->pick_bias, ...) of its hard affinity there
    const cpu = cycleBias(rq, (c) => this.hardOk(idx, c));
    rq.pickBias = cpu;
    this.core.setProcessor(idx, cpu);
    ti[r + I.PROCESSOR] = cpu;
    this.runqInsert(idx);
    this.tickle(idx, now);
  }

  adjustDomain(d: SchedDomainRec, op: DomainSchedOp): DomainSchedResult {
    const sd = d.priv as C2Dom;
    const ti = this.ti;
    switch (op.cmd) {
      case 'getinfo':
        return { params: { weight: sd.weight, cap: sd.cap } };
      case 'putinfo': {
        const { weight, cap } = op.params;
        if (weight !== undefined && weight !== 0 && (!Number.isInteger(weight) || weight < 1 || weight > 65535)) {
          throw new XenError('EINVAL', `weight ${weight} outside 1-65535`);
        }
        if (cap !== undefined && (!Number.isInteger(cap) || cap < 0 || cap > 100 * sd.nrUnits)) {
          throw new XenError('EINVAL', `cap ${cap} outside 0-${100 * sd.nrUnits} (100 per vCPU)`);
        }
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
          sd.totBudget = (MILLISECS(CSCHED2_CAP_PERIOD_MS) * cap) / 100;
          for (const u of d.units) this.t.budgetQuota[u.idx] = Math.max(sd.totBudget / Math.max(sd.nrUnits, 1), CSCHED2_MIN_TIMER);
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
        throw new XenError('EINVAL', `credit2 has no per-vCPU parameters (${op.cmd})`);
    }
  }

  adjustGlobal(op: PoolSchedOp): PoolSchedParams {
    if (op.cmd === 'putinfo') {
      const r = op.params.ratelimitUs;
      if (op.params.tsliceMs !== undefined || op.params.vcpuMigrDelayUs !== undefined) {
        throw new XenError('EINVAL', 'credit2 has only ratelimit_us');
      }
      if (r !== undefined) {
        if (!Number.isInteger(r) || (r !== 0 && (r < XEN_SYSCTL_SCHED_RATELIMIT_MIN || r > XEN_SYSCTL_SCHED_RATELIMIT_MAX))) {
          throw new XenError('EINVAL', `ratelimit_us ${r} outside ${XEN_SYSCTL_SCHED_RATELIMIT_MIN}-${XEN_SYSCTL_SCHED_RATELIMIT_MAX} (0 disables)`);
        }
        this.ratelimitUs = r;
        this.ratelimitNs = MICROSECS(r);
      }
    }
    return { ratelimitUs: this.ratelimitUs };
  }

  dump(): string {
    const lines = [`Scheduler: SMP Credit Scheduler rev2 (credit2)`, `Active queues: ${this.rqs.length}`, `\tdefault-weight     = ${CSCHED2_DEFAULT_WEIGHT}`, `\tratelimit_us        = ${this.ratelimitUs}`, `\trunqueues           = ${this.runqueueKind}`];
    for (const r of this.runqueues()) {
      lines.push(`Runqueue ${r.id}:`, `\tncpus              = ${r.cpus.length}`, `\tcpus               = ${r.cpus.join(',')}`, `\tinstload           = ${r.load}`, `\taveload            = ${(r.avgload * 100).toFixed(0)}% (~${(r.avgload * 100).toFixed(0)}%)`);
    }
    return lines.join('\n');
  }
}
