/**
 * Credit2's load balancing between runqueues (xen/common/sched/credit2.c: balance_load(),
 * consider(), unit_is_migrateable(), migrate()): after a credit reset, the runqueue
 * compares its b_avgload with the most different other one and, if that is worth it
 * (credit2_balance_under / _over), pushes, pulls or swaps the units that leave the two
 * loads closest.
 */
import type { STime } from '../clock';
import { cycleBias, Runq } from './credit2-runq';
import { BALANCE_OVER_TOLERANCE, BALANCE_UNDER_TOLERANCE, C2, F, I, P, RQ } from './credit2-layout';
import { Credit2Budget } from './credit2-budget';

export abstract class Credit2Balance extends Credit2Budget {
  protected balanceLoad(lrq: Runq, now: STime): void {
    const slots = this.rqSlots;
    if (slots.length < 2) return;
    const rf = this.rqLoads.f;
    const ls = lrq.slot;
    this.updateRunqLoad(ls, 0, now);
    const lb = rf[ls * RQ.STRIDE + RQ.B_AVGLOAD]!;
    let maxDelta = 0;
    let os = -1;
    for (let k = 0; k < slots.length; k++) {
      const s = slots[k]!;
      if (s === ls) continue;
      this.updateRunqLoad(s, 0, now);
      const d = Math.abs(lb - rf[s * RQ.STRIDE + RQ.B_AVGLOAD]!);
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
    for (let j = 0; j < lrq.svc.length; j++) {
      const pu = lrq.svc[j]!;
      this.updateSvcLoad(pu, 0, now);
      if (this.migrateable(pu, orq)) pushes.push(pu);
    }
    const osvc = orq.svc;
    // the pull side's loads are brought up to date in the inner loop of the first push
    // unit that may move: with none, Xen uses them as they were last updated
    if (pushes.length > 0) for (let k = 0; k < osvc.length; k++) this.updateSvcLoad(osvc[k]!, 0, now);
    // the pull side sorted by avgload (a stable insertion sort: ties keep list order), the
    // keys and list positions beside the indices
    const pulls = this.pulls;
    let keys = this.pullKeys;
    let pos = this.pullPos;
    if (keys.length < osvc.length) {
      keys = this.pullKeys = new Float64Array(Math.max(osvc.length, 2 * keys.length));
      pos = this.pullPos = new Int32Array(keys.length);
    }
    let np = 0;
    for (let k = 0; k < osvc.length; k++) {
      const x = osvc[k]!;
      if (!this.migrateable(x, lrq)) continue;
      const a = tf[x * F.STRIDE + F.AVGLOAD]!;
      let j = np;
      pulls.push(x);
      for (; j > 0 && keys[j - 1]! > a; j--) {
        keys[j] = keys[j - 1]!;
        pulls[j] = pulls[j - 1]!;
        pos[j] = pos[j - 1]!;
      }
      keys[j] = a;
      pulls[j] = x;
      pos[j] = k;
      np++;
    }
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
    pulls.length = 0;
    pushes.length = 0;
    if (push >= 0) this.migrate(push, orq, now);
    if (pull >= 0) this.migrate(pull, lrq, now);
  }

  /**
   * Among the first `np` pull candidates (sorted by avgload), the one whose pull leaves
   * loads `l` and `o` closest, |(l + b) - (o - b)|: next to b = (o - l) / 2; of equal
   * results, the one first in the runqueue's list (the first of a run of equal keys).
   */
  protected closestPull(np: number, l: number, o: number): number {
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
    // the run of keys[lo - 1] starts at its first index
    const kb = keys[lo - 1]!;
    let a = 0;
    let z = lo - 1;
    while (a < z) {
      const mid = (a + z) >>> 1;
      if (keys[mid]! < kb) a = mid + 1;
      else z = mid;
    }
    if (lo === np) return a;
    const b = keys[lo]!;
    const da = Math.abs(l + kb - (o - kb));
    const db = Math.abs(l + b - (o - b));
    if (da !== db) return da < db ? a : lo;
    return this.pullPos[a]! < this.pullPos[lo]! ? a : lo;
  }

  /**
   * unit_is_migrateable(): its hard affinity meets the runqueue's pCPUs. Xen 4.17 does not
   * look at soft affinity here (runq_tickle and res_pick do). Xen also refuses a unit
   * already asked to move (CSFLAG_runq_migrate_request); here such a unit has moved at once.
   */
  protected migrateable(idx: number, to: Runq): boolean {
    if (this.ti[idx * I.STRIDE + I.FLAGS]! & C2.HARD_ALL) return true;
    const u = this.t.unit[idx]!;
    return to.cpus.some((c) => u.hardOk(c));
  }

  /** migrate(): move a unit to another runqueue (a running one moves at its next schedule). */
  protected migrate(idx: number, to: Runq, now: STime): void {
    const ti = this.ti;
    const r = idx * I.STRIDE;
    this.migrations++;
    // CSFLAG_scheduled: running, or just picked by the schedule that is balancing
    const running = (ti[r + I.FLAGS]! & C2.RUNNING) !== 0;
    const loaded = ti[r + I.LOAD]! > 0;
    if (running || idx === this.scheduledNext) {
      // reassign now; the pCPU notices at its next schedule and requeues it there
      const from = ti[r + I.RQD]!;
      this.deassign(idx);
      if (loaded) this.updateRunqLoad(from, -1, now);
      this.assign(idx, to);
      if (loaded) this.updateRunqLoad(to.slot, 1, now);
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
}
