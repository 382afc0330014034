/**
 * A virtual CPU: its runstate and the time spent in each, as Xen keeps them in
 * struct vcpu_runstate_info (xen/include/public/vcpu.h: state, state_entry_time,
 * time[4] for RUNSTATE_running, runnable, blocked, offline), its hard and soft
 * affinity (vcpu_set_hard_affinity / vcpu_set_soft_affinity) and its pause count.
 *
 * The scheduler moves it between runstates through setRunstate(); the core decides
 * whether it could run at all (runnable(): Xen's vcpu_runnable()).
 */
import type { STime } from './clock';
import { CpuMask } from './cpumask';
import type { Runstate, SchedVcpu } from './sched-hooks';
import { NR_BLOCKED, NR_DOWN, NR_OWNER, NR_PAUSED, R_ENTRY, R_NR, R_PROC, R_RS, R_TIME, R_VCPU_END, RS_OFFLINE, RS_RUNNABLE, runstateChange, VcpuTable } from './vcpu-table';

export const RUNSTATES: readonly Runstate[] = ['running', 'runnable', 'blocked', 'offline'];
const INDEX: Record<Runstate, number> = { running: 0, runnable: 1, blocked: 2, offline: 3 };

/** What the vCPU needs to know of its domain: whether the domain as a whole is paused. */
export interface VcpuOwner {
  readonly domid: number;
  /** Domain-wide pause count plus shutdown/dying (Xen's d->pause_count, d->is_shut_down). */
  domainPaused(): boolean;
}

export class Vcpu implements SchedVcpu {
  readonly hardAffinity: CpuMask;
  readonly softAffinity: CpuMask;
  schedPriv: unknown = undefined;
  /** Its row: in the host's VcpuTable once its unit exists, else a table of its own. */
  private tab: VcpuTable;
  private base = 0;
  /** Nested vcpu_pause() count (Xen's v->pause_count); the row has whether it is > 0. */
  private _pauseCount = 0;

  constructor(
    readonly owner: VcpuOwner,
    readonly vcpuId: number,
    nrCpus: number,
    now: STime,
    online: boolean,
  ) {
    this.hardAffinity = CpuMask.all(nrCpus);
    this.softAffinity = CpuMask.all(nrCpus);
    this.tab = new VcpuTable(1);
    const f = this.tab.f;
    f[R_NR] = (online ? 0 : NR_DOWN) | (owner.domainPaused() ? NR_OWNER : 0);
    f[R_RS] = online ? RS_RUNNABLE : RS_OFFLINE;
    f[R_ENTRY] = now;
  }

  /** Move its fields to the row at `base` of the host's table (the core made its unit). */
  bind(tab: VcpuTable, base: number): void {
    tab.f.set(this.tab.f.subarray(this.base, this.base + R_VCPU_END), base);
    this.tab = tab;
    this.base = base;
  }

  /** The table holding its row, and where the row starts in it. */
  get table(): VcpuTable {
    return this.tab;
  }
  get rowBase(): number {
    return this.base;
  }

  /** The unit is gone: its fields move back to a table of the vCPU's own. */
  unbind(): void {
    const own = new VcpuTable(1);
    own.f.set(this.tab.f.subarray(this.base, this.base + R_VCPU_END));
    this.tab = own;
    this.base = 0;
  }

  get domid(): number {
    return this.owner.domid;
  }

  /** v->processor, as the scheduling core last wrote it into the row (sched/core.ts Unit.processor). */
  get processor(): number {
    return this.tab.f[this.base + R_PROC]!;
  }

  get pauseCount(): number {
    return this._pauseCount;
  }
  set pauseCount(n: number) {
    this._pauseCount = n;
    this.setFlag(NR_PAUSED, n !== 0);
  }

  /** VPF_down: taken offline by the guest or never brought up (vcpu-set). */
  get down(): boolean {
    return (this.tab.f[this.base + R_NR]! & NR_DOWN) !== 0;
  }
  set down(on: boolean) {
    this.setFlag(NR_DOWN, on);
  }

  /** The guest is blocked waiting for an event (SCHEDOP_block). */
  get blockedByGuest(): boolean {
    return (this.tab.f[this.base + R_NR]! & NR_BLOCKED) !== 0;
  }
  set blockedByGuest(on: boolean) {
    this.setFlag(NR_BLOCKED, on);
  }

  get runstate(): Runstate {
    return RUNSTATES[this.tab.f[this.base + R_RS]!]!;
  }

  get online(): boolean {
    return !this.down;
  }

  /** Xen's vcpu_runnable(): no pause flags, no pause count, domain not paused. */
  runnable(): boolean {
    return this.tab.f[this.base + R_NR] === 0;
  }

  /** The domain was paused, unpaused, shut down, resumed or killed: the row keeps a copy
   * of its domainPaused(), so runnable() (every wake-up and deschedule) reads the row only. */
  ownerPauseChanged(): void {
    this.setFlag(NR_OWNER, this.owner.domainPaused());
  }

  /** vcpu_runstate_change(): account the time in the old state, enter the new one. */
  setRunstate(state: Runstate, now: STime): void {
    runstateChange(this.tab.f, this.base, INDEX[state], now);
  }

  /** The runstate info as of `now` (the current state's time counted up to now). */
  runstateInfo(now: STime): { state: Runstate; stateEntryTime: STime; time: Record<Runstate, number> } {
    const f = this.tab.f;
    const b = this.base;
    const t = [f[b + R_TIME]!, f[b + R_TIME + 1]!, f[b + R_TIME + 2]!, f[b + R_TIME + 3]!];
    const entry = f[b + R_ENTRY]!;
    t[f[b + R_RS]!]! += Math.max(0, now - entry);
    return {
      state: this.runstate,
      stateEntryTime: entry,
      time: { running: t[0]!, runnable: t[1]!, blocked: t[2]!, offline: t[3]! },
    };
  }

  /** CPU time consumed, ns (what `xl vcpu-list` shows as Time(s)). */
  cpuTime(now: STime): number {
    return this.runstateInfo(now).time.running;
  }

  private setFlag(bit: number, on: boolean): void {
    const f = this.tab.f;
    const i = this.base + R_NR;
    f[i] = on ? f[i]! | bit : f[i]! & ~bit;
  }
}
