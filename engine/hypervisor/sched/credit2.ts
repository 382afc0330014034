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
 *   gets CREDIT_INIT added (more if the chosen one sank very low) and is clipped to
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
 */
import { MICROSECS, MILLISECS, type STime, type Timer, type Clock } from '../clock';
import { XenError } from '../errno';
import type { Topology } from '../topology';
import type { SchedDomainRec, Unit } from './core';
import { insertAt, removeAt } from './queue';
import {
  SCHED_DEFAULT_RATELIMIT_US,
  XEN_SCHEDULER_ID,
  XEN_SYSCTL_SCHED_RATELIMIT_MAX,
  XEN_SYSCTL_SCHED_RATELIMIT_MIN,
  type DomainSchedOp,
  type DomainSchedResult,
  type PoolSchedOp,
  type PoolSchedParams,
  type SchedCoreApi,
  type Scheduler,
} from './scheduler';

export const CSCHED2_DEFAULT_WEIGHT = 256;
export const CSCHED2_MIN_TIMER = MICROSECS(500);
export const CSCHED2_CREDIT_INIT = MILLISECS(10);
export const CSCHED2_CREDIT_MIN = -CSCHED2_CREDIT_INIT;
export const CSCHED2_IDLE_CREDIT = CSCHED2_CREDIT_MIN - 1;
export const CSCHED2_CARRYOVER_MAX = CSCHED2_MIN_TIMER;
export const CSCHED2_MIGRATE_RESIST = MICROSECS(500);
export const CSCHED2_MIGRATE_COMPENSATION = MICROSECS(50);
export const CSCHED2_RATELIMIT_TICKLE_TOLERANCE = MICROSECS(50);
export const CSCHED2_CREDIT_RESET = 0;
export const CSCHED2_MAX_TIMER = CSCHED2_CREDIT_INIT;
export const CSCHED2_CAP_PERIOD_MS = 10;
export const MAX_CPUS_RUNQ = 16;
export const LOADAVG_WINDOW_SHIFT = 30;
export const LOADAVG_PRECISION_SHIFT = 18;
/** credit2_balance_under / credit2_balance_over (in powers of two of one vCPU of load). */
export const BALANCE_UNDER_TOLERANCE = 0;
export const BALANCE_OVER_TOLERANCE = -3;

export type Credit2RunqueueKind = 'cpu' | 'core' | 'socket' | 'node' | 'all';

export interface Credit2Options {
  runqueue?: Credit2RunqueueKind;
  maxCpusRunqueue?: number;
  ratelimitUs?: number;
}

const W = 2 ** LOADAVG_WINDOW_SHIFT;
const P = 2 ** LOADAVG_PRECISION_SHIFT;

class C2Dom {
  weight = CSCHED2_DEFAULT_WEIGHT;
  cap = 0;
  nrUnits = 0;
  budget = 0;
  totBudget = 0;
  replTimer: Timer | null = null;
  readonly parked: Unit[] = [];
}

class C2Unit {
  credit = CSCHED2_CREDIT_INIT;
  weight: number;
  startTime = 0;
  /** When the current run started (for the ratelimit). */
  runStart = 0;
  rqd: Runq | null = null;
  onRunq = false;
  /** The pCPU tickled to run it, -1 if none. */
  tickledCpu = -1;
  /** ns of budget held (capped domains); Infinity when uncapped. */
  budget = Infinity;
  budgetQuota = 0;
  parked = false;
  /** 1 while the unit wants to run (queued, running, parked). */
  load = 0;
  /** A new unit is assumed to be busy until its history says otherwise. */
  avgload = P;
  loadLastUpdate = 0;
  constructor(readonly dom: C2Dom) {
    this.weight = dom.weight;
  }
}

class Runq {
  readonly cpus: number[] = [];
  /** Waiting units, most credit first. */
  readonly runq: Unit[] = [];
  /** Every unit assigned to this runqueue. */
  readonly svc = new Set<Unit>();
  /** Idle pCPUs in this runqueue. */
  nIdle = 0;
  private readonly weights = new Map<number, number>();
  maxWeight = 1;
  load = 0;
  avgload = 0;
  /** The average used for balancing: also moved along with the units assigned (b_avgload). */
  bAvgload = 0;
  loadLastUpdate = 0;
  pickBias = 0;
  constructor(
    readonly id: number,
    readonly key: string,
  ) {}

  addWeight(w: number): void {
    this.weights.set(w, (this.weights.get(w) ?? 0) + 1);
    if (w > this.maxWeight || this.weights.size === 1) this.maxWeight = Math.max(w, this.weights.size === 1 ? w : this.maxWeight);
  }

