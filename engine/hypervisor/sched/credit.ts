/**
 * Credit (credit1), Xen's default scheduler from 3.x to 4.11 (xen/common/sched/credit.c).
 *
 * How it works, in plain words:
 *
 * - Every pCPU has its own runqueue, ordered by priority and, within a priority,
 *   first come first served. Priorities are BOOST (0), UNDER (−1), OVER (−2) and, for
 *   the idle vCPU, IDLE (−64).
 * - Time is shared out as "credits". Every accounting period — one time slice, 30 ms
 *   by default — the scheduler hands out 300 credits per pCPU (10 credits per ms of a
 *   pCPU) to the domains that have been active, in proportion to their weight (256 by
 *   default), split evenly between each domain's active vCPUs. Running costs 10 credits
 *   per ms, charged whenever the vCPU is descheduled and at every 10 ms tick (three per
 *   slice).
 * - A vCPU with credit ≥ 0 is UNDER, below 0 it is OVER: UNDER vCPUs always run before
 *   OVER ones. A vCPU that wakes up while UNDER is BOOSTed and preempts whatever UNDER
 *   or OVER vCPU is running — this is what gives I/O-bound guests their responsiveness —
 *   until the next tick finds it running and drops it back to UNDER.
 * - A vCPU that stops consuming and builds up more than one slice worth of credit
 *   (300) is taken off the active list and its credit halved, so idle guests do not hoard.
 * - A running vCPU is switched out after a full time slice (30 ms) if another vCPU of
 *   at least its priority waits; a newly woken vCPU cannot preempt one that has run
 *   less than the ratelimit (1000 µs).
 * - Work stealing: when a pCPU's best local choice is OVER or idle, it looks at the
 *   runqueues of the busy pCPUs (its own NUMA node first, then the others) and steals
 *   a waiting vCPU of higher priority that hard affinity allows to run here. A vCPU
 *   waking where it cannot preempt makes an idle pCPU look for work.
 * - A cap (percent of one pCPU) limits the credit a domain gets per period, and a
 *   vCPU whose credit falls below −cap's worth is parked (not run) until its credit is
 *   positive again.
 */
import { MICROSECS, MILLISECS, type Clock, type STime, type Timer } from '../clock';
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

export const CSCHED_DEFAULT_WEIGHT = 256;
export const CSCHED_DEFAULT_TSLICE_MS = 30;
export const CSCHED_TICKS_PER_TSLICE = 3;
export const CSCHED_CREDITS_PER_MSEC = 10;
export const CSCHED_MIN_TIMER = MICROSECS(50);
export const CSCHED_PRI_TS_BOOST = 0;
export const CSCHED_PRI_TS_UNDER = -1;
export const CSCHED_PRI_TS_OVER = -2;
export const CSCHED_PRI_IDLE = -64;
export const XEN_SYSCTL_CSCHED_TSLICE_MIN = 1;
export const XEN_SYSCTL_CSCHED_TSLICE_MAX = 1000;
export const XEN_SYSCTL_CSCHED_MGR_DLY_MAX_US = 100_000;

class CDom {
  weight = CSCHED_DEFAULT_WEIGHT;
  cap = 0;
  /** Active units of this domain (on the active list). */
  readonly active = new Set<Unit>();
}

class CUnit {
  credit = 0;
  pri = CSCHED_PRI_TS_UNDER;
  startTime = 0;
  onRunq = false;
  /** pCPU whose runqueue holds it. */
  runqCpu = -1;
  parked = false;
  active = false;
  /** When it last went off a pCPU (vcpu_migration_delay's cache-hot test). */
  lastSchedTime = 0;
  constructor(readonly dom: CDom) {}
}

const cu = (u: Unit): CUnit => u.priv as CUnit;

