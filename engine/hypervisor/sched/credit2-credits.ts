/**
 * Credit2's credits (xen/common/sched/credit2.c: runq_insert(), runq_remove(),
 * burn_credits(), reset_credit(), csched2_runtime()): the runqueue kept by credit, the
 * burn at max_weight/weight per ns, the reset that starts an epoch, and how long the
 * picked unit may run.
 */
import type { STime } from '../clock';
import { insertAt, removeAt } from './queue';
import { Runq } from './credit2-runq';
import {
  C2,
  CSCHED2_CARRYOVER_MAX,
  CSCHED2_CREDIT_INIT,
  CSCHED2_CREDIT_MIN,
  CSCHED2_MAX_TIMER,
  CSCHED2_MIN_TIMER,
  F,
  I,
} from './credit2-layout';
import { Credit2Load } from './credit2-load';

export abstract class Credit2Credits extends Credit2Load {
  protected runqInsert(idx: number): void {
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

  protected runqRemove(idx: number): void {
    const q = this.rqBySlot[this.ti[idx * I.STRIDE + I.RQD]!]!.q;
    const i = q.indexOf(idx);
    if (i >= 0) removeAt(q, i);
    this.ti[idx * I.STRIDE + I.FLAGS] = this.ti[idx * I.STRIDE + I.FLAGS]! & ~C2.ON_RUNQ;
  }

  protected burnCredits(rq: Runq, idx: number, now: STime): void {
    const tf = this.tf;
    const b = idx * F.STRIDE;
    const delta = now - tf[b + F.START_TIME]!;
    if (delta <= 0) {
      tf[b + F.START_TIME] = now;
      return;
    }
    const r = idx * I.STRIDE;
    let credit = tf[b + F.CREDIT]! - (delta * rq.maxWeight) / this.ti[r + I.WEIGHT]!;
    if (credit < CSCHED2_CREDIT_MIN) credit = CSCHED2_CREDIT_MIN;
    tf[b + F.CREDIT] = credit;
    if (this.ti[r + I.FLAGS]! & C2.CAPPED) this.t.budget[idx] = this.t.budget[idx]! - delta;
    tf[b + F.START_TIME] = now;
  }

  protected resetCredit(rq: Runq, snext: number, now: STime): void {
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

  /** csched2_runtime(). */
  protected runtime(rq: Runq, sn: number, continuing: boolean, now: STime): STime {
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
    let time = rtCredit > 0 ? (rtCredit * this.ti[sn * I.STRIDE + I.WEIGHT]!) / rq.maxWeight : 0;
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
}
