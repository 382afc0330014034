/**
 * The null scheduler (xen/common/sched/null.c, since 4.9).
 *
 * How it works, in plain words:
 *
 * - Each pCPU runs either nothing or always the same vCPU: vCPUs are assigned to pCPUs
 *   1:1 and statically, so there is no time slicing, no preemption and no scheduling
 *   overhead — the point for static partitioning and embedded setups.
 * - When a vCPU joins (or comes online), it is given a free pCPU its hard affinity
 *   allows: among its soft-affine pCPUs first when it has a soft affinity, its own
 *   processor if free, else the lowest-numbered free one (pick_res). If there is none,
 *   it waits in a FIFO wait queue without running at all. An offline vCPU has no pCPU
 *   and does not wait.
 * - When a vCPU leaves (its domain is destroyed or moves pool, or it goes offline), its
 *   pCPU becomes free and the first waiting vCPU soft-affine to it, else the first that
 *   may run there, takes it.
 * - A pCPU whose vCPU is blocked stays idle: nobody else runs there.
 * - There are no per-domain or per-pool parameters.
 *
 * Where this differs from Xen 4.17's null.c, on purpose:
 * - A pCPU leaves a pool only without a unit (deinitPcpu): the pool's units step out
 *   and come back (cpupool.ts reshape) instead of null_unit_migrate()'s moves.
 * - A unit that goes offline while running is deassigned by its pCPU's schedule (the
 *   core does not call sleep for a running unit); Xen does it in null_unit_sleep just
 *   before. No tasklet work, no trylock that fails (one thread).
 */
import type { STime } from '../clock';
import type { Rng } from '../rng';
import { XenError } from '../errno';
import { withRoomFor } from './unit-map';
import type { SchedDomainRec, Unit } from './core';
import { removeAt } from './queue';
import { nullDump } from './null-dump';
import { CpuBits } from './cpu-bits';
import { NR_DOWN, R_NR, ROW, type VcpuTable } from '../vcpu-table';
import {
  XEN_SCHEDULER_ID,
  type DomainSchedOp,
  type DomainSchedResult,
  type PoolSchedOp,
  type PoolSchedParams,
  type SchedCoreApi,
  type SchedDump,
  type SchedDumpContext,
  type Scheduler,
} from './scheduler';

/** is_unit_online(): the vCPU is not down (Xen's _VPF_down: the row's NR_DOWN). */
const isOnline = (u: Unit): boolean => (u.vcpu.table.f[u.vcpu.rowBase + R_NR]! & NR_DOWN) === 0;

export class NullScheduler implements Scheduler {
  readonly name = 'null';
  readonly id = XEN_SCHEDULER_ID.null;
  slice: STime = -1;
  private readonly cpus = new Set<number>();
  private readonly inPool: Uint8Array;
  /** The unit (idx) each pCPU is assigned to (npc->unit), -1 for none. */
  private readonly assigned: Int32Array;
  /** prv->cpus_free: the pool's pCPUs with no unit assigned. */
  private readonly free: CpuBits;
  /** By unit idx: the pCPU it is assigned to, -1 for none (waiting, or offline). */
  private cpuOf = new Int32Array(64).fill(-1);
  /** By unit idx: 1 while on the wait queue (waitq_elem not empty). */
  private onWaitq = new Int32Array(64);
  readonly waitq: Unit[] = [];
  /** The host's vCPU rows (every unit's vCPU is bound to them), to test a unit's NR_DOWN by idx. */
  private rows: VcpuTable | null = null;

  /** The pool's pCPUs in cpu order (cpumask_any's walk), made again after a change. */
  private sortedCpus: number[] | null = null;

  constructor(
    private readonly core: SchedCoreApi,
    private readonly rng: Rng,
  ) {
    this.assigned = new Int32Array(core.nrCpus).fill(-1);
    this.inPool = new Uint8Array(core.nrCpus);
    this.free = new CpuBits(core.nrCpus);
  }

  /** init_pdata(): free, nothing assigned; its first schedule looks at the wait queue. */
  initPcpu(cpu: number): void {
    this.cpus.add(cpu);
    this.sortedCpus = null;
    this.inPool[cpu] = 1;
    this.assigned[cpu] = -1;
    this.free.add(cpu);
  }

  deinitPcpu(cpu: number): void {
    if (this.assigned[cpu]! >= 0) throw new Error(`null: pCPU ${cpu} still has a unit`);
    this.cpus.delete(cpu);
    this.sortedCpus = null;
    this.inPool[cpu] = 0;
    this.free.delete(cpu);
  }

  insertDomain(d: SchedDomainRec): void {
    d.priv ??= {};
  }

  removeDomain(): void {}

  /** Which vCPU a pCPU is assigned to (for vcpu-list / tests). */
  assignedTo(cpu: number): Unit | null {
    const i = this.assigned[cpu]!;
    return i >= 0 ? this.core.unit(i) : null;
  }

