/**
 * The per-pCPU dispatch loop: Xen's xen/common/sched/core.c in miniature.
 *
 * Every pCPU has one timer on the simulated Clock (Xen's per-CPU s_timer). When it
 * fires, or when someone raises the pCPU's SCHEDULE_SOFTIRQ (`tickle`: the timer is
 * moved to "now"), `schedule()` runs: it charges the time the current unit ran to the
 * unit's workload burst, asks the pool's scheduler for the next unit and how long it may
 * run (do_schedule), switches context, moves vCPUs between runstates through
 * SchedVcpu.setRunstate (vcpu_runstate_change) and re-arms the timer for the earlier of
 * the slice end and the moment the running unit's burst completes (then it blocks, as a
 * guest doing SCHEDOP_block would).
 *
 * vcpu_wake / vcpu_sleep_nosync are `wake` / `sleep`. A unit belongs to one scheduler at a
 * time (its pool's); `attach` / `detach` move it in and out (sched_move_domain,
 * cpupool cpu add/remove re-shuffles). Everything is driven by the Clock and the seeded
 * Rng, so a run replays exactly.
 *
 * Hot paths use typed arrays per pCPU and, per vCPU, one row of the host's VcpuTable
 * (../vcpu-table.ts: runstate, pause flags, burst left, woke-at, workload state, latency
 * sums, and the unit's scheduler slot, pCPU, flags and wake-up timer) read and written
 * in place; the loop and the schedulers' wake, sleep and do_schedule know a unit by its
 * idx, so no per-vCPU object is touched on the common path (on the 16,384-vCPU host
 * each such first touch was a ~250 ns cache miss). Nothing allocates per event except
 * what a scheduler's queues need.
 */
import type { Clock, STime, Timer, TimerHandler } from '../clock';
import type { CpuMask } from '../cpumask';
import type { Rng } from '../rng';
import type { SchedDomain, SchedVcpu } from '../sched-hooks';
import {
  NR_BLOCKED,
  R_DMISS,
  NR_MIGRATING,
  R_LAT,
  R_LEFT,
  R_NR,
  R_PCPU,
  R_PROC,
  R_RS,
  R_SCHED,
  R_UFL,
  R_WL,
  R_WOKE,
  R_WTIMER,
  ROW,
  RS_BLOCKED,
  RS_OFFLINE,
  RS_RUNNABLE,
  RS_RUNNING,
  runstateChange,
  U_AFF_BROKEN,
  U_AWAKE,
  U_HARD_ALL,
  U_HAS_SOFT,
  VcpuTable,
} from '../vcpu-table';
import { LatencyTable } from './latency-table';
import type { LatencyStats, PcpuSchedMetrics, VcpuSchedMetrics } from './metrics';
import type { SchedCoreApi, Scheduler } from './scheduler';
import { migrateFinish } from './unit-migrate';
import { makeWorkload, workloadBurst, workloadBurstEnd, workloadJobMisses, type Workload, type WorkloadSpec } from './workload';

/** The core's record of a domain (d->sched_priv holds it; `priv` is the scheduler's). */
export class SchedDomainRec {
  readonly units: Unit[] = [];
  /** The scheduler's per-domain data (Xen's sdom). */
  priv: unknown = null;
  constructor(
    readonly dom: SchedDomain,
    public poolId: number,
  ) {}
  get domid(): number {
    return this.dom.domid;
  }
}

/**
 * A scheduling unit: one vCPU (sched-gran=cpu), Xen's struct sched_unit.
 *
 * Its state lives in the vCPU's row of the host's VcpuTable (R_SCHED, R_PCPU, R_UFL,
 * R_WTIMER, R_PROC): the dispatch loop and the schedulers' hot hooks work on unit
 * indexes and read the row, never this object (on the 16,384-vCPU host each first touch
 * of a per-vCPU object is a cache miss of ~250 ns). The properties below read and write
 * the same row, for the toolstack, the schedulers' cold paths and tests.
 */