export class CreditScheduler implements Scheduler {
  readonly name = 'credit';
  readonly id = XEN_SCHEDULER_ID.credit;
  slice: STime = -1;
  tsliceMs = CSCHED_DEFAULT_TSLICE_MS;
  ratelimitUs = SCHED_DEFAULT_RATELIMIT_US;
  vcpuMigrDelayUs = 0;
  private readonly cpus = new Set<number>();
  private readonly runq: Unit[][];
  private readonly idlers: Uint8Array;
  /** The same, as a set to walk (prv->idlers). */
  private readonly idleSet = new Set<number>();
  /** pCPUs whose runqueue has a waiting unit (work-stealing candidates). */
  private readonly queued = new Set<number>();
  /** The same per NUMA node, in the same order (the first pass of csched_load_balance). */
  private readonly queuedOnNode: Set<number>[];
  /** Priority of the head of each pCPU's runqueue (PRI_IDLE when empty): work stealing
   * skips a peer with nothing better than what it has without touching the peer's units. */
  private readonly headPri: Int32Array;
  private readonly ticker: (Timer | null)[];
  private master: Timer | null = null;
  private readonly doms = new Set<CDom>();
  private readonly balanceBias: Int32Array;
  steals = 0;

  constructor(
    private readonly core: SchedCoreApi,
    private readonly clock: Clock,
    private readonly topo: Topology,
  ) {
    const n = core.nrCpus;
    this.runq = Array.from({ length: n }, () => []);
    this.idlers = new Uint8Array(n);
    this.ticker = new Array<Timer | null>(n).fill(null);
    this.balanceBias = new Int32Array(topo.nrNodes);
    this.queuedOnNode = Array.from({ length: topo.nrNodes }, () => new Set<number>());
    this.headPri = new Int32Array(n).fill(CSCHED_PRI_IDLE);
  }

  private setHead(cpu: number): void {
    const q = this.runq[cpu]!;
    this.headPri[cpu] = q.length > 0 ? cu(q[0]!).pri : CSCHED_PRI_IDLE;
  }

  private setIdler(cpu: number, idle: boolean): void {
    this.idlers[cpu] = idle ? 1 : 0;
    if (idle) this.idleSet.add(cpu);
    else this.idleSet.delete(cpu);
  }

  private get tslice(): STime {
    return MILLISECS(this.tsliceMs);
  }
  private get tickPeriod(): STime {
    return MILLISECS(this.tsliceMs) / CSCHED_TICKS_PER_TSLICE;
  }
  private get creditsPerTslice(): number {
    return CSCHED_CREDITS_PER_MSEC * this.tsliceMs;
  }

  // --- pCPUs -----------------------------------------------------------------------

  initPcpu(cpu: number): void {
    this.cpus.add(cpu);
    this.setIdler(cpu, true);
    if (!this.ticker[cpu]) {
      const t = this.clock.at(this.clock.now, (now) => this.tick(cpu, now));
      this.clock.cancel(t);
      this.ticker[cpu] = t;
    }
    if (!this.master) this.master = this.clock.every(this.tslice, (now) => this.acct(now));
  }

  deinitPcpu(cpu: number): void {
    if (this.runq[cpu]!.length > 0) throw new Error(`credit: pCPU ${cpu} runqueue not empty`);
    this.cpus.delete(cpu);
    this.setIdler(cpu, false);
    this.queued.delete(cpu);
    this.queuedOnNode[this.topo.cpuNode[cpu]!]!.delete(cpu);
    this.clock.cancel(this.ticker[cpu]!);
    if (this.cpus.size === 0 && this.master) {
      this.clock.cancel(this.master);
      this.master = null;
    }
  }

  // --- domains and units -----------------------------------------------------------

  insertDomain(d: SchedDomainRec): void {
    if (!(d.priv instanceof CDom)) d.priv = new CDom();
    this.doms.add(d.priv as CDom);
  }

  removeDomain(d: SchedDomainRec): void {
    this.doms.delete(d.priv as CDom);
  }

  insertUnit(u: Unit, now: STime): void {
    const sd = u.dom.priv as CDom;
    if (!(u.priv instanceof CUnit) || u.priv.dom !== sd) u.priv = new CUnit(sd);
    const svc = cu(u);
    svc.onRunq = false;
    svc.runqCpu = -1;
    svc.parked = false;
    svc.startTime = now;
    u.processor = this.pickCpu(u);
  }

  removeUnit(u: Unit): void {
    const svc = cu(u);
    if (svc.onRunq) this.runqRemove(u);
    if (svc.active) this.acctStop(u);
    svc.parked = false;
  }

