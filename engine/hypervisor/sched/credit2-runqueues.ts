/**
 * Credit2's state and its runqueue arrangement (xen/common/sched/credit2.c: struct
 * csched2_private, cpu_add_to_runqueue(), init_pdata/deinit_pdata): which runqueue each
 * pCPU belongs to (credit2_runqueue=cpu|core|socket|node|all, at most max_cpus_runqueue
 * pCPUs each, siblings together), the per-pCPU idle/tickled/current sets, and the unit
 * table. The layers above it (load, credits, budget, balance, tickle, then the scheduler
 * in credit2.ts) are one concept each; they share this state.
 */
import { MICROSECS, type STime, type Clock } from '../clock';
import type { Topology } from '../topology';
import type { Unit } from './core';
import { Runq, RunqLoads } from './credit2-runq';
import { C2Dom, C2UnitRef, C2Units } from './credit2-units';
import { SCHED_DEFAULT_RATELIMIT_US, XEN_SCHEDULER_ID, type SchedCoreApi } from './scheduler';
import {
  C2,
  F,
  I,
  MAX_CPUS_RUNQ,
  RQ,
  type Credit2Options,
  type Credit2RunqueueKind,
} from './credit2-layout';

const byNumber = (a: number, b: number): number => a - b;

export abstract class Credit2Runqueues {
  readonly name = 'credit2';
  readonly id = XEN_SCHEDULER_ID.credit2;
  /** How long the unit do_schedule picked may run (csched2_runtime), -1 for idle. */
  slice: STime = -1;
  ratelimitUs: number;
  readonly runqueueKind: Credit2RunqueueKind;
  readonly maxCpusRunqueue: number;
  protected readonly rqs: Runq[] = [];
  /** The slots of `rqs`, in the same order (balance_load walks these). */
  protected readonly rqSlots: number[] = [];
  protected readonly rqBySlot: (Runq | null)[] = [];
  protected readonly rqByKey = new Map<string, Runq>();
  protected readonly rqOf: (Runq | null)[];
  /** Per pCPU: its runqueue's slot, -1 when it has none. */
  protected readonly rqSlotOf: Int32Array;
  /** Per pCPU: idle (rqd->idle), tickled (rqd->tickled). */
  protected readonly idleCpu: Uint8Array;
  protected readonly tickledCpu: Uint8Array;
  /** Per pCPU: the idx of the unit it runs, -1 when idle (curr_on_cpu(), as this scheduler last handed it out). */
  protected readonly curIdx: Int32Array;
  /**
   * Per pCPU: when its current unit started running (that unit's F.RUN_START, which does
   * not change while it runs). runq_tickle's ratelimit test reads it for every busy pCPU
   * of the runqueue and most of them stop there: 16 pCPUs' values are two cache lines
   * instead of 16 units' records.
   */
  protected readonly curRunStart: Float64Array;
  protected ratelimitNs: number;
  protected readonly doms = new Set<C2Dom>();
  protected readonly t = new C2Units(F.STRIDE);
  /** The table's views (refreshed when it grows, in insertUnit). */
  protected ti = this.t.i;
  protected tf = this.t.f;
  protected readonly rqLoads = new RunqLoads(RQ.STRIDE);
  /** Runqueue load balancing moves done (for metrics/tests). */
  migrations = 0;
  /** balance_load's push candidates, in list order. */
  protected readonly pushes: number[] = [];
  /** balance_load's pull candidates, by avgload, their avgloads and their list positions. */
  protected readonly pulls: number[] = [];
  protected pullKeys = new Float64Array(64);
  protected pullPos = new Int32Array(64);
  /** The unit the current do_schedule picked, while it runs reset_credit and balance_load. */
  protected scheduledNext = -1;
  protected scheduledCpu = -1;
  /** The pCPU whose schedule is ending in context_saved(), and the unit it now runs (-1: idle). */
  protected switchedCpu = -1;
  protected switchedTo = -1;