export class Unit {
  /** The scheduler's per-unit data (unit->priv). */
  priv: unknown = null;
  /** Where the vCPU's row starts in `tab` (idx·ROW). */
  base: number;
  /** The host's VcpuTable (a copy of its own once the unit is freed). */
  tab: VcpuTable;
  /** Its dense index in the core (≥ nrCpus): its VcpuTable and LatencyTable row and its
   * timers' argument; -1 once freed. */
  idx: number;
  readonly vcpu: SchedVcpu;
  readonly dom: SchedDomainRec;
  /** RTDS: deadline misses counted by the scheduler (in the row: R_DMISS). */
  get deadlineMisses(): number {
    return this.tab.f[this.base + R_DMISS]!;
  }

  constructor(
    vcpu: SchedVcpu,
    dom: SchedDomainRec,
    idx: number,
    private readonly core: SchedCore,
  ) {
    this.base = vcpu.rowBase;
    this.tab = vcpu.table;
    this.idx = idx;
    this.vcpu = vcpu;
    this.dom = dom;
  }

  get domid(): number {
    return this.vcpu.domid;
  }
  get vcpuId(): number {
    return this.vcpu.vcpuId;
  }
  /** The scheduler the unit is in, null while detached. */
  get sched(): Scheduler | null {
    return this.core.schedAt(this.tab.f[this.base + R_SCHED]!);
  }
  /** pCPU it is running on, -1 when not running. */
  get pcpu(): number {
    return this.tab.f[this.base + R_PCPU]!;
  }
  /** The scheduler has been told the unit is awake (wake without a sleep since). */
  get awake(): boolean {
    return (this.tab.f[this.base + R_UFL]! & U_AWAKE) !== 0;
  }
  /** Hard affinity is every pCPU (or broken): no test needed. Set on attach. */
  get hardAll(): boolean {
    return (this.tab.f[this.base + R_UFL]! & U_HARD_ALL) !== 0;
  }
  /** Soft affinity says something useful (not all pCPUs, meets hard). Set on attach. */
  get hasSoft(): boolean {
    return (this.tab.f[this.base + R_UFL]! & U_HAS_SOFT) !== 0;
  }
  /** Hard affinity does not meet the pool's pCPUs: Xen breaks it (treat as all). */
  get affBroken(): boolean {
    return (this.tab.f[this.base + R_UFL]! & U_AFF_BROKEN) !== 0;
  }
  /** Its workload's wake-up: an indexed timer on the clock (arg: idx), -1 until it has a workload. */
  get wakeTimer(): number {
    return this.tab.f[this.base + R_WTIMER]!;
  }
  /** The workload it runs (shared by every unit running an equal one without state of its own). */
  get workload(): Workload {
    return this.idx >= 0 ? this.core.workloadOf(this.idx) : IDLE;
  }
  /** v->processor: the row's, which the vCPU reads too. */
  get processor(): number {
    return this.tab.f[this.base + R_PROC]!;
  }
  set processor(cpu: number) {
    this.tab.f[this.base + R_PROC] = cpu;
  }
  get isRunning(): boolean {
    return this.pcpu >= 0;
  }

  /** unit_runnable(): attached and the vCPU may run. */
  runnable(): boolean {
    const f = this.tab.f;
    return f[this.base + R_SCHED]! >= 0 && f[this.base + R_NR] === 0;
  }

  /** Hard affinity test for pCPU `cpu` (the scheduler only asks about its own pCPUs). */
  hardOk(cpu: number): boolean {
    if (this.hardAll) return true;
    const b = this.vcpu.hardAffinity.bits;
    return (b[cpu >>> 5]! & (1 << (cpu & 31))) !== 0;
  }

  softOk(cpu: number): boolean {
    const b = this.vcpu.softAffinity.bits;
    return (b[cpu >>> 5]! & (1 << (cpu & 31))) !== 0 && this.hardOk(cpu);
  }