  private acctStart(u: Unit): void {
    const svc = cu(u);
    svc.active = true;
    svc.dom.active.add(u);
  }

  private acctStop(u: Unit): void {
    const svc = cu(u);
    svc.active = false;
    svc.dom.active.delete(u);
  }

  // --- runqueues -------------------------------------------------------------------

  private runqInsert(u: Unit, cpu: number): void {
    const svc = cu(u);
    const q = this.runq[cpu]!;
    let i = 0;
    while (i < q.length && cu(q[i]!).pri >= svc.pri) i++;
    insertAt(q, i, u);
    if (i === 0) this.headPri[cpu] = svc.pri;
    svc.onRunq = true;
    svc.runqCpu = cpu;
    this.queued.add(cpu);
    this.queuedOnNode[this.topo.cpuNode[cpu]!]!.add(cpu);
  }

  private runqRemove(u: Unit): void {
    const svc = cu(u);
    const q = this.runq[svc.runqCpu]!;
    const i = q.indexOf(u);
    if (i >= 0) removeAt(q, i);
    if (i === 0) this.setHead(svc.runqCpu);
    if (q.length === 0) {
      this.queued.delete(svc.runqCpu);
      this.queuedOnNode[this.topo.cpuNode[svc.runqCpu]!]!.delete(svc.runqCpu);
    }
    svc.onRunq = false;
    svc.runqCpu = -1;
  }

  private burnCredits(svc: CUnit, now: STime): void {
    const val = now - svc.startTime;
    if (val <= 0) return;
    svc.credit -= (val * CSCHED_CREDITS_PER_MSEC) / MILLISECS(1);
    svc.startTime = now;
  }

  // --- picking and tickling --------------------------------------------------------

  /** _csched_cpu_pick(): an idle pCPU (its own first, soft-affine first), else its own. */
  pickCpu(u: Unit): number {
    const cur = u.processor;
    const own = this.cpus.has(cur) && u.hardOk(cur);
    if (own && this.idlers[cur] && (!u.hasSoft || u.softOk(cur))) return cur;
    let idleHard = -1;
    for (const c of this.idleSet) {
      if (!u.hardOk(c) || this.core.curr(c) !== null) continue;
      if (!u.hasSoft || u.softOk(c)) return c;
      if (idleHard < 0) idleHard = c;
    }
    if (idleHard >= 0) return idleHard;
    if (own) return cur;
    for (const c of this.cpus) if (u.hardOk(c)) return c;
    return cur;
  }

  /** __runq_tickle(): preempt the unit's pCPU if it beats what runs there, else wake an idler. */
  private tickle(u: Unit, now: STime): void {
    const svc = cu(u);
    const cpu = svc.runqCpu;
    const cur = this.core.curr(cpu);
    const curPri = cur ? cu(cur).pri : CSCHED_PRI_IDLE;
    if (svc.pri > curPri) {
      // it will not be idle: do not offer it to the next pick
      if (!cur) this.setIdler(cpu, false);
      this.core.tickle(cpu);
      return;
    }
    if (curPri > CSCHED_PRI_IDLE) {
      // someone idle may steal it (tickle_one_idle_cpu)
      for (const c of this.idleSet) {
        if (u.hardOk(c) && (!u.hasSoft || u.softOk(c))) {
          this.setIdler(c, false);
          this.core.tickle(c);
          return;
        }
      }
      if (u.hasSoft) {
        for (const c of this.idleSet) {
          if (u.hardOk(c)) {
            this.setIdler(c, false);
            this.core.tickle(c);
            return;
          }
        }
      }
    }
    void now;
  }

  // --- wake / sleep ----------------------------------------------------------------

  wake(u: Unit, now: STime): void {
    const svc = cu(u);
    if (svc.onRunq || svc.parked) return;
    // BOOST a waking UNDER vCPU (not a parked one)
    if (svc.pri === CSCHED_PRI_TS_UNDER) svc.pri = CSCHED_PRI_TS_BOOST;
    let cpu = u.processor;
    if (!this.cpus.has(cpu) || !u.hardOk(cpu)) {
      cpu = this.pickCpu(u);
      u.processor = cpu;
    }
    this.runqInsert(u, cpu);
    this.tickle(u, now);
  }

