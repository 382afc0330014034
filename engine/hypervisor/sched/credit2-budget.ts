/**
 * Credit2's caps (xen/common/sched/credit2.c: unit_grab_budget(), unit_return_budget(),
 * park_unit(), unpark_parked_units(), replenish_domain_budget()): a capped domain's
 * budget, refilled every CSCHED2_BDGT_REPL_PERIOD, taken by its running units in quotas;
 * a unit that finds none is parked, out of the runqueue and its load, until a refill.
 */
import { MILLISECS, type STime, type Timer } from '../clock';
import { removeAt } from './queue';
import { C2Dom } from './credit2-units';
import { C2, CSCHED2_CAP_PERIOD_MS, I } from './credit2-layout';
import { Credit2Credits } from './credit2-credits';

export abstract class Credit2Budget extends Credit2Credits {
  /** runq_tickle() (credit2-tickle.ts). */
  protected abstract tickle(idx: number, now: STime): void;

  /** unit_grab_budget(): take a slice of the domain's budget; false if none is left. */
  protected grabBudget(idx: number): boolean {
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
  protected returnBudget(idx: number, now: STime): void {
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

  protected park(idx: number): void {
    const r = idx * I.STRIDE + I.FLAGS;
    if (this.ti[r]! & C2.PARKED) return;
    this.ti[r] = this.ti[r]! | C2.PARKED;
    this.t.dom[idx]!.parked.push(idx);
  }

  protected unpark(sd: C2Dom, now: STime): void {
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
  protected replenish(sd: C2Dom, now: STime): void {
    sd.budget += sd.totBudget;
    if (sd.budget <= 0) return;
    if (sd.budget > sd.totBudget) sd.budget = sd.totBudget;
    if (sd.parked.length > 0) this.unpark(sd, now);
  }

  protected makeReplTimer(sd: C2Dom): Timer {
    const t = this.clock.every(MILLISECS(CSCHED2_CAP_PERIOD_MS), (now) => this.replenish(sd, now));
    return t;
  }

  /** csched2_context_saved() for a unit parked while it ran: update_load(-1). */
  protected parkedOut(idx: number, now: STime): void {
    const s = this.ti[idx * I.STRIDE + I.RQD]!;
    if (this.ti[idx * I.STRIDE + I.LOAD]! > 0 && s >= 0) this.updateLoad(idx, s, -1, now);
  }

  /** Off the runqueue / parked list, load −1 (sleep, removal). */
  protected dequeue(idx: number, now: STime): void {
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
    if (ti[r + I.LOAD]! > 0 && s >= 0) this.updateLoad(idx, s, -1, now);
  }
}