  /** Recompute the affinity flags (on attach: affinity or pool changed). */
  refreshAffinity(poolCpus: CpuMask): void {
    const v = this.vcpu;
    const broken = !v.hardAffinity.intersects(poolCpus);
    const hardAll = broken || v.hardAffinity.full;
    // has_soft_affinity() (sched/private.h, 4.17): soft_aff_effective (sched_set_affinity:
    // the hard affinity not within the soft one, and the two meet; a broken hard affinity
    // is all pCPUs, as cpu_disable_scheduler sets it) and the pool's pCPUs not all in the
    // soft one. Ours also wants a pCPU of the pool in it (else every soft step is empty).
    const soft = v.softAffinity;
    const effective = broken ? !soft.full && !soft.empty : !v.hardAffinity.subsetOf(soft) && soft.intersects(v.hardAffinity);
    const hasSoft = effective && !poolCpus.subsetOf(soft) && soft.intersects(poolCpus);
    const f = this.tab.f;
    const fl = f[this.base + R_UFL]! & ~(U_HARD_ALL | U_HAS_SOFT | U_AFF_BROKEN);
    f[this.base + R_UFL] = fl | (broken ? U_AFF_BROKEN : 0) | (hardAll ? U_HARD_ALL : 0) | (hasSoft ? U_HAS_SOFT : 0);
  }
}

/** What a new unit runs until given a workload (stateless: one object for all). */
const IDLE = makeWorkload({ kind: 'idle' });

/**
 * The per-pCPU numbers of the loop, side by side in `pc` (P_STRIDE a pCPU): schedule()
 * reads and writes them all, and six arrays were six cache lines per event.
 */
/** When the current run on the pCPU (or its idling) started being charged. */
const P_RUN_START = 0;
const P_BUSY = 1;
const P_CTX_SWITCHES = 2;
const P_SCHED_CALLS = 3;
/** The pCPU's s_timer: an indexed timer on the clock (arg: the pCPU). */
const P_TIMER = 4;
const P_STRIDE = 5;

export class SchedCore implements SchedCoreApi, TimerHandler {
  readonly nrCpus: number;
  /** The unit running on each pCPU, by idx; -1 when idle. */
  private readonly cur: Int32Array;
  /** The per-pCPU numbers (P_*). */
  private readonly pc: Float64Array;
  /** Units by idx (null for pCPU rows and freed ones). */
  private readonly units: (Unit | null)[] = [];
  /** Their workloads by idx (null for pCPU rows): read when a mix's burst ends. */
  private readonly workloads: (Workload | null)[] = [];
  /** Every unit's vCPU row (vcpu-table.ts), by idx: the loop's per-vCPU numbers. */
  readonly vt: VcpuTable;
  /** The schedulers units are attached to, by the slot a row's R_SCHED holds, and how
   * many units each slot has (a slot with none is free for the next scheduler). */
  private readonly scheds: (Scheduler | null)[] = [];
  private readonly schedUnits: number[] = [];
  /** Wake-up-to-run latency, a row per unit (by idx; its sums in the unit's VcpuTable row). */
  private readonly latency: LatencyTable;
  /** ... and of the wake-ups each pCPU served, by pCPU: tables of their own (a count,
   * 8 bytes a pCPU, apart from the sum and maximum: latency-table.ts), not a pCPU's
   * share of the VcpuTable. */
  private readonly pcpuLatency: LatencyTable;
  /** The scheduler of each pCPU's pool; null for a free pCPU. */
  readonly schedOf: (Scheduler | null)[];
  readonly poolOf: Int32Array;
  /** Scheduling events handled (schedule() calls plus wake-ups). */
  events = 0;
  /** Raised SCHEDULE_SOFTIRQs not yet run: a ring of pCPUs, each at most once. */
  private readonly pendingFlag: Uint8Array;
  private readonly pendingRing: Int32Array;
  private pendingHead = 0;
  private pendingCount = 0;
  /** > 0 while one of the loop's events runs (softirqs are drained at its end). */
  private depth = 0;
  private readonly drainTimer: Timer;