  removeWeight(w: number): void {
    const n = (this.weights.get(w) ?? 1) - 1;
    if (n <= 0) this.weights.delete(w);
    else this.weights.set(w, n);
    if (w === this.maxWeight && n <= 0) {
      let m = 1;
      for (const k of this.weights.keys()) if (k > m) m = k;
      this.maxWeight = m;
    }
  }
}

const c2 = (u: Unit): C2Unit => u.priv as C2Unit;
const byAvgload = (a: Unit, b: Unit): number => c2(a).avgload - c2(b).avgload;

export class Credit2Scheduler implements Scheduler {
  readonly name = 'credit2';
  readonly id = XEN_SCHEDULER_ID.credit2;
  slice: STime = -1;
  ratelimitUs: number;
  readonly runqueueKind: Credit2RunqueueKind;
  readonly maxCpusRunqueue: number;
  private readonly rqs: Runq[] = [];
  private readonly rqByKey = new Map<string, Runq>();
  private readonly rqOf: (Runq | null)[];
  /** Per pCPU: idle (rqd->idle), tickled (rqd->tickled). */
  private readonly idleCpu: Uint8Array;
  private readonly tickledCpu: Uint8Array;
  private ratelimitNs: number;
  private readonly doms = new Set<C2Dom>();
  /** Runqueue load balancing moves done (for metrics/tests). */
  migrations = 0;

  constructor(
    private readonly core: SchedCoreApi,
    private readonly clock: Clock,
    private readonly topo: Topology,
    opts: Credit2Options = {},
  ) {
    this.ratelimitUs = opts.ratelimitUs ?? SCHED_DEFAULT_RATELIMIT_US;
    this.runqueueKind = opts.runqueue ?? 'socket';
    this.maxCpusRunqueue = opts.maxCpusRunqueue ?? MAX_CPUS_RUNQ;
    this.rqOf = new Array<Runq | null>(core.nrCpus).fill(null);
    this.idleCpu = new Uint8Array(core.nrCpus);
    this.tickledCpu = new Uint8Array(core.nrCpus);
    this.ratelimitNs = MICROSECS(this.ratelimitUs);
  }

  private setIdle(rq: Runq, cpu: number, idle: boolean): void {
    const v = idle ? 1 : 0;
    if (this.idleCpu[cpu] === v) return;
    this.idleCpu[cpu] = v;
    rq.nIdle += idle ? 1 : -1;
  }

  // --- runqueue arrangement --------------------------------------------------------

  /** Which runqueue a pCPU belongs to: the topology group, split evenly under the cap. */
  private rqKey(cpu: number): string {
    const t = this.topo;
    let group: number[];
    let key: string;
    switch (this.runqueueKind) {
      case 'cpu':
        return `cpu${cpu}`;
      case 'core':
        return `core${t.cpuSocket[cpu]}.${t.cpuCore[cpu]}`;
      case 'socket': {
        const s = t.cpuSocket[cpu]!;
        const per = t.coresPerSocket * t.threadsPerCore;
        group = [s * per, per];
        key = `socket${s}`;
        break;
      }
      case 'node': {
        const n = t.cpuNode[cpu]!;
        const per = (t.sockets / t.nrNodes) * t.coresPerSocket * t.threadsPerCore;
        group = [n * per, per];
        key = `node${n}`;
        break;
      }
      case 'all':
        group = [0, t.nrCpus];
        key = 'all';
        break;
    }
    const [first, size] = group as [number, number];
    const nrq = Math.ceil(size / this.maxCpusRunqueue);
    if (nrq <= 1) return key;
    // keep hyperthread siblings together: split on core boundaries
    const thr = t.threadsPerCore;
    const cores = size / thr;
    const coreRank = Math.floor((cpu - first) / thr);
    return `${key}.${Math.floor((coreRank * nrq) / cores)}`;
  }

  initPcpu(cpu: number, now: STime): void {
    const key = this.rqKey(cpu);
    let rq = this.rqByKey.get(key);
    if (!rq) {
      rq = new Runq(this.rqs.length, key);
      rq.loadLastUpdate = now;
      this.rqs.push(rq);
      this.rqByKey.set(key, rq);
    }
    rq.cpus.push(cpu);
    rq.cpus.sort((a, b) => a - b);
    this.setIdle(rq, cpu, true);
    this.rqOf[cpu] = rq;
  }

