/**
 * Credit2's load tracking (xen/common/sched/credit2.c: update_runq_load(),
 * update_svc_load(), update_load(), _runq_assign()/_runq_deassign()): each runqueue's and
 * each unit's load as a decaying average over a window of 2^30 ns, in Q18, and
 * b_avgload, the runqueue average that balance_load moves along with the units assigned.
 */
import type { STime } from '../clock';
import { removeAt } from './queue';
import { Runq } from './credit2-runq';
import { F, I, INV_W, P, RQ, W } from './credit2-layout';
import { Credit2Runqueues } from './credit2-runqueues';

export abstract class Credit2Load extends Credit2Runqueues {
  protected updateRunqLoad(slot: number, change: number, now: STime): void {
    const rf = this.rqLoads.f;
    const b = slot * RQ.STRIDE;
    const delta = now - rf[b + RQ.LOAD_LAST_UPDATE]!;
    const load = rf[b + RQ.LOAD]!;
    if (delta >= W) rf[b + RQ.AVGLOAD] = rf[b + RQ.B_AVGLOAD] = load * P;
    else if (delta > 0) {
      rf[b + RQ.AVGLOAD] = (delta * load * P + (W - delta) * rf[b + RQ.AVGLOAD]!) * INV_W;
      rf[b + RQ.B_AVGLOAD] = (delta * load * P + (W - delta) * rf[b + RQ.B_AVGLOAD]!) * INV_W;
    }
    rf[b + RQ.LOAD] = load + change;
    rf[b + RQ.LOAD_LAST_UPDATE] = now;
  }

  protected updateSvcLoad(idx: number, change: number, now: STime): void {
    const tf = this.tf;
    const b = idx * F.STRIDE;
    const r = idx * I.STRIDE + I.LOAD;
    const load = this.ti[r]!;
    const delta = now - tf[b + F.LOAD_LAST_UPDATE]!;
    if (delta >= W) tf[b + F.AVGLOAD] = load * P;
    else if (delta > 0) tf[b + F.AVGLOAD] = (delta * load * P + (W - delta) * tf[b + F.AVGLOAD]!) * INV_W;
    this.ti[r] = load + change;
    tf[b + F.LOAD_LAST_UPDATE] = now;
  }

  protected updateLoad(idx: number, slot: number, change: number, now: STime): void {
    this.updateRunqLoad(slot, change, now);
    this.updateSvcLoad(idx, change, now);
  }

  protected assign(idx: number, rq: Runq): void {
    this.ti[idx * I.STRIDE + I.RQD] = rq.slot;
    rq.svc.push(idx);
    rq.addWeight(this.ti[idx * I.STRIDE + I.WEIGHT]!);
    // expected new load with this unit
    const rf = this.rqLoads.f;
    const b = rq.slot * RQ.STRIDE + RQ.B_AVGLOAD;
    rf[b] = rf[b]! + this.tf[idx * F.STRIDE + F.AVGLOAD]!;
  }

  protected deassign(idx: number): void {
    const r = idx * I.STRIDE;
    const rq = this.rqBySlot[this.ti[r + I.RQD]!]!;
    removeAt(rq.svc, rq.svc.indexOf(idx));
    rq.removeWeight(this.ti[r + I.WEIGHT]!);
    const rf = this.rqLoads.f;
    const b = rq.slot * RQ.STRIDE + RQ.B_AVGLOAD;
    rf[b] = Math.max(0, rf[b]! - this.tf[idx * F.STRIDE + F.AVGLOAD]!);
    this.ti[r + I.RQD] = -1;
  }

  /** Runqueues as `xl dmesg` / debug-keys 'r' would list them: id and pCPUs. */
  runqueues(): { id: number; cpus: number[]; load: number; avgload: number; nrUnits: number }[] {
    const now = this.clock.now;
    return this.rqs.map((rq) => {
      this.updateRunqLoad(rq.slot, 0, now);
      const b = rq.slot * RQ.STRIDE;
      const rf = this.rqLoads.f;
      return { id: rq.id, cpus: [...rq.cpus], load: rf[b + RQ.LOAD]!, avgload: rf[b + RQ.AVGLOAD]! / P, nrUnits: rq.svc.length };
    });
  }
}