  constructor(
    readonly clock: Clock,
    readonly rng: Rng,
    nrCpus: number,
  ) {
    this.nrCpus = nrCpus;
    this.cur = new Int32Array(nrCpus).fill(-1);
    this.pc = new Float64Array(nrCpus * P_STRIDE);
    this.vt = new VcpuTable(nrCpus * 2);
    this.latency = new LatencyTable(nrCpus * 2, { tab: this.vt, stride: ROW, offset: R_LAT });
    this.latency.reserve(nrCpus); // unit idx starts after the pCPUs
    this.pcpuLatency = new LatencyTable(nrCpus);
    for (let c = 0; c < nrCpus; c++) this.pcpuLatency.alloc();
    this.schedOf = new Array<Scheduler | null>(nrCpus).fill(null);
    this.poolOf = new Int32Array(nrCpus).fill(-1);
    this.pendingFlag = new Uint8Array(nrCpus);
    this.pendingRing = new Int32Array(nrCpus);
    this.drainTimer = clock.at(clock.now, (now) => this.drain(now));
    clock.cancel(this.drainTimer);
    for (let c = 0; c < nrCpus; c++) {
      this.pc[c * P_STRIDE + P_TIMER] = clock.newIndexed(this, c);
      this.units.push(null);
      this.workloads.push(null);
    }
  }

  now(): STime {
    return this.clock.now;
  }

  /** A pCPU's timer (arg < nrCpus) or a unit's workload wake-up (arg: its idx). */
  fireTimer(arg: number, now: STime): void {
    if (arg < this.nrCpus) this.schedule(arg, now);
    else this.workloadWake(arg, now);
  }

  /** The unit running on `cpu`, or null when idle (toolstack and tests). */
  curr(cpu: number): Unit | null {
    const i = this.cur[cpu]!;
    return i >= 0 ? this.units[i]! : null;
  }

  // --- what the schedulers ask of a unit, by idx (SchedCoreApi) ----------------------

  currIdx(cpu: number): number {
    return this.cur[cpu]!;
  }

  unit(idx: number): Unit {
    return this.units[idx]!;
  }

  runnable(idx: number): boolean {
    const f = this.vt.f;
    const b = idx * ROW;
    return f[b + R_NR] === 0 && f[b + R_SCHED]! >= 0;
  }

  pcpuOf(idx: number): number {
    return this.vt.f[idx * ROW + R_PCPU]!;
  }

  awake(idx: number): boolean {
    return (this.vt.f[idx * ROW + R_UFL]! & U_AWAKE) !== 0;
  }

  processor(idx: number): number {
    return this.vt.f[idx * ROW + R_PROC]!;
  }

  setProcessor(idx: number, cpu: number): void {
    this.vt.f[idx * ROW + R_PROC] = cpu;
  }

  hardAll(idx: number): boolean {
    return (this.vt.f[idx * ROW + R_UFL]! & U_HARD_ALL) !== 0;
  }

  hasSoft(idx: number): boolean {
    return (this.vt.f[idx * ROW + R_UFL]! & U_HAS_SOFT) !== 0;
  }

  hardOk(idx: number, cpu: number): boolean {
    return (this.vt.f[idx * ROW + R_UFL]! & U_HARD_ALL) !== 0 || this.units[idx]!.hardOk(cpu);
  }

  /** RTDS counts a deadline miss of unit `idx`. */
  deadlineMiss(idx: number): void {
    this.vt.f[idx * ROW + R_DMISS]!++;
  }

  /** The scheduler in slot `k` of the rows' R_SCHED (null for -1). */
  schedAt(k: number): Scheduler | null {
    return k >= 0 ? this.scheds[k]! : null;
  }

  workloadOf(idx: number): Workload {
    return this.workloads[idx]!;
  }

