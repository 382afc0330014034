/**
 * Where credit2 runs a unit (xen/common/sched/credit2.c: csched2_res_pick(), runq_tickle(),
 * tickle_score(), is_preemptable(), and runq_candidate()'s soft-affinity preemption): the
 * runqueue and pCPU a unit is placed on, and the pCPU to tickle when it is queued, an
 * idle one (a fully idle core first, soft affinity first) or one whose unit it preempts.
 */
import type { STime } from '../clock';
import type { Unit } from './core';
import { cycleBias, Runq } from './credit2-runq';
import {
  C2,
  CSCHED2_CREDIT_INIT,
  CSCHED2_CREDIT_MIN,
  CSCHED2_MIGRATE_RESIST,
  CSCHED2_RATELIMIT_TICKLE_TOLERANCE,
  F,
  I,
  RQ,
} from './credit2-layout';
import { Credit2Balance } from './credit2-balance';

/** cpumask_test_cpu(cpu, unit->cpu_soft_affinity): the mask as set, not met with hard affinity. */
const inSoftMask = (u: Unit, cpu: number): boolean => (u.vcpu.softAffinity.bits[cpu >>> 5]! & (1 << (cpu & 31))) !== 0;

export abstract class Credit2Tickle extends Credit2Balance {
  /**
   * csched2_res_pick() (Xen 4.17): the runqueue of least b_avgload (as last updated: Xen
   * reads it without update_runq_load) among those with a pCPU of the unit's soft
   * affinity, else of its hard affinity (its own runqueue's load less its own), and there
   * cpumask_cycle(pick_bias, ...): the first such pCPU after the runqueue's bias, idle or
   * not; the bias moves to it.
   */
  pickCpu(u: Unit, _now: STime): number {
    const idx = this.rowOf(u);
    const hasSoft = u.hasSoft;
    const ownSlot = idx >= 0 ? this.ti[idx * I.STRIDE + I.RQD]! : -1;
    let minLoad = Infinity;
    let minRq: Runq | null = null;
    let minSLoad = Infinity;
    let minSRq: Runq | null = null;
    const rf = this.rqLoads.f;
    for (const rq of this.rqs) {
      let hard = false;
      let soft = false;
      for (const c of rq.cpus) {
        if (u.hardOk(c)) {
          hard = true;
          if (!hasSoft || u.softOk(c)) {
            soft = true;
            break;
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

  /** runq_tickle(): find a pCPU for a unit just queued, preempting if worth it. */
  protected tickle(idx: number, now: STime): void {
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
    const tickled = this.tickledCpu;
    // 1. idle pCPUs, per affinity step (soft first when the unit has a soft affinity,
    // then hard): a pCPU of a fully idle core (rqd->smt_idle), then any idle untickled
    // one, each time the unit's processor if it qualifies, else the next one after it
    // (cpumask_test_or_cycle), as Xen 4.17's runq_tickle() does
    if (rq.nIdle > 0) {
      let best = -1;
      for (let step = hasSoft ? 0 : 1; step < 2 && best < 0; step++) {
        const soft = step === 0;
        best = this.idleFrom(rq, proc, idx, soft, true);
        if (best < 0) best = this.idleFrom(rq, proc, idx, soft, false);
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
    if (this.rqSlotOf[proc] === rq.slot && tickled[proc] === 0 && (hardAll || u!.hardOk(proc))) {
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
    for (const c of cpus) {
      if (c === proc || tickled[c] === 1 || (!hardAll && !u!.hardOk(c))) continue;
      const score = this.tickleScore(c, proc, credit, u, softAll, rq.maxWeight, now);
      if (score > max) {
        max = score;
        best = c;
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
  protected tickleScore(c: number, proc: number, credit: number, u: Unit | null, softAll: boolean, maxWeight: number, now: STime): number {
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
    let curCredit = tf[cb + F.CREDIT]! - (now - tf[cb + F.START_TIME]!) * (maxWeight / ti[cur * I.STRIDE + I.WEIGHT]!);
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
  protected idleFrom(rq: Runq, proc: number, idx: number, soft: boolean, smt: boolean): number {
    const cpus = rq.cpus;
    const n = cpus.length;
    // where the walk starts: proc, or the first pCPU after it
    let start = 0;
    while (start < n && cpus[start]! < proc) start++;
    if (start === n) start = 0;
    for (let k = 0; k < n; k++) {
      const c = cpus[(start + k) % n]!;
      if (this.idleCpu[c] !== 1 || this.tickledCpu[c] === 1) continue;
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
  protected smtIdle(rq: Runq, c: number): boolean {
    const thr = this.topo.threadsPerCore;
    if (thr === 1) return true;
    const first = c - (c % thr);
    for (let s = first; s < first + thr; s++) {
      if (this.rqSlotOf[s] !== rq.slot) continue;
      if (this.idleCpu[s] !== 1 || this.tickledCpu[s] === 1) return false;
    }
    return true;
  }

  protected tickleCpu(cpu: number, idx: number): void {
    this.tickledCpu[cpu] = 1;
    this.ti[idx * I.STRIDE + I.TICKLED_CPU] = cpu;
    this.core.tickle(cpu);
  }

  /**
   * runq_candidate()'s soft_aff_preempt: `cpu` is outside the soft affinity of `idx`, which
   * runs there, and an idle, untickled pCPU of the runqueue is in it. Then Xen 4.17 does
   * not default to the running unit: it is put back on the runqueue by context_saved(),
   * whose runq_tickle() sends it to that pCPU.
   */
  protected softAffPreempt(rq: Runq, idx: number, cpu: number): boolean {
    const u = this.t.unit[idx]!;
    if (u.softOk(cpu)) return false;
    for (const c of rq.cpus) {
      if (this.idleCpu[c] === 1 && this.tickledCpu[c] === 0 && u.softOk(c)) return true;
    }
    return false;
  }
}