  constructor(
    protected readonly core: SchedCoreApi,
    protected readonly clock: Clock,
    protected readonly topo: Topology,
    opts: Credit2Options = {},
  ) {
    this.ratelimitUs = opts.ratelimitUs ?? SCHED_DEFAULT_RATELIMIT_US;
    this.runqueueKind = opts.runqueue ?? 'socket';
    this.maxCpusRunqueue = opts.maxCpusRunqueue ?? MAX_CPUS_RUNQ;
    this.rqOf = new Array<Runq | null>(core.nrCpus).fill(null);
    this.rqSlotOf = new Int32Array(core.nrCpus).fill(-1);
    this.idleCpu = new Uint8Array(core.nrCpus);
    this.tickledCpu = new Uint8Array(core.nrCpus);
    this.curIdx = new Int32Array(core.nrCpus).fill(-1);
    this.curRunStart = new Float64Array(core.nrCpus);
    this.ratelimitNs = MICROSECS(this.ratelimitUs);
  }

  protected setIdle(rq: Runq, cpu: number, idle: boolean): void {
    const v = idle ? 1 : 0;
    if (this.idleCpu[cpu] === v) return;
    this.idleCpu[cpu] = v;
    rq.nIdle += idle ? 1 : -1;
  }

  /** The unit may run on `cpu` (hard affinity; the flag spares the mask test). */
  protected hardOk(idx: number, cpu: number): boolean {
    return (this.ti[idx * I.STRIDE + I.FLAGS]! & C2.HARD_ALL) !== 0 || this.t.unit[idx]!.hardOk(cpu);
  }

  /** Which runqueue a pCPU belongs to: the topology group, split evenly under the cap. */
  protected rqKey(cpu: number): string {
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
      const slot = this.rqLoads.alloc();
      this.rqLoads.f[slot * RQ.STRIDE + RQ.LOAD_LAST_UPDATE] = now;
      rq = new Runq(this.rqs.length, key, slot, this.t.unit);
      // rqd->pick_bias starts at the runqueue's first pCPU (cpu_add_to_runqueue)
      rq.pickBias = cpu;
      this.rqs.push(rq);
      this.rqSlots.push(slot);
      while (this.rqBySlot.length <= slot) this.rqBySlot.push(null);
      this.rqBySlot[slot] = rq;
      this.rqByKey.set(key, rq);
    }
    rq.cpus.push(cpu);
    rq.cpus.sort(byNumber);
    this.setIdle(rq, cpu, true);
    this.rqOf[cpu] = rq;
    this.rqSlotOf[cpu] = rq.slot;
  }

  deinitPcpu(cpu: number): void {
    const rq = this.rqOf[cpu];
    if (!rq) return;
    rq.cpus.splice(rq.cpus.indexOf(cpu), 1);
    this.setIdle(rq, cpu, false);
    this.tickledCpu[cpu] = 0;
    this.rqOf[cpu] = null;
    this.rqSlotOf[cpu] = -1;
    this.curIdx[cpu] = -1;
    if (rq.cpus.length === 0) {
      if (rq.svc.length > 0) throw new Error(`credit2: runqueue ${rq.id} still has units`);
      const i = this.rqs.indexOf(rq);
      this.rqs.splice(i, 1);
      this.rqSlots.splice(i, 1);
      this.rqBySlot[rq.slot] = null;
      this.rqLoads.free(rq.slot);
      this.rqByKey.delete(rq.key);
    }
  }

  /** The arrangement and each runqueue's pCPUs, read without touching the load averages. */
  arrangement(): { kind: Credit2RunqueueKind; maxCpusRunqueue: number; runqueues: { id: number; cpus: number[] }[] } {
    return { kind: this.runqueueKind, maxCpusRunqueue: this.maxCpusRunqueue, runqueues: this.rqs.map((rq) => ({ id: rq.id, cpus: [...rq.cpus] })) };
  }

  runqueueOf(cpu: number): number {
    return this.rqOf[cpu]?.id ?? -1;
  }

  /** The unit's row in this scheduler's table, -1 if it has none (never inserted here). */
  protected rowOf(u: Unit): number {
    const ref = u.priv;
    return ref instanceof C2UnitRef && ref.units === this.t ? ref.idx : -1;
  }

  protected readonly rqdOfIdx = (idx: number): Runq | null => {
    const s = this.ti[idx * I.STRIDE + I.RQD]!;
    return s >= 0 ? this.rqBySlot[s]! : null;
  };
}