  deinitPcpu(cpu: number): void {
    const rq = this.rqOf[cpu];
    if (!rq) return;
    rq.cpus.splice(rq.cpus.indexOf(cpu), 1);
    this.setIdle(rq, cpu, false);
    this.tickledCpu[cpu] = 0;
    this.rqOf[cpu] = null;
    if (rq.cpus.length === 0) {
      if (rq.svc.size > 0) throw new Error(`credit2: runqueue ${rq.id} still has units`);
      this.rqs.splice(this.rqs.indexOf(rq), 1);
      this.rqByKey.delete(rq.key);
    }
  }

  /** Runqueues as `xl dmesg` / debug-keys 'r' would list them: id and pCPUs. */
  runqueues(): { id: number; cpus: number[]; load: number; avgload: number; nrUnits: number }[] {
    const now = this.clock.now;
    return this.rqs.map((rq) => {
      this.updateRunqLoad(rq, 0, now);
      return { id: rq.id, cpus: [...rq.cpus], load: rq.load, avgload: rq.avgload / P, nrUnits: rq.svc.size };
    });
  }

  /** The arrangement and each runqueue's pCPUs, read without touching the load averages. */
  arrangement(): { kind: Credit2RunqueueKind; maxCpusRunqueue: number; runqueues: { id: number; cpus: number[] }[] } {
    return { kind: this.runqueueKind, maxCpusRunqueue: this.maxCpusRunqueue, runqueues: this.rqs.map((rq) => ({ id: rq.id, cpus: [...rq.cpus] })) };
  }

  runqueueOf(cpu: number): number {
    return this.rqOf[cpu]?.id ?? -1;
  }

  // --- domains and units -----------------------------------------------------------

  insertDomain(d: SchedDomainRec): void {
    if (!(d.priv instanceof C2Dom)) d.priv = new C2Dom();
    this.doms.add(d.priv as C2Dom);
  }

  removeDomain(d: SchedDomainRec): void {
    const sd = d.priv as C2Dom;
    if (sd.replTimer) this.clock.cancel(sd.replTimer);
    this.doms.delete(sd);
  }

  insertUnit(u: Unit, now: STime): void {
    const sd = u.dom.priv as C2Dom;
    let svc = u.priv instanceof C2Unit ? u.priv : null;
    if (!svc || svc.dom !== sd) {
      svc = new C2Unit(sd);
      u.priv = svc;
    }
    svc.weight = sd.weight;
    svc.onRunq = false;
    svc.parked = false;
    svc.tickledCpu = -1;
    svc.load = 0;
    svc.loadLastUpdate = now;
    sd.nrUnits++;
    if (sd.cap > 0) {
      svc.budget = 0;
      svc.budgetQuota = Math.max(sd.totBudget / sd.nrUnits, CSCHED2_MIN_TIMER);
    } else svc.budget = Infinity;
    const cpu = this.pickCpu(u, now);
    u.processor = cpu;
    this.assign(u, this.rqOf[cpu]!);
  }

  removeUnit(u: Unit, now: STime): void {
    const svc = c2(u);
    this.dequeue(u, now);
    if (svc.rqd) this.deassign(u);
    svc.dom.nrUnits--;
  }

  private assign(u: Unit, rq: Runq): void {
    const svc = c2(u);
    svc.rqd = rq;
    rq.svc.add(u);
    rq.addWeight(svc.weight);
    // expected new load with this unit
    rq.bAvgload += svc.avgload;
  }

  private deassign(u: Unit): void {
    const svc = c2(u);
    const rq = svc.rqd!;
    rq.svc.delete(u);
    rq.removeWeight(svc.weight);
    rq.bAvgload = Math.max(0, rq.bAvgload - svc.avgload);
    svc.rqd = null;
  }

  /** Off the runqueue / parked list, load −1 (sleep, removal). */
  private dequeue(u: Unit, now: STime): void {
    const svc = c2(u);
    if (svc.onRunq) this.runqRemove(u);
    if (svc.parked) {
      const list = svc.dom.parked;
      const i = list.indexOf(u);
      if (i >= 0) removeAt(list, i);
      svc.parked = false;
    }
    if (svc.load > 0 && svc.rqd) this.updateLoad(u, svc.rqd, -1, now);
  }

  // --- load tracking (update_runq_load / update_svc_load) --------------------------

  private updateRunqLoad(rq: Runq, change: number, now: STime): void {
    const delta = now - rq.loadLastUpdate;
    if (delta >= W) rq.avgload = rq.bAvgload = rq.load * P;
    else if (delta > 0) {
      rq.avgload = (delta * rq.load * P + (W - delta) * rq.avgload) / W;
      rq.bAvgload = (delta * rq.load * P + (W - delta) * rq.bAvgload) / W;
    }
    rq.load += change;
    rq.loadLastUpdate = now;
  }

