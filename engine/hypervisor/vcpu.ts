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

export const RUNSTATES: readonly Runstate[] = ['running', 'runnable', 'blocked', 'offline'];
const INDEX: Record<Runstate, number> = { running: 0, runnable: 1, blocked: 2, offline: 3 };

/** What the vCPU needs to know of its domain: whether the domain as a whole is paused. */
export interface VcpuOwner {
  readonly domid: number;
  /** Domain-wide pause count plus shutdown/dying (Xen's d->pause_count, d->is_shut_down). */
  domainPaused(): boolean;
}

export class Vcpu implements SchedVcpu {
  processor: number;
  readonly hardAffinity: CpuMask;
  readonly softAffinity: CpuMask;
  schedPriv: unknown = undefined;
  /** Nested vcpu_pause() count (Xen's v->pause_count). */
  pauseCount = 0;
  /** VPF_down: taken offline by the guest or never brought up (vcpu-set). */
  down: boolean;
  /** The guest is blocked waiting for an event (SCHEDOP_block). */
  blockedByGuest = false;
  /** The owner's domainPaused(), kept here so runnable() (every wake-up and deschedule)
   * reads one object, not the domain too; the owner calls ownerPauseChanged(). */
  private ownerPaused: boolean;

  private _runstate: Runstate;
  private _idx: number;
  private entryTime: STime;
  /** ns spent in running, runnable, blocked, offline (vcpu_runstate_info.time[]); plain
   * fields, not an array, so the hot runstate change touches one object. */
  private t0 = 0;
  private t1 = 0;
  private t2 = 0;
  private t3 = 0;

  constructor(
    readonly owner: VcpuOwner,
    readonly vcpuId: number,
    nrCpus: number,
    now: STime,
    online: boolean,
  ) {
    this.processor = 0;
    this.hardAffinity = CpuMask.all(nrCpus);
    this.softAffinity = CpuMask.all(nrCpus);
    this.down = !online;
    this.ownerPaused = owner.domainPaused();
    this._runstate = online ? 'runnable' : 'offline';
    this._idx = INDEX[this._runstate];
    this.entryTime = now;
  }

  get domid(): number {
    return this.owner.domid;
  }

  get runstate(): Runstate {
    return this._runstate;
  }

  get online(): boolean {
    return !this.down;
  }

  /** Xen's vcpu_runnable(): no pause flags, no pause count, domain not paused. */
  runnable(): boolean {
    return !this.down && !this.blockedByGuest && this.pauseCount === 0 && !this.ownerPaused;
  }

  /** The domain was paused, unpaused, shut down, resumed or killed. */
  ownerPauseChanged(): void {
    this.ownerPaused = this.owner.domainPaused();
  }

  /** vcpu_runstate_change(): account the time in the old state, enter the new one. */
  setRunstate(state: Runstate, now: STime): void {
    if (now < this.entryTime) throw new RangeError(`runstate change at ${now} before entry ${this.entryTime}`);
    const d = now - this.entryTime;
    switch (this._idx) {
      case 0:
        this.t0 += d;
        break;
      case 1:
        this.t1 += d;
        break;
      case 2:
        this.t2 += d;
        break;
      default:
        this.t3 += d;
    }
    this._runstate = state;
    // compares against the four interned names, not INDEX[state]: a keyed load with
    // four different keys from one site goes megamorphic (a hash lookup per change)
    this._idx = state === 'running' ? 0 : state === 'runnable' ? 1 : state === 'blocked' ? 2 : 3;
    this.entryTime = now;
  }

  /** The runstate info as of `now` (the current state's time counted up to now). */
  runstateInfo(now: STime): { state: Runstate; stateEntryTime: STime; time: Record<Runstate, number> } {
    const t = [this.t0, this.t1, this.t2, this.t3];
    t[INDEX[this._runstate]]! += Math.max(0, now - this.entryTime);
    return {
      state: this._runstate,
      stateEntryTime: this.entryTime,
      time: { running: t[0]!, runnable: t[1]!, blocked: t[2]!, offline: t[3]! },
    };
  }

  /** CPU time consumed, ns (what `xl vcpu-list` shows as Time(s)). */
  cpuTime(now: STime): number {
    return this.runstateInfo(now).time.running;
  }
}