  /**
   * null_unit_insert(): an offline unit is neither assigned nor queued (it is when it
   * comes online: null_unit_wake). Otherwise pick_res(); the pCPU it gives is taken if
   * free (pick_res gives a free one whenever the unit's affinity has one), else the unit
   * waits at the tail of the wait queue.
   */
  insertUnit(u: Unit): void {
    this.cpuOf = withRoomFor(this.cpuOf, u.idx);
    this.onWaitq = withRoomFor(this.onWaitq, u.idx);
    this.cpuOf[u.idx] = -1;
    this.onWaitq[u.idx] = 0;
    this.rows = u.vcpu.table;
    if (!isOnline(u)) return;
    const cpu = this.pickCpu(u);
    if (cpu < 0) {
      this.waitqAdd(u);
      return;
    }
    u.processor = cpu;
    if (this.assigned[cpu] === -1) this.assign(u.idx, cpu);
    else this.waitqAdd(u);
  }

  /** null_unit_remove(): out of the wait queue, or unit_deassign() from its pCPU. */
  removeUnit(u: Unit): void {
    if (this.onWaitq[u.idx] === 1) {
      this.waitqRemove(u);
      return;
    }
    const cpu = this.cpuOf[u.idx]!;
    if (cpu >= 0) this.deassign(u.idx, cpu, true);
  }

  /** unit_assign(). */
  private assign(idx: number, cpu: number): void {
    this.assigned[cpu] = idx;
    this.cpuOf[idx] = cpu;
    this.free.delete(cpu);
    this.core.setProcessor(idx, cpu);
  }

  /**
   * unit_deassign(): the pCPU is free, and the first waiting unit that may run there
   * takes it — scanning the wait queue twice, first for a unit soft-affine to it, then
   * for any its hard affinity allows — and the pCPU is tickled (when `tickle`; from
   * doSchedule the pCPU is scheduling already). True when a unit took it.
   */
  private deassign(idx: number, cpu: number, tickle: boolean): boolean {
    this.assigned[cpu] = -1;
    this.cpuOf[idx] = -1;
    this.free.add(cpu);
    const w = this.waitqTake(cpu);
    if (w === null) return false;
    this.assign(w.idx, cpu);
    if (tickle) this.core.tickle(cpu);
    return true;
  }

  private waitqAdd(u: Unit): void {
    this.waitq.push(u);
    this.onWaitq[u.idx] = 1;
  }

  private waitqRemove(u: Unit): void {
    this.waitq.splice(this.waitq.indexOf(u), 1);
    this.onWaitq[u.idx] = 0;
  }

  /**
   * The first waiting unit for `cpu` (unit_check_affinity, for_each_affinity_balance_step:
   * soft affinity first, for units that have one, then hard), taken off the queue.
   */
  private waitqTake(cpu: number): Unit | null {
    const q = this.waitq;
    if (q.length === 0 || this.inPool[cpu] !== 1) return null;
    let i = q.findIndex((w) => w.hasSoft && w.softOk(cpu));
    if (i < 0) i = q.findIndex((w) => w.hardOk(cpu));
    if (i < 0) return null;
    const u = removeAt(q, i);
    this.onWaitq[u.idx] = 0;
    return u;
  }

  /**
   * pick_res(): per balance step (soft affinity, when the unit has one; then hard), the
   * unit's own pCPU if it is free (or the unit's) and in the step's mask, else the first
   * free pCPU of the mask. With none free, cpumask_any() of the pool's pCPUs the hard
   * affinity allows: a random one (anyAllowed). -1 when there is none.
   */
  pickCpu(u: Unit): number {
    const own = u.processor;
    const ownFree = this.inPool[own] === 1 && (this.assigned[own] === -1 || this.assigned[own] === u.idx);
    if (u.hasSoft) {
      if (ownFree && u.softOk(own)) return own;
      const c = this.firstFree((c) => u.softOk(c));
      if (c >= 0) return c;
    }
    if (ownFree && u.hardOk(own)) return own;
    const c = u.hardAll ? this.free.firstFrom(0) : this.firstFree((c) => u.hardOk(c));
    if (c >= 0) return c;
    return this.anyAllowed(u);
  }

  /**
   * cpumask_any() (xen/include/xen/cpumask.h, 4.17) of the pool's pCPUs the unit's hard
   * affinity allows: with more than one, the (get_random() % weight)-th in cpu order,
   * drawn from the host's seeded Rng (Xen's get_random()); with one, that one and no draw.
   */
  private anyAllowed(u: Unit): number {
    const sorted = (this.sortedCpus ??= [...this.cpus].sort((a, b) => a - b));
    const ok = u.hardAll ? sorted : sorted.filter((c) => u.hardOk(c));
    if (ok.length <= 1) return ok.length === 1 ? ok[0]! : -1;
    return ok[this.rng.u32() % ok.length]!;
  }