  /** cpu_raise_softirq(cpu, SCHEDULE_SOFTIRQ). */
  tickle(cpu: number): void {
    if (this.pendingFlag[cpu] === 1) return;
    this.pendingFlag[cpu] = 1;
    // a wrap by compare, not %: an integer division per softirq
    let i = this.pendingHead + this.pendingCount;
    if (i >= this.nrCpus) i -= this.nrCpus;
    this.pendingRing[i] = cpu;
    this.pendingCount++;
    // inside the loop's own events the softirqs run when the event ends; otherwise
    // (hypercalls, schedulers' timers) one event at this instant runs them
    if (this.depth === 0 && !this.drainTimer.armed) this.clock.set(this.drainTimer, this.clock.now);
  }

  /** Run the raised SCHEDULE_SOFTIRQs, in the order they were raised. */
  private drain(now: STime): void {
    this.depth++;
    const n = this.nrCpus;
    while (this.pendingCount > 0) {
      const cpu = this.pendingRing[this.pendingHead]!;
      this.pendingHead = this.pendingHead + 1 === n ? 0 : this.pendingHead + 1;
      this.pendingCount--;
      this.pendingFlag[cpu] = 0;
      this.scheduleWith(cpu, now, this.schedOf[cpu]!);
    }
    this.depth--;
  }

  // --- pCPUs and pools -------------------------------------------------------------

  /** Give a free pCPU to a pool's scheduler (schedule_cpu_add). */
  assignPcpu(cpu: number, poolId: number, s: Scheduler): void {
    if (this.schedOf[cpu]) throw new Error(`pCPU ${cpu} is already in pool ${this.poolOf[cpu]}`);
    this.schedOf[cpu] = s;
    this.poolOf[cpu] = poolId;
    s.initPcpu(cpu, this.clock.now);
    this.tickle(cpu);
  }

  /** Take an idle pCPU out of its pool (schedule_cpu_rm); its units must be gone. */
  releasePcpu(cpu: number): void {
    const s = this.schedOf[cpu];
    if (!s) return;
    if (this.cur[cpu]! >= 0) throw new Error(`pCPU ${cpu} still runs a unit`);
    s.deinitPcpu(cpu, this.clock.now);
    this.schedOf[cpu] = null;
    this.poolOf[cpu] = -1;
    this.clock.cancelIndexed(this.pc[cpu * P_STRIDE + P_TIMER]!);
  }

  // --- units -----------------------------------------------------------------------

  /** Create the unit of a vCPU (sched_init_vcpu); not attached to any scheduler yet. */
  newUnit(v: SchedVcpu, d: SchedDomainRec): Unit {
    const idx = this.latency.alloc();
    this.vt.ensure(idx + 1);
    const b = idx * ROW;
    v.bind(this.vt, b);
    const f = this.vt.f;
    f[b + R_LEFT] = 0;
    f[b + R_WOKE] = -1;
    f.fill(0, b + R_WL, b + R_LAT); // the idle workload's fields
    f[b + R_SCHED] = -1;
    f[b + R_PCPU] = -1;
    f[b + R_UFL] = U_HARD_ALL;
    f[b + R_WTIMER] = -1;
    f[b + R_DMISS] = 0;
    const u = new Unit(v, d, idx, this);
    while (this.units.length <= idx) {
      this.units.push(null);
      this.workloads.push(null);
    }
    this.units[idx] = u;
    this.workloads[idx] = IDLE;
    v.schedPriv = u;
    d.units.push(u);
    return u;
  }

  /** The slot of scheduler `s` in R_SCHED (a free one if it has none), one more unit in it. */
  private slotOf(s: Scheduler): number {
    let k = this.scheds.indexOf(s);
    if (k < 0) {
      k = this.schedUnits.indexOf(0);
      if (k < 0) {
        k = this.scheds.length;
        this.scheds.push(null);
        this.schedUnits.push(0);
      }
      this.scheds[k] = s;
    }
    this.schedUnits[k]!++;
    return k;
  }

  /** One unit fewer in slot `k`; the last one frees it (the pool may be destroyed). */
  private releaseSlot(k: number): void {
    if (--this.schedUnits[k]! === 0) this.scheds[k] = null;
  }