  sleep(u: Unit): void {
    const svc = cu(u);
    if (svc.onRunq) this.runqRemove(u);
  }

  // --- the tick and accounting -----------------------------------------------------

  /** csched_tick(): charge the running unit, end its boost, make it active. */
  private tick(cpu: number, now: STime): void {
    const cur = this.core.curr(cpu);
    if (!cur || cur.sched !== (this as Scheduler)) return;
    const svc = cu(cur);
    if (svc.pri === CSCHED_PRI_TS_BOOST) svc.pri = CSCHED_PRI_TS_UNDER;
    this.burnCredits(svc, now);
    if (!svc.active) this.acctStart(cur);
    // an OVER unit running with UNDER ones waiting: let the schedule sort it out
    const q = this.runq[cpu]!;
    if (q.length > 0 && cu(q[0]!).pri > svc.pri) this.core.tickle(cpu);
    this.clock.set(this.ticker[cpu]!, now + this.tickPeriod);
  }

  /** csched_acct(): share out credits_per_tslice × pCPUs by weight among active domains. */
  private acct(now: STime): void {
    const cpt = this.creditsPerTslice;
    const creditTotal = cpt * this.cpus.size;
    let weightTotal = 0;
    for (const sd of this.doms) weightTotal += sd.weight * sd.active.size;
    if (weightTotal === 0) return;
    // fair share per domain, limited by what it can use (its active vCPUs' pCPU time, or its cap)
    const share = new Map<CDom, number>();
    let spare = 0;
    let weightUncapped = 0;
    for (const sd of this.doms) {
      const n = sd.active.size;
      if (n === 0) continue;
      let fair = Math.ceil((creditTotal * sd.weight * n) / weightTotal);
      let peak = n * cpt;
      if (sd.cap > 0) peak = Math.min(peak, Math.floor((sd.cap * cpt + 99) / 100));
      if (fair > peak) {
        spare += fair - peak;
        fair = peak;
      } else weightUncapped += sd.weight * n;
      share.set(sd, fair);
    }
    if (spare > 0 && weightUncapped > 0) {
      for (const [sd, fair] of share) {
        const n = sd.active.size;
        let peak = n * cpt;
        if (sd.cap > 0) peak = Math.min(peak, Math.floor((sd.cap * cpt + 99) / 100));
        if (fair < peak) share.set(sd, Math.min(peak, fair + Math.ceil((spare * sd.weight * n) / weightUncapped)));
      }
    }
    for (const [sd, fair] of share) {
      const n = sd.active.size;
      const perUnit = Math.ceil(fair / n);
      const creditCap = sd.cap > 0 ? Math.ceil(Math.floor((sd.cap * cpt + 99) / 100) / n) : 0;
      for (const u of [...sd.active]) {
        const svc = cu(u);
        if (u.isRunning) this.burnCredits(svc, now);
        let credit = svc.credit + perUnit;
        if (credit < 0) {
          svc.pri = CSCHED_PRI_TS_OVER;
          if (sd.cap > 0 && credit < -creditCap && !svc.parked) this.park(u);
          if (credit < -cpt) credit = -cpt;
        } else {
          svc.pri = CSCHED_PRI_TS_UNDER;
          if (svc.parked) this.unpark(u, now);
          if (credit > cpt) {
            this.acctStop(u);
            credit /= 2;
          }
        }
        svc.credit = credit;
      }
    }
    // priorities changed: re-sort the runqueues (csched_runq_sort)
    for (const c of this.queued) {
      const q = this.runq[c]!;
      if (q.length > 1) q.sort((a, b) => cu(b).pri - cu(a).pri);
      this.setHead(c);
      const cur = this.core.curr(c);
      if (cur && cu(cur).pri < cu(q[0]!).pri) this.core.tickle(c);
    }
  }

  private park(u: Unit): void {
    const svc = cu(u);
    svc.parked = true;
    if (svc.onRunq) this.runqRemove(u);
    else if (u.isRunning) this.core.tickle(u.pcpu);
  }