  /**
   * null_unit_migrate(): nothing if `cpu` is its processor already. Else its pCPU, if it
   * has one, is freed (unit_deassign: a waiting unit may take it). An offline unit stays
   * unassigned and off the wait queue; an online one takes `cpu` if free and its hard
   * affinity allows it, else waits (where it was on the wait queue, or at its tail).
   * Its processor becomes `cpu` in any case.
   */
  migrateUnit(u: Unit, cpu: number): void {
    const idx = u.idx;
    if (u.processor === cpu) return;
    const own = this.cpuOf[idx]!;
    if (own >= 0) this.deassign(idx, own, true);
    if (!isOnline(u)) {
      if (this.onWaitq[idx] === 1) this.waitqRemove(u);
    } else if (this.assigned[cpu] === -1 && this.inPool[cpu] === 1 && u.hardOk(cpu)) {
      if (this.onWaitq[idx] === 1) this.waitqRemove(u);
      this.assign(idx, cpu);
    } else if (this.onWaitq[idx] === 0) {
      this.waitqAdd(u);
    }
    u.processor = cpu;
  }

  /** cpumask_first() of the free pCPUs that `ok` allows. */
  private firstFree(ok: (cpu: number) => boolean): number {
    for (let c = this.free.firstFrom(0); c >= 0; ) {
      if (ok(c)) return c;
      const n = c + 1 < this.core.nrCpus ? this.free.firstFrom(c + 1) : -1;
      if (n <= c) return -1;
      c = n;
    }
    return -1;
  }

  /**
   * null_unit_wake(). The core calls it only for a unit not on its pCPU. Assigned: its
   * pCPU is tickled. Waiting: nothing. Neither (it was offline and comes back): its own
   * pCPU if free and its affinities allow it, else the wait queue, and every free pCPU
   * it may use is tickled (the first to schedule takes a waiting unit).
   */
  wake(idx: number): void {
    if (this.onWaitq[idx] === 1) return;
    const cpu = this.cpuOf[idx]!;
    if (cpu >= 0) {
      this.core.tickle(cpu);
      return;
    }
    const u = this.core.unit(idx);
    const own = u.processor;
    if (this.inPool[own] === 1 && this.assigned[own] === -1 && u.hardOk(own) && (!u.hasSoft || u.softOk(own))) {
      this.assign(idx, own);
      this.core.tickle(own);
      return;
    }
    this.waitqAdd(u);
    for (let c = this.free.firstFrom(0); c >= 0; ) {
      if (u.hardOk(c)) this.core.tickle(c);
      const n = c + 1 < this.core.nrCpus ? this.free.firstFrom(c + 1) : -1;
      if (n <= c) break;
      c = n;
    }
  }

  /**
   * null_unit_sleep(): a unit going offline leaves the wait queue or its pCPU
   * (unit_deassign). The core calls it only for a unit not running; one running is
   * dropped by its pCPU's doSchedule.
   */
  sleep(idx: number): void {
    const u = this.core.unit(idx);
    if (isOnline(u)) return;
    if (this.onWaitq[idx] === 1) this.waitqRemove(u);
    else if (this.cpuOf[idx]! >= 0) this.deassign(idx, this.cpuOf[idx]!, true);
  }

  /**
   * null_schedule(): the unit assigned to the pCPU if it can run, else idle. A pCPU with
   * none assigned (new in the pool, or tickled for a unit back online) takes the first
   * waiting unit it may run (soft affinity first). A unit that went offline while
   * running is deassigned here (Xen: in null_unit_sleep, before this schedule).
   */
  doSchedule(cpu: number): number {
    this.slice = -1;
    let i = this.assigned[cpu]!;
    // (the row's flags, which runnable() has just read: no object of the unit touched)
    if (i >= 0 && !this.core.runnable(i) && (this.rows!.f[i * ROW + R_NR]! & NR_DOWN) !== 0) {
      this.deassign(i, cpu, false);
      i = this.assigned[cpu]!;
    }
    if (i < 0 && this.waitq.length > 0) {
      const w = this.waitqTake(cpu);
      if (w !== null) {
        this.assign(w.idx, cpu);
        i = w.idx;
      }
    }
    return i >= 0 && this.core.runnable(i) ? i : -1;
  }

  adjustDomain(_d: SchedDomainRec, op: DomainSchedOp): DomainSchedResult {
    if (op.cmd === 'getinfo') return { params: {} };
    throw new XenError('EINVAL', 'the null scheduler has no parameters');
  }

  adjustGlobal(op: PoolSchedOp): PoolSchedParams {
    if (op.cmd === 'putinfo' && Object.values(op.params).some((v) => v !== undefined)) {
      throw new XenError('EINVAL', 'the null scheduler has no parameters');
    }
    return {};
  }

  /** null_dump() and null_dump_pcpu() (null-dump.ts), reading the state as it is. */
  dump(ctx: SchedDumpContext): SchedDump {
    return nullDump(ctx, { cpus: this.cpus, assignedTo: (c) => this.assignedTo(c), waiting: (u) => this.onWaitq[u.idx] === 1, waitq: this.waitq });
  }
}
