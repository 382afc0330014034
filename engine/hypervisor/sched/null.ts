/**
 * The null scheduler (xen/common/sched/null.c, since 4.9).
 *
 * How it works, in plain words:
 *
 * - Each pCPU runs either nothing or always the same vCPU: vCPUs are assigned to pCPUs
 *   1:1 and statically, so there is no time slicing, no preemption and no scheduling
 *   overhead — the point for static partitioning and embedded setups.
 * - When a vCPU joins, it is given a free pCPU its hard affinity allows (its own
 *   processor first, then soft-affine ones). If there is none, it waits in a FIFO wait
 *   queue without running at all.
 * - When a vCPU leaves (its domain is destroyed or moves pool), its pCPU becomes free
 *   and the first waiting vCPU that may run there takes it.
 * - A pCPU whose vCPU is blocked stays idle: nobody else runs there.
 * - There are no per-domain or per-pool parameters.
 */
import type { STime } from '../clock';
import { XenError } from '../errno';
import { withRoomFor } from './unit-map';
import type { SchedDomainRec, Unit } from './core';
import { removeAt } from './queue';
import { nullDump } from './null-dump';
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

export class NullScheduler implements Scheduler {
  readonly name = 'null';
  readonly id = XEN_SCHEDULER_ID.null;
  slice: STime = -1;
  private readonly cpus = new Set<number>();
  /** The unit (idx) each pCPU is assigned to, -1 for none. */
  private readonly assigned: Int32Array;
  /** By unit idx: the pCPU it is assigned to, -1 while in the wait queue. */
  private cpuOf = new Int32Array(64).fill(-1);
  readonly waitq: Unit[] = [];

  constructor(private readonly core: SchedCoreApi) {
    this.assigned = new Int32Array(core.nrCpus).fill(-1);
  }

  initPcpu(cpu: number): void {
    this.cpus.add(cpu);
    this.assigned[cpu] = -1;
    this.fillFromWaitq(cpu);
  }

  deinitPcpu(cpu: number): void {
    if (this.assigned[cpu]! >= 0) throw new Error(`null: pCPU ${cpu} still has a unit`);
    this.cpus.delete(cpu);
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

  insertUnit(u: Unit): void {
    this.cpuOf = withRoomFor(this.cpuOf, u.idx);
    this.cpuOf[u.idx] = -1;
    const cpu = this.pickCpu(u);
    if (cpu >= 0 && this.assigned[cpu] === -1) this.assign(u, cpu);
    else this.waitq.push(u);
  }

  removeUnit(u: Unit): void {
    const cpu = this.cpuOf[u.idx]!;
    if (cpu < 0) {
      this.waitq.splice(this.waitq.indexOf(u), 1);
      return;
    }
    this.assigned[cpu] = -1;
    this.cpuOf[u.idx] = -1;
    this.fillFromWaitq(cpu);
  }

  private assign(u: Unit, cpu: number): void {
    this.assigned[cpu] = u.idx;
    this.cpuOf[u.idx] = cpu;
    u.processor = cpu;
  }

  private fillFromWaitq(cpu: number): void {
    if (!this.cpus.has(cpu) || this.assigned[cpu]! >= 0) return;
    const i = this.waitq.findIndex((w) => w.hardOk(cpu));
    if (i < 0) return;
    const u = removeAt(this.waitq, i);
    this.assign(u, cpu);
    this.core.tickle(cpu);
  }

  /** A free pCPU the unit may use: its own, then soft-affine, then any; -1 if none. */
  pickCpu(u: Unit): number {
    const own = u.processor;
    if (this.cpus.has(own) && u.hardOk(own) && this.assigned[own] === -1) return own;
    let hard = -1;
    for (const c of this.cpus) {
      if (this.assigned[c] !== -1 || !u.hardOk(c)) continue;
      if (!u.hasSoft || u.softOk(c)) return c;
      if (hard < 0) hard = c;
    }
    return hard;
  }

  wake(idx: number): void {
    const cpu = this.cpuOf[idx]!;
    if (cpu >= 0) this.core.tickle(cpu);
  }

  sleep(idx: number): void {
    const cpu = this.cpuOf[idx]!;
    if (cpu >= 0 && this.core.pcpuOf(idx) >= 0) this.core.tickle(cpu);
  }

  doSchedule(cpu: number): number {
    this.slice = -1;
    const i = this.assigned[cpu]!;
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
    return nullDump(ctx, { cpus: this.cpus, assignedTo: (c) => this.assignedTo(c), waiting: (u) => this.cpuOf[u.idx]! < 0, waitq: this.waitq });
  }
}