  /** Put a unit into a scheduler whose pool has `poolCpus`; wake it if it can run. */
  attach(u: Unit, s: Scheduler, poolCpus: CpuMask): void {
    const now = this.clock.now;
    const f = this.vt.f;
    const b = u.base;
    f[b + R_SCHED] = this.slotOf(s);
    f[b + R_UFL] = f[b + R_UFL]! & ~U_AWAKE;
    f[b + R_PCPU] = -1;
    // Xen breaks a hard affinity that has no pCPU in the pool (sched_move_domain)
    u.refreshAffinity(poolCpus);
    if (!poolCpus.has(u.processor) || !u.hardOk(u.processor)) {
      let pick = -1;
      for (const c of poolCpus) {
        if (u.hardOk(c)) {
          pick = c;
          break;
        }
      }
      u.processor = pick >= 0 ? pick : 0;
    }
    s.insertUnit(u, now);
    const v = u.vcpu;
    if (v.runnable()) this.wake(u, now);
    else {
      const st = v.blockedByGuest ? 'blocked' : 'offline';
      if (v.runstate !== st) v.setRunstate(st, now);
    }
  }

  /** Take a unit out of its scheduler, descheduling it first if it runs. */
  detach(u: Unit): void {
    const f = this.vt.f;
    const b = u.base;
    const k = u.idx >= 0 ? f[b + R_SCHED]! : -1;
    if (k < 0) return;
    const s = this.scheds[k]!;
    const now = this.clock.now;
    const cpu = f[b + R_PCPU]!;
    if (cpu >= 0) {
      f[b + R_SCHED] = -1; // not runnable any more: the pCPU's schedule drops it
      this.scheduleWith(cpu, now, s);
    } else if (f[b + R_UFL]! & U_AWAKE) {
      s.sleep(u.idx, now);
    }
    f[b + R_SCHED] = -1;
    f[b + R_UFL] = f[b + R_UFL]! & ~U_AWAKE;
    s.removeUnit(u, now);
    this.releaseSlot(k);
    const v = u.vcpu;
    if (v.runstate === 'running') v.setRunstate(v.runnable() ? 'runnable' : v.blockedByGuest ? 'blocked' : 'offline', now);
  }

  /** Give a unit a workload model; it starts at once. */
  setWorkload(u: Unit, spec: WorkloadSpec): void {
    const now = this.clock.now;
    const wl = makeWorkload(spec);
    const f = this.vt.f;
    const b = u.base;
    this.workloads[u.idx] = wl;
    wl.start(f, b + R_WL, now, this.rng);
    const t = f[b + R_WTIMER]!;
    if (t >= 0) this.clock.cancelIndexed(t);
    else f[b + R_WTIMER] = this.clock.newIndexed(this, u.idx);
    f[b + R_LEFT] = workloadBurst(f, b + R_WL, this.rng);
    const cpu = f[b + R_PCPU]!;
    if (cpu >= 0) {
      this.tickle(cpu);
    } else if (u.vcpu.blockedByGuest) {
      u.vcpu.blockedByGuest = false;
      this.wake(u, now);
    }
  }

  /** The workload's wake-up timer of unit `idx` fired. */
  private workloadWake(idx: number, now: STime): void {
    this.depth++;
    const f = this.vt.f;
    const b = idx * ROW;
    f[b + R_NR] = f[b + R_NR]! & ~NR_BLOCKED;
    f[b + R_LEFT] = workloadBurst(f, b + R_WL, this.rng);
    this.wakeIdx(idx, now);
    this.depth--;
    if (this.pendingCount > 0 && this.depth === 0) this.drain(now);
  }

  /** vcpu_wake(). */
  wake(u: Unit, now: STime = this.clock.now): void {
    if (u.idx >= 0) this.wakeIdx(u.idx, now);
  }