  private unpark(u: Unit, now: STime): void {
    const svc = cu(u);
    svc.parked = false;
    if (u.awake && !u.isRunning && !svc.onRunq) {
      this.runqInsert(u, this.cpus.has(u.processor) && u.hardOk(u.processor) ? u.processor : this.pickCpu(u));
      this.tickle(u, now);
    }
  }

  // --- do_schedule -----------------------------------------------------------------

  doSchedule(cpu: number, prev: Unit | null, now: STime): Unit | null {
    if (prev) {
      const scurr = cu(prev);
      this.burnCredits(scurr, now);
      const prevRunnable = prev.runnable() && !scurr.parked && prev.hardOk(cpu);
      const runtime = now - scurr.lastSchedTime;
      if (prevRunnable && this.ratelimitUs > 0 && runtime < MICROSECS(this.ratelimitUs)) {
        this.slice = Math.max(MICROSECS(this.ratelimitUs) - runtime, CSCHED_MIN_TIMER);
        this.setIdler(cpu, false);
        return prev;
      }
      if (prevRunnable) this.runqInsert(prev, cpu);
    }
    const q = this.runq[cpu]!;
    let snext: Unit | null = q.length > 0 ? q[0]! : null;
    const pri = snext ? cu(snext).pri : CSCHED_PRI_IDLE;
    if (pri > CSCHED_PRI_TS_OVER) {
      this.runqRemove(snext!);
    } else {
      const stolen = this.loadBalance(cpu, pri);
      if (stolen) snext = stolen;
      else if (snext) this.runqRemove(snext);
    }
    const wasIdle = prev === null;
    if (!snext) {
      this.setIdler(cpu, true);
      this.slice = -1;
      if (!wasIdle) this.clock.cancel(this.ticker[cpu]!);
      return null;
    }
    this.setIdler(cpu, false);
    const sn = cu(snext);
    sn.startTime = now;
    if (snext !== prev) sn.lastSchedTime = now;
    if (wasIdle) {
      const tp = this.tickPeriod;
      this.clock.set(this.ticker[cpu]!, now + tp - (now % tp));
    }
    this.slice = this.tslice;
    return snext;
  }

  /** csched_load_balance(): steal a higher-priority waiting unit from a busy peer. */
  private loadBalance(cpu: number, pri: number): Unit | null {
    if (this.queued.size === 0) return null;
    const node = this.topo.cpuNode[cpu]!;
    for (let pass = 0; pass < 2; pass++) {
      for (const peer of pass === 0 ? this.queuedOnNode[node]! : this.queued) {
        // (a head no better than `pri` ends the walk of that runqueue at once)
        if (peer === cpu || this.idlers[peer] || this.headPri[peer]! <= pri) continue;
        if (pass === 1 && this.topo.cpuNode[peer] === node) continue;
        const q = this.runq[peer]!;
        for (let i = 0; i < q.length; i++) {
          const u = q[i]!;
          const svc = cu(u);
          if (svc.pri <= pri) break;
          if (!u.hardOk(cpu)) continue;
          if (this.vcpuMigrDelayUs > 0 && this.clock.now - svc.lastSchedTime < MICROSECS(this.vcpuMigrDelayUs)) continue;
          this.runqRemove(u);
          u.processor = cpu;
          this.steals++;
          this.balanceBias[node] = peer;
          return u;
        }
      }
    }
    return null;
  }

  // --- parameters ------------------------------------------------------------------

  adjustDomain(d: SchedDomainRec, op: DomainSchedOp): DomainSchedResult {
    const sd = d.priv as CDom;
    switch (op.cmd) {
      case 'getinfo':
        return { params: { weight: sd.weight, cap: sd.cap } };
      case 'putinfo': {
        const { weight, cap } = op.params;
        if (weight !== undefined && weight !== 0 && (!Number.isInteger(weight) || weight < 1 || weight > 65535)) {
          throw new XenError('EINVAL', `weight ${weight} outside 1-65535`);
        }
        if (cap !== undefined && (!Number.isInteger(cap) || cap < 0 || cap > 100 * d.units.length)) {
          throw new XenError('EINVAL', `cap ${cap} outside 0-${100 * d.units.length} (100 per vCPU)`);
        }
        if (weight) sd.weight = weight;
        if (cap !== undefined) {
          sd.cap = cap;
          if (cap === 0) for (const u of d.units) if (cu(u).parked) this.unpark(u, this.clock.now);
        }
        return { params: { weight: sd.weight, cap: sd.cap } };
      }
      default:
        throw new XenError('EINVAL', `credit has no per-vCPU parameters (${op.cmd})`);
    }
  }