  private updateSvcLoad(svc: C2Unit, change: number, now: STime): void {
    const delta = now - svc.loadLastUpdate;
    if (delta >= W) svc.avgload = svc.load * P;
    else if (delta > 0) svc.avgload = (delta * svc.load * P + (W - delta) * svc.avgload) / W;
    svc.load += change;
    svc.loadLastUpdate = now;
  }

  private updateLoad(u: Unit, rq: Runq, change: number, now: STime): void {
    this.updateRunqLoad(rq, change, now);
    this.updateSvcLoad(c2(u), change, now);
  }

  // --- runqueue --------------------------------------------------------------------

  private runqInsert(u: Unit): void {
    const svc = c2(u);
    const q = svc.rqd!.runq;
    const cr = svc.credit;
    let lo = 0;
    let hi = q.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (c2(q[mid]!).credit >= cr) lo = mid + 1;
      else hi = mid;
    }
    insertAt(q, lo, u);
    svc.onRunq = true;
  }

  private runqRemove(u: Unit): void {
    const svc = c2(u);
    const q = svc.rqd!.runq;
    const i = q.indexOf(u);
    if (i >= 0) removeAt(q, i);
    svc.onRunq = false;
  }

  // --- credits and budget ----------------------------------------------------------

  private burnCredits(rq: Runq, svc: C2Unit, now: STime): void {
    const delta = now - svc.startTime;
    if (delta <= 0) {
      svc.startTime = now;
      return;
    }
    svc.credit -= (delta * rq.maxWeight) / svc.weight;
    if (svc.credit < CSCHED2_CREDIT_MIN) svc.credit = CSCHED2_CREDIT_MIN;
    if (svc.budget !== Infinity) svc.budget -= delta;
    svc.startTime = now;
  }

  /** unit_grab_budget(): take a slice of the domain's budget; false if none is left. */
  private grabBudget(svc: C2Unit): boolean {
    // an uncapped unit's budget is Infinity: answered without touching the domain
    if (svc.budget > 0) return true;
    const sd = svc.dom;
    if (sd.cap === 0) return true;
    if (sd.budget > 0) {
      const take = Math.min(sd.budget, svc.budgetQuota);
      svc.budget += take;
      sd.budget -= take;
      return svc.budget > 0;
    }
    return false;
  }

  /** unit_return_budget(): give back what was not used; unpark others. */
  private returnBudget(svc: C2Unit, now: STime): void {
    if (svc.budget === Infinity) return;
    const sd = svc.dom;
    if (sd.cap === 0) return;
    if (svc.budget > 0) {
      sd.budget += svc.budget;
      svc.budget = 0;
      if (sd.parked.length > 0) this.unpark(sd, now);
    }
  }

  private park(u: Unit): void {
    const svc = c2(u);
    if (svc.parked) return;
    svc.parked = true;
    svc.dom.parked.push(u);
  }

  private unpark(sd: C2Dom, now: STime): void {
    const list = sd.parked.splice(0);
    for (const u of list) {
      const svc = c2(u);
      svc.parked = false;
      if (u.awake && !u.isRunning && !svc.onRunq && svc.rqd) {
        this.runqInsert(u);
        this.tickle(u, now);
      }
    }
  }

  private replenish(sd: C2Dom, now: STime): void {
    sd.budget = Math.min(sd.budget + sd.totBudget, sd.totBudget);
    if (sd.parked.length > 0) this.unpark(sd, now);
  }

  private resetCredit(rq: Runq, snext: C2Unit, now: STime): void {
    let m = 1;
    if (snext.credit < -CSCHED2_CREDIT_INIT) m += Math.floor(-snext.credit / CSCHED2_CREDIT_INIT);
    for (const u of rq.svc) {
      const svc = c2(u);
      if (u.isRunning && svc !== snext) {
        this.burnCredits(rq, svc, now);
        if (svc.budget <= 0) this.core.tickle(u.pcpu);
      }
      svc.credit += m * CSCHED2_CREDIT_INIT;
      if (svc.credit > CSCHED2_CREDIT_INIT + CSCHED2_CARRYOVER_MAX) svc.credit = CSCHED2_CREDIT_INIT + CSCHED2_CARRYOVER_MAX;
      svc.startTime = now;
    }
    // adding the same amount and clipping at one ceiling keeps the runqueue's order
  }

  // --- picking pCPUs and tickling --------------------------------------------------

  pickCpu(u: Unit, now: STime): number {
    const svc = u.priv instanceof C2Unit ? u.priv : null;
    const hasSoft = u.hasSoft;
    let minLoad = Infinity;
    let minRq: Runq | null = null;
    let minSLoad = Infinity;
    let minSRq: Runq | null = null;
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
      this.updateRunqLoad(rq, 0, now);
      let load = rq.bAvgload;
      if (svc && svc.rqd === rq) load = Math.max(0, load - svc.avgload);
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
    if (!rq) return u.processor;
    const useSoft = hasSoft && rq === minSRq;
    // prefer the current pCPU, then an idle one, cycling from the runqueue's bias
    const ok = (c: number): boolean => (useSoft ? u.softOk(c) : u.hardOk(c));
    if (this.rqOf[u.processor] === rq && ok(u.processor) && this.idleCpu[u.processor] === 1) return u.processor;
    let first = -1;
    const n = rq.cpus.length;
    let start = rq.cpus.indexOf(rq.pickBias);
    if (start < 0) start = 0;
    for (let i = 1; i <= n; i++) {
      const c = rq.cpus[(start + i) % n]!;
      if (!ok(c)) continue;
      if (first < 0) first = c;
      if (this.idleCpu[c] === 1) {
        first = c;
        break;
      }
    }
    if (first < 0) first = rq.cpus.find((c) => u.hardOk(c)) ?? rq.cpus[0]!;
    rq.pickBias = first;
    return first;
  }

  /** runq_tickle(): find a pCPU for a unit just queued, preempting if worth it. */
  private tickle(u: Unit, now: STime): void {
    const svc = c2(u);
    const rq = svc.rqd!;
    const cpus = rq.cpus;
    const hasSoft = u.hasSoft;
    // read once: u.processor is a getter through the vCPU, and the walks below are per pCPU
    const proc = u.processor;
    // 1. idle pCPUs: the unit's own processor, then soft-affine ones, then any
    if (rq.nIdle > 0) {
      let best = -1;
      let bestScore = -1;
      for (const c of cpus) {
        if (this.idleCpu[c] !== 1 || this.tickledCpu[c] === 1 || !u.hardOk(c)) continue;
        const score = (c === proc ? 1 : 0) + (hasSoft && u.softOk(c) ? 2 : 0);
        if (score > bestScore) {
          bestScore = score;
          best = c;
          if (score === 3 || (!hasSoft && score === 1)) break;
        }
      }
      if (best >= 0) {
        this.tickleCpu(rq, best, svc);
        return;
      }
    }
    // 2. preempt the running unit with the least credit, if the newcomer beats it
    let best = -1;
    let bestScore = 0;
    const rl = this.ratelimitNs;
    const credit = svc.credit;
    const maxWeight = rq.maxWeight;
    for (const c of cpus) {
      if (this.tickledCpu[c] === 1 || !u.hardOk(c)) continue;
      const cur = c === this.switchedCpu ? this.switchedTo : this.core.curr(c);
      if (!cur) continue;
      const cs = c2(cur);
      if (rl > 0 && now - cs.runStart < rl - CSCHED2_RATELIMIT_TICKLE_TOLERANCE) continue;
      let score = credit - (cs.credit - (now - cs.startTime) * (maxWeight / cs.weight));
      if (c !== proc) score -= CSCHED2_MIGRATE_RESIST;
      if (hasSoft && u.softOk(c)) score += CSCHED2_MIGRATE_RESIST;
      if (score > bestScore) {
        bestScore = score;
        best = c;
      }
    }
    if (best >= 0) this.tickleCpu(rq, best, svc);
  }

  private tickleCpu(rq: Runq, cpu: number, svc: C2Unit): void {
    this.tickledCpu[cpu] = 1;
    svc.tickledCpu = cpu;
    this.core.tickle(cpu);
  }

  // --- wake / sleep ----------------------------------------------------------------

  wake(u: Unit, now: STime): void {
    const svc = c2(u);
    if (svc.onRunq || svc.parked) return;
    if (!svc.rqd || !u.hardOk(u.processor) || this.rqOf[u.processor] !== svc.rqd) {
      const cpu = this.pickCpu(u, now);
      const rq = this.rqOf[cpu]!;
      if (svc.rqd !== rq) {
        if (svc.rqd) this.deassign(u);
        this.assign(u, rq);
      }
      u.processor = cpu;
    }
    this.updateLoad(u, svc.rqd!, 1, now);
    this.runqInsert(u);
    this.tickle(u, now);
  }

  sleep(u: Unit, now: STime): void {
    this.dequeue(u, now);
  }

  // --- do_schedule -----------------------------------------------------------------

  doSchedule(cpu: number, prev: Unit | null, now: STime): Unit | null {
    const rq = this.rqOf[cpu]!;
    this.tickledCpu[cpu] = 0;
    let scurr: C2Unit | null = null;
    let prevRunnable = false;
    if (prev) {
      scurr = c2(prev);
      // prev may have been assigned to this runqueue's scheduler data before a move
      if (scurr.rqd) this.burnCredits(scurr.rqd, scurr, now);
      prevRunnable = prev.runnable();
      if (!prevRunnable) {
        if (scurr.load > 0 && scurr.rqd) this.updateLoad(prev, scurr.rqd, -1, now);
        this.returnBudget(scurr, now);
      }
    }

    // runq_candidate()
    let snext: Unit | null = null;
    let snextCredit = CSCHED2_IDLE_CREDIT;
    let skipped = 0;
    if (prev && prevRunnable && scurr && scurr.rqd === rq && prev.hardOk(cpu)) {
      const rl = this.ratelimitNs;
      if (this.grabBudget(scurr)) {
        if (rl > 0 && now - scurr.runStart < rl) {
          // ratelimit: prev has not run long enough to be switched away from
          this.setIdle(rq, cpu, false);
          this.slice = this.runtime(rq, scurr, true, now);
          return prev;
        }
        snext = prev;
        snextCredit = scurr.credit;
      } else {
        this.park(prev);
      }
    }
    const q = rq.runq;
    let pickIdx = -1;
    for (let i = 0; i < q.length; i++) {
      const u = q[i]!;
      const svc = c2(u);
      if (svc.tickledCpu >= 0 && svc.tickledCpu !== cpu && this.tickledCpu[svc.tickledCpu] === 1) {
        skipped++;
        continue;
      }
      if (!u.hardOk(cpu)) {
        skipped++;
        continue;
      }
      if (u.processor !== cpu && snextCredit + CSCHED2_MIGRATE_RESIST > svc.credit) {
        skipped++;
        continue;
      }
      if (svc.credit <= snextCredit) break;
      if (!this.grabBudget(svc)) {
        // park it and look further
        removeAt(q, i);
        svc.onRunq = false;
        this.park(u);
        i--;
        continue;
      }
      pickIdx = i;
      break;
    }
    if (pickIdx >= 0) {
      snext = q[pickIdx]!;
      removeAt(q, pickIdx);
      c2(snext).onRunq = false;
    }
    // prev goes back on a runqueue in context_saved(), after this schedule: Xen sets
    // __CSFLAG_delayed_runq_add here, so during reset_credit, balance_load and
    // csched2_runtime below prev is still scheduled and on no runqueue (balance_load's
    // migrate() only asks it to move; the slice is not cut short for prev)
    const requeuePrev = prev !== null && prevRunnable && snext !== prev && scurr !== null && !scurr.parked;
    if (!snext) {
      this.setIdle(rq, cpu, true);
      this.slice = -1;
      if (requeuePrev) this.contextSaved(prev, cpu, null, rq, now);
      return null;
    }
    const sn = c2(snext);
    if (skipped === 0 && sn.credit <= CSCHED2_CREDIT_RESET) {
      // snext is __CSFLAG_scheduled from here on, as in csched2_schedule()
      this.scheduledNext = snext;
      this.scheduledCpu = cpu;
      this.resetCredit(rq, sn, now);
      this.balanceLoad(rq, now);
      this.scheduledNext = null;
    }
    this.setIdle(rq, cpu, false);
    sn.startTime = now;
    sn.tickledCpu = -1;
    if (snext !== prev) sn.runStart = now;
    if (snext.processor !== cpu) {
      sn.credit += CSCHED2_MIGRATE_COMPENSATION;
    }
    this.slice = this.runtime(rq, sn, snext === prev, now);
    if (requeuePrev) this.contextSaved(prev!, cpu, snext, rq, now);
    return snext;
  }

  /**
   * csched2_context_saved() for a prev still runnable, once `cpu` runs `next`: back on the
   * runqueue it belongs to, then runq_tickle(), as Xen does it — an idle pCPU of the
   * runqueue (or one running a unit with less credit) takes it instead of leaving it to
   * wait for this pCPU's next slice.
   */
  private contextSaved(prev: Unit, cpu: number, next: Unit | null, rq: Runq, now: STime): void {
    const scurr = c2(prev);
    if (scurr.rqd !== rq || !prev.hardOk(cpu)) {
      this.requeueElsewhere(prev, now);
      return;
    }
    this.returnBudget(scurr, now);
    this.runqInsert(prev);
    // the core still has prev as cpu's current unit: runq_tickle compares with next
    this.switchedCpu = cpu;
    this.switchedTo = next;
    this.tickle(prev, now);
    this.switchedCpu = -1;
  }

  /** A runnable unit that load balancing moved to another runqueue while it ran. */
  private requeueElsewhere(u: Unit, now: STime): void {
    const svc = c2(u);
    this.returnBudget(svc, now);
    let rq = svc.rqd;
    if (!rq || !rq.cpus.some((c) => u.hardOk(c))) {
      const cpu = this.pickCpu(u, now);
      const to = this.rqOf[cpu]!;
      if (rq) {
        if (svc.load > 0) this.updateRunqLoad(rq, -1, now);
        this.deassign(u);
      }
      this.assign(u, to);
      if (svc.load > 0) this.updateRunqLoad(to, 1, now);
      rq = to;
    }
    let cpu = rq.cpus.find((c) => u.hardOk(c) && this.idleCpu[c] === 1);
    cpu ??= rq.cpus.find((c) => u.hardOk(c))!;
    u.processor = cpu;
    this.runqInsert(u);
    this.tickle(u, now);
  }

  /** csched2_runtime(). */
  private runtime(rq: Runq, sn: C2Unit, continuing: boolean, now: STime): STime {
    let minTime = CSCHED2_MIN_TIMER;
    const rl = this.ratelimitNs;
    if (rl > 0) {
      const rmin = continuing ? sn.runStart + rl - now : rl;
      if (rmin > minTime) minTime = rmin;
    }
    let rtCredit = sn.credit;
    const q = rq.runq;
    if (q.length > 0) {
      const w = c2(q[0]!);
      if (w.credit > 0) rtCredit = sn.credit - w.credit;
    }
    let time: number;
    if (rtCredit <= 0) time = minTime;
    else {
      time = (rtCredit * sn.weight) / rq.maxWeight;
      if (time < minTime) time = minTime;
      if (time > CSCHED2_MAX_TIMER) time = CSCHED2_MAX_TIMER;
    }
    if (sn.budget !== Infinity && sn.budget < time) time = Math.max(sn.budget, 1);
    return time;
  }

  // --- load balancing (balance_load) -----------------------------------------------

  private balanceLoad(lrq: Runq, now: STime): void {
    if (this.rqs.length < 2) return;
    this.updateRunqLoad(lrq, 0, now);
    let maxDelta = 0;
    let orq: Runq | null = null;
    for (const rq of this.rqs) {
      if (rq === lrq) continue;
      this.updateRunqLoad(rq, 0, now);
      const d = Math.abs(lrq.bAvgload - rq.bAvgload);
      if (d > maxDelta) {
        maxDelta = d;
        orq = rq;
      }
    }
    if (!orq) return;
    const loadMax = Math.max(lrq.bAvgload, orq.bAvgload);
    const cpusMax = Math.max(lrq.cpus.length, orq.cpus.length);
    const tol = loadMax < cpusMax * P ? BALANCE_UNDER_TOLERANCE : BALANCE_OVER_TOLERANCE;
    if (maxDelta < P * 2 ** tol) return;

    // push, pull or swap: the move that leaves the two loads closest. Xen tries every
    // pair (O(n²)); sorting the pull side gives the same answer in O(n log n).
    const D = lrq.bAvgload - orq.bAvgload;
    let best = maxDelta;
    let push: Unit | null = null;
    let pull: Unit | null = null;
    const pulls = this.scratch;
    pulls.length = 0;
    for (const u of orq.svc) {
      this.updateSvcLoad(c2(u), 0, now);
      if (this.migrateable(u, lrq)) pulls.push(u);
    }
    pulls.sort(byAvgload);
    for (const pl of pulls) {
      const d = Math.abs(D + 2 * c2(pl).avgload);
      if (d < best) {
        best = d;
        push = null;
        pull = pl;
      }
    }
    for (const pu of lrq.svc) {
      const a = c2(pu);
      this.updateSvcLoad(a, 0, now);
      if (!this.migrateable(pu, orq)) continue;
      const d0 = Math.abs(D - 2 * a.avgload);
      if (d0 < best) {
        best = d0;
        push = pu;
        pull = null;
      }
      if (pulls.length === 0) continue;
      // the b that makes D - 2a + 2b closest to 0
      const target = a.avgload - D / 2;
      let lo = 0;
      let hi = pulls.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (c2(pulls[mid]!).avgload < target) lo = mid + 1;
        else hi = mid;
      }
      for (let k = lo - 1; k <= lo; k++) {
        if (k < 0 || k >= pulls.length) continue;
        const pl = pulls[k]!;
        const d = Math.abs(D - 2 * a.avgload + 2 * c2(pl).avgload);
        if (d < best) {
          best = d;
          push = pu;
          pull = pl;
        }
      }
    }
    pulls.length = 0;
    if (push) this.migrate(push, orq, now);
    if (pull) this.migrate(pull, lrq, now);
  }

  private readonly scratch: Unit[] = [];
  /** The unit the current do_schedule picked, while it runs reset_credit and balance_load. */
  private scheduledNext: Unit | null = null;
  private scheduledCpu = -1;
  /** The pCPU whose schedule is ending in context_saved(), and the unit it now runs. */
  private switchedCpu = -1;
  private switchedTo: Unit | null = null;

  /** unit_is_migrateable(): hard affinity allows it; soft affinity is kept where it is met. */
  private migrateable(u: Unit, to: Runq): boolean {
    if (!u.hardAll && !to.cpus.some((c) => u.hardOk(c))) return false;
    if (!u.hasSoft) return true;
    const from = c2(u).rqd;
    return to.cpus.some((c) => u.softOk(c)) || !from || !from.cpus.some((c) => u.softOk(c));
  }

  /** migrate(): move a unit to another runqueue (a running one moves at its next schedule). */
  private migrate(u: Unit, to: Runq, now: STime): void {
    const svc = c2(u);
    this.migrations++;
    // CSFLAG_scheduled: running, or just picked by the schedule that is balancing
    const scheduled = u.isRunning || u === this.scheduledNext;
    if (scheduled) {
      // reassign now; the pCPU notices at its next schedule and requeues it there
      const from = svc.rqd!;
      this.deassign(u);
      if (svc.load > 0) this.updateRunqLoad(from, -1, now);
      this.assign(u, to);
      if (svc.load > 0) this.updateRunqLoad(to, 1, now);
      this.core.tickle(u.isRunning ? u.pcpu : this.scheduledCpu);
      return;
    }
    const onRunq = svc.onRunq;
    if (onRunq) {
      this.runqRemove(u);
      this.updateRunqLoad(svc.rqd!, -1, now);
    } else if (svc.load > 0 && svc.rqd) {
      this.updateRunqLoad(svc.rqd, -1, now);
      this.updateRunqLoad(to, 1, now);
    }
    this.deassign(u);
    this.assign(u, to);
    let cpu = -1;
    const n = to.cpus.length;
    let start = to.cpus.indexOf(to.pickBias);
    if (start < 0) start = 0;
    for (let i = 1; i <= n; i++) {
      const c = to.cpus[(start + i) % n]!;
      if (u.hardOk(c)) {
        cpu = c;
        break;
      }
    }
    u.processor = cpu;
    to.pickBias = cpu;
    if (onRunq) {
      this.updateRunqLoad(to, 1, now);
      this.runqInsert(u);
      this.tickle(u, now);
    }
  }

  // --- parameters ------------------------------------------------------------------

  adjustDomain(d: SchedDomainRec, op: DomainSchedOp): DomainSchedResult {
    const sd = d.priv as C2Dom;
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
            const svc = u.priv as C2Unit;
            if (svc.rqd) {
              svc.rqd.removeWeight(old);
              svc.rqd.addWeight(weight);
            }
            svc.weight = weight;
          }
        }
        if (cap !== undefined && cap !== 0) {
          sd.totBudget = (MILLISECS(CSCHED2_CAP_PERIOD_MS) * cap) / 100;
          for (const u of d.units) (u.priv as C2Unit).budgetQuota = Math.max(sd.totBudget / Math.max(sd.nrUnits, 1), CSCHED2_MIN_TIMER);
          if (sd.cap === 0) {
            sd.budget = sd.totBudget;
            sd.replTimer ??= this.makeReplTimer(sd);
            this.clock.set(sd.replTimer, now + MILLISECS(CSCHED2_CAP_PERIOD_MS));
            sd.replTimer.period = MILLISECS(CSCHED2_CAP_PERIOD_MS);
            for (const u of d.units) {
              const svc = u.priv as C2Unit;
              if (u.isRunning && svc.rqd) {
                this.burnCredits(svc.rqd, svc, now);
                this.core.tickle(u.pcpu);
              }
              svc.budget = 0;
            }
          }
          sd.cap = cap;
        } else if (cap === 0 && sd.cap !== 0) {
          if (sd.replTimer) this.clock.cancel(sd.replTimer);
          for (const u of d.units) {
            const svc = u.priv as C2Unit;
            svc.budget = Infinity;
            svc.budgetQuota = 0;
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

  private makeReplTimer(sd: C2Dom): Timer {
    const t = this.clock.every(MILLISECS(CSCHED2_CAP_PERIOD_MS), (now) => this.replenish(sd, now));
    return t;
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