  private wakeIdx(idx: number, now: STime): void {
    const f = this.vt.f;
    const b = idx * ROW;
    const k = f[b + R_SCHED]!;
    const fl = f[b + R_UFL]!;
    if (k < 0 || fl & U_AWAKE || f[b + R_NR] !== 0) return;
    f[b + R_UFL] = fl | U_AWAKE;
    this.events++;
    if (f[b + R_PCPU]! >= 0) return; // still on its pCPU: the pending schedule keeps it
    const rs = f[b + R_RS];
    if (rs === RS_BLOCKED) f[b + R_WOKE] = now;
    if (rs !== RS_RUNNABLE) runstateChange(f, b, RS_RUNNABLE, now);
    this.scheds[k]!.wake(idx, now);
  }

  /** vcpu_sleep_nosync(). */
  sleep(u: Unit, now: STime = this.clock.now): void {
    const idx = u.idx;
    if (idx < 0) return;
    const f = this.vt.f;
    const b = idx * ROW;
    const k = f[b + R_SCHED]!;
    const fl = f[b + R_UFL]!;
    if (k < 0 || !(fl & U_AWAKE) || f[b + R_NR] === 0) return;
    f[b + R_UFL] = fl & ~U_AWAKE;
    this.events++;
    const cpu = f[b + R_PCPU]!;
    if (cpu >= 0) {
      this.tickle(cpu);
      return;
    }
    this.scheds[k]!.sleep(idx, now);
    f[b + R_WOKE] = -1;
    runstateChange(f, b, f[b + R_NR]! & NR_BLOCKED ? RS_BLOCKED : RS_OFFLINE, now);
  }

  // --- the dispatch loop -----------------------------------------------------------

  /** schedule(): the pCPU's timer fired or its softirq was raised. */
  schedule(cpu: number, now: STime): void {
    this.depth++;
    this.scheduleWith(cpu, now, this.schedOf[cpu]!);
    this.depth--;
    if (this.pendingCount > 0 && this.depth === 0) this.drain(now);
  }

  private scheduleWith(cpu: number, now: STime, s: Scheduler | null): void {
    this.events++;
    const pc = this.pc;
    const p = cpu * P_STRIDE;
    pc[p + P_SCHED_CALLS]!++;
    const prev = this.cur[cpu]!;
    const f = this.vt.f;
    const pb = prev * ROW;
    if (prev >= 0) {
      const ran = now - pc[p + P_RUN_START]!;
      pc[p + P_BUSY]! += ran;
      const left = f[pb + R_LEFT]! - ran;
      f[pb + R_LEFT] = left;
      if (left < 1 && (f[pb + R_NR]! & NR_BLOCKED) === 0) this.burstDone(prev, now);
    }
    pc[p + P_RUN_START] = now;
    let next = -1;
    let slice = -1;
    let migrating = -1;
    if (s) {
      next = s.doSchedule(cpu, prev, now);
      slice = s.slice;
    }
    if (prev >= 0 && prev !== next) {
      f[pb + R_PCPU] = -1;
      const nr = f[pb + R_NR]!;
      if (f[pb + R_SCHED]! >= 0 && nr === 0) {
        runstateChange(f, pb, RS_RUNNABLE, now);
      } else {
        f[pb + R_UFL] = f[pb + R_UFL]! & ~U_AWAKE;
        runstateChange(f, pb, nr & NR_BLOCKED ? RS_BLOCKED : RS_OFFLINE, now);
        if (nr & NR_MIGRATING) migrating = prev;
      }
    }
    const nb = next * ROW;
    if (next >= 0 && next !== prev) {
      this.cur[cpu] = next;
      f[nb + R_PCPU] = cpu;
      f[nb + R_PROC] = cpu;
      runstateChange(f, nb, RS_RUNNING, now);
      pc[p + P_CTX_SWITCHES]!++;
      const woke = f[nb + R_WOKE]!;
      if (woke >= 0) {
        const lat = now - woke;
        this.latency.record(next, lat);
        this.pcpuLatency.record(cpu, lat);
        f[nb + R_WOKE] = -1;
      }
    } else if (next < 0) {
      this.cur[cpu] = -1;
    }
    // whole nanoseconds, at least one ahead: the loop always makes progress
    let when = slice >= 0 ? now + Math.max(Math.ceil(slice), 1) : Infinity;
    if (next >= 0) {
      const done = now + Math.max(Math.ceil(f[nb + R_LEFT]!), 1);
      if (done < when) when = done;
    }
    const t = pc[p + P_TIMER]!;
    if (when === Infinity || !s) this.clock.cancelIndexed(t);
    else this.clock.setIndexed(t, when);
    // unit_context_saved(): a unit switched out while migrating moves now (unit-migrate.ts)
    if (migrating >= 0) migrateFinish(this, this.units[migrating]!, now);
  }