  adjustGlobal(op: PoolSchedOp): PoolSchedParams {
    if (op.cmd === 'putinfo') {
      const t = op.params.tsliceMs ?? this.tsliceMs;
      const r = op.params.ratelimitUs ?? this.ratelimitUs;
      const m = op.params.vcpuMigrDelayUs ?? this.vcpuMigrDelayUs;
      if (!Number.isInteger(t) || t < XEN_SYSCTL_CSCHED_TSLICE_MIN || t > XEN_SYSCTL_CSCHED_TSLICE_MAX) {
        throw new XenError('EINVAL', `tslice_ms ${t} outside ${XEN_SYSCTL_CSCHED_TSLICE_MIN}-${XEN_SYSCTL_CSCHED_TSLICE_MAX}`);
      }
      if (!Number.isInteger(r) || (r !== 0 && (r < XEN_SYSCTL_SCHED_RATELIMIT_MIN || r > XEN_SYSCTL_SCHED_RATELIMIT_MAX))) {
        throw new XenError('EINVAL', `ratelimit_us ${r} outside ${XEN_SYSCTL_SCHED_RATELIMIT_MIN}-${XEN_SYSCTL_SCHED_RATELIMIT_MAX} (0 disables)`);
      }
      if (MICROSECS(r) > MILLISECS(t)) throw new XenError('EINVAL', `ratelimit_us ${r} exceeds tslice_ms ${t}`);
      if (!Number.isInteger(m) || m < 0 || m > XEN_SYSCTL_CSCHED_MGR_DLY_MAX_US) {
        throw new XenError('EINVAL', `vcpu_migr_delay_us ${m} outside 0-${XEN_SYSCTL_CSCHED_MGR_DLY_MAX_US}`);
      }
      const changed = t !== this.tsliceMs;
      this.tsliceMs = t;
      this.ratelimitUs = r;
      this.vcpuMigrDelayUs = m;
      if (changed && this.master) {
        this.master.period = this.tslice;
        this.clock.set(this.master, this.clock.now + this.tslice);
      }
    }
    return { tsliceMs: this.tsliceMs, ratelimitUs: this.ratelimitUs, vcpuMigrDelayUs: this.vcpuMigrDelayUs };
  }

  dump(): string {
    const lines = [
      'Scheduler: SMP Credit Scheduler (credit)',
      `info:`,
      `\tncpus              = ${this.cpus.size}`,
      `\tdefault-weight     = ${CSCHED_DEFAULT_WEIGHT}`,
      `\ttslice             = ${this.tsliceMs}ms`,
      `\tratelimit          = ${this.ratelimitUs}us`,
      `\tcredits per msec   = ${CSCHED_CREDITS_PER_MSEC}`,
      `\tticks per tslice   = ${CSCHED_TICKS_PER_TSLICE}`,
      `\tmigration delay    = ${this.vcpuMigrDelayUs}us`,
    ];
    for (const c of [...this.cpus].sort((a, b) => a - b)) {
      const cur = this.core.curr(c);
      lines.push(`CPU[${String(c).padStart(2, '0')}] nr_run=${this.runq[c]!.length + (cur ? 1 : 0)}`);
      if (cur) lines.push(`\trun: [${cur.domid}.${cur.vcpuId}] pri=${cu(cur).pri} credit=${Math.round(cu(cur).credit)}`);
      this.runq[c]!.forEach((u, i) => lines.push(`\t${String(i + 1).padStart(3)}: [${u.domid}.${u.vcpuId}] pri=${cu(u).pri} credit=${Math.round(cu(u).credit)}`));
    }
    return lines.join('\n');
  }
}
