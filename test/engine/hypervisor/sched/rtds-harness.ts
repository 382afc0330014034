/**
 * RtdsScheduler alone, driven step by step: a core of a few pCPUs that does what the
 * real one (sched/core.ts) does around the scheduler's hooks, and records every
 * SCHEDULE_SOFTIRQ raised (the tickles). Lets a test set up the exact state rt.c's
 * functions decide on and check the decision.
 */
import { CpuMask } from '../../../../engine/hypervisor/cpumask';
import { Clock, MICROSECS, type STime } from '../../../../engine/hypervisor/clock';
import type { SchedDomainRec, Unit } from '../../../../engine/hypervisor/sched/core';
import { RtdsScheduler } from '../../../../engine/hypervisor/sched/rtds';
import { F_CUR_BUDGET, F_CUR_DEADLINE, F_LAST_START, F_STRIDE, RT_DEPLETED, type RtUnits } from '../../../../engine/hypervisor/sched/rt-units';
import type { SchedCoreApi } from '../../../../engine/hypervisor/sched/scheduler';
import { VcpuTable } from '../../../../engine/hypervisor/vcpu-table';

interface FakeUnit {
  idx: number;
  priv: unknown;
  processor: number;
  deadlineMisses: number;
  hard: CpuMask | null;
  hardOk(cpu: number): boolean;
  vcpu: { hardAffinity: CpuMask };
}

export class RtHarness implements SchedCoreApi {
  readonly clock = new Clock();
  /** The units' rows (RTDS keeps its records in their private regions). */
  readonly vt: VcpuTable;
  readonly s: RtdsScheduler;
  readonly cur: number[];
  readonly units: FakeUnit[] = [];
  private readonly isRunnable: boolean[] = [];
  private readonly isAwake: boolean[] = [];
  private readonly onCpu: number[] = [];
  readonly dom: SchedDomainRec;
  /** The pCPUs tickled, in order (cleared by takeTickles). */
  tickles: number[] = [];

  constructor(
    readonly nrCpus: number,
    nUnits: number,
  ) {
    this.cur = new Array<number>(nrCpus).fill(-1);
    this.vt = new VcpuTable(nUnits);
    this.s = new RtdsScheduler(this, this.clock);
    for (let c = 0; c < nrCpus; c++) this.s.initPcpu(c);
    this.dom = { domid: 1, units: [], priv: null } as unknown as SchedDomainRec;
    this.s.insertDomain(this.dom);
    for (let i = 0; i < nUnits; i++) {
      const u: FakeUnit = {
        idx: i,
        priv: null,
        processor: 0,
        deadlineMisses: 0,
        hard: null,
        hardOk(cpu) {
          return this.hard === null || this.hard.has(cpu);
        },
        get vcpu() {
          return { hardAffinity: u.hard ?? CpuMask.all(nrCpus) };
        },
      };
      this.units.push(u);
      this.isRunnable.push(false);
      this.isAwake.push(false);
      this.onCpu.push(-1);
      (this.dom.units as unknown as FakeUnit[]).push(u);
      this.s.insertUnit(u as unknown as Unit, 0);
    }
    this.tickles = [];
  }

  // --- SchedCoreApi ---
  currIdx(cpu: number): number {
    return this.cur[cpu]!;
  }
  unit(idx: number): Unit {
    return this.units[idx] as unknown as Unit;
  }
  runnable(idx: number): boolean {
    return this.isRunnable[idx]!;
  }
  pcpuOf(idx: number): number {
    return this.onCpu[idx]!;
  }
  awake(idx: number): boolean {
    return this.isAwake[idx]!;
  }
  processor(idx: number): number {
    return this.units[idx]!.processor;
  }
  setProcessor(idx: number, cpu: number): void {
    this.units[idx]!.processor = cpu;
  }
  hardAll(idx: number): boolean {
    return this.units[idx]!.hard === null;
  }
  hasSoft(): boolean {
    return false;
  }
  hardOk(idx: number, cpu: number): boolean {
    return this.units[idx]!.hardOk(cpu);
  }
  tickle(cpu: number): void {
    this.tickles.push(cpu);
  }
  deadlineMiss(idx: number): void {
    this.units[idx]!.deadlineMisses++;
  }
  now(): STime {
    return this.clock.now;
  }

  // --- driving ---
  /** Per-vCPU parameters, µs. */
  params(idx: number, periodUs: number, budgetUs: number, extratime: boolean): void {
    this.s.adjustDomain(this.dom, { cmd: 'putvcpuinfo', vcpus: [{ vcpu: idx, period: periodUs, budget: budgetUs, extratime }] });
  }

  /** Pin unit idx to these pCPUs. */
  pin(idx: number, cpus: number[]): void {
    this.units[idx]!.hard = CpuMask.of(this.nrCpus, cpus);
  }

  /** vcpu_wake() of a unit not on a pCPU. */
  wake(idx: number): void {
    this.isRunnable[idx] = true;
    this.isAwake[idx] = true;
    if (this.onCpu[idx]! < 0) this.s.wake(idx, this.clock.now);
  }

  /** vcpu_sleep_nosync(): a running unit's pCPU is tickled, as the core does. */
  block(idx: number): void {
    this.isRunnable[idx] = false;
    this.isAwake[idx] = false;
    const cpu = this.onCpu[idx]!;
    if (cpu >= 0) this.tickle(cpu);
    else this.s.sleep(idx);
  }

  /** schedule() on a pCPU at the current time: returns the unit it now runs (-1 idle). */
  schedule(cpu: number): number {
    const prev = this.cur[cpu]!;
    const next = this.s.doSchedule(cpu, prev, this.clock.now);
    if (prev >= 0 && prev !== next) this.onCpu[prev] = -1;
    if (next >= 0) {
      this.onCpu[next] = cpu;
      this.units[next]!.processor = cpu;
    }
    this.cur[cpu] = next;
    return next;
  }

  /** Advance the clock to `us` µs (the replenishment timer fires on the way). */
  at(us: number): void {
    this.clock.runUntil(MICROSECS(us));
  }

  takeTickles(): number[] {
    const t = this.tickles;
    this.tickles = [];
    return t;
  }

  /** A unit's struct rt_unit fields (what debug-key 'r' prints): cur_budget, cur_deadline (ns), priority_level, RTDS_depleted. */
  state(idx: number): { curB: number; curD: number; lastStart: number; level: number; depleted: boolean } {
    const t = (this.s as unknown as { units: RtUnits }).units;
    const r = this.units[idx]!.priv as number;
    return {
      curB: t.f[r * F_STRIDE + F_CUR_BUDGET]!,
      curD: t.f[r * F_STRIDE + F_CUR_DEADLINE]!,
      lastStart: t.f[r * F_STRIDE + F_LAST_START]!,
      level: t.level(r),
      depleted: t.flag(r, RT_DEPLETED),
    };
  }
}