  /** The running unit's burst is complete: it blocks, or starts its next burst. */
  private burstDone(idx: number, now: STime): void {
    const f = this.vt.f;
    const b = idx * ROW;
    const i = b + R_WL;
    const d = workloadBurstEnd(f, i, now, this.rng, this.workloads[idx]!);
    if (d <= 0) {
      f[b + R_LEFT] = workloadBurst(f, i, this.rng);
      return;
    }
    f[b + R_NR] = f[b + R_NR]! | NR_BLOCKED;
    const t = f[b + R_WTIMER]!;
    if (d !== Infinity && t >= 0) this.clock.setIndexed(t, now + Math.max(Math.round(d), 1));
  }

  // --- metrics ---------------------------------------------------------------------

  pcpuBusy(cpu: number, now: STime = this.clock.now): number {
    const p = cpu * P_STRIDE;
    return this.pc[p + P_BUSY]! + (this.cur[cpu]! >= 0 ? now - this.pc[p + P_RUN_START]! : 0);
  }

  pcpuMetrics(cpu: number): PcpuSchedMetrics {
    const now = this.clock.now;
    const busy = this.pcpuBusy(cpu, now);
    return {
      cpu,
      poolId: this.poolOf[cpu]!,
      busyNs: busy,
      utilisation: now > 0 ? busy / now : 0,
      contextSwitches: this.pc[cpu * P_STRIDE + P_CTX_SWITCHES]!,
      scheduleCalls: this.pc[cpu * P_STRIDE + P_SCHED_CALLS]!,
      wakeLatency: this.pcpuLatency.summary(cpu),
    };
  }

  /** Reset the counters (not the runstate times) to measure from now on. */
  resetLatency(units: Iterable<Unit>): void {
    for (const u of units) this.latency.reset(u.idx);
  }

  /** Add a unit's wake-up latencies to `into` (a domain's or a pool's sum). */
  mergeLatency(u: Unit, into: LatencyStats): void {
    this.latency.mergeInto(u.idx, into);
  }

  /** The unit is gone for good (its domain was destroyed): release its rows. */
  freeUnit(u: Unit): void {
    if (u.idx < 0) return;
    const f = this.vt.f;
    const b = u.base;
    const t = f[b + R_WTIMER]!;
    if (t >= 0) this.clock.freeIndexed(t);
    f[b + R_WTIMER] = -1;
    // the row may be reused: the vCPU and this unit keep copies of their own
    const own = new VcpuTable(1);
    own.f.set(f.subarray(b, b + ROW));
    this.latency.free(u.idx);
    this.units[u.idx] = null;
    this.workloads[u.idx] = null;
    u.vcpu.unbind();
    u.tab = own;
    u.base = 0;
    u.idx = -1;
  }

  unitMetrics(u: Unit): VcpuSchedMetrics {
    const now = this.clock.now;
    const info = (u.vcpu as SchedVcpu & { runstateInfo?: (n: STime) => { time: VcpuSchedMetrics['runstate'] } }).runstateInfo?.(now);
    const rs = info?.time ?? { running: 0, runnable: 0, blocked: 0, offline: 0 };
    return {
      domid: u.domid,
      vcpu: u.vcpuId,
      cpu: u.processor,
      cpuTime: rs.running,
      runstate: rs,
      wakeLatency: this.latency.summary(u.idx),
      deadlineMisses: u.deadlineMisses,
      jobMisses: workloadJobMisses(u.tab.f, u.base + R_WL),
    };
  }
}
