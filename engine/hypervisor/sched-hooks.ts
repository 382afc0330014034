/**
 * The seam between the hypervisor core (domains, vCPUs) and the scheduling subsystem
 * (engine/hypervisor/sched: cpupools and their schedulers). Xen has the same seam:
 * xen/common/domain.c and xen/common/sched/core.c call sched_init_vcpu(),
 * sched_destroy_vcpu(), vcpu_wake(), vcpu_sleep_nosync(), sched_move_domain() ...;
 * the per-pool scheduler (struct scheduler) sits behind them.
 *
 * The core owns the vCPU objects and their runstate accounting; the scheduler decides
 * which vCPU runs on which pCPU, calls back `setRunstate` on them and is the only writer
 * of their `processor` (v->processor).
 */
import type { CpuMask } from './cpumask';
import type { STime } from './clock';
import type { VcpuTable } from './vcpu-table';

export type Runstate = 'running' | 'runnable' | 'blocked' | 'offline';

/** What the scheduler needs to know about a vCPU (implemented by core's Vcpu). */
export interface SchedVcpu {
  readonly domid: number;
  readonly vcpuId: number;
  /**
   * pCPU the vCPU runs on, or last ran on (Xen's v->processor). Read-only here: only the
   * scheduling core writes it (through its Unit, into the vCPU's row), as in Xen only
   * xen/common/sched/ (sched_set_res) changes v->processor.
   */
  readonly processor: number;
  readonly hardAffinity: CpuMask;
  readonly softAffinity: CpuMask;
  readonly runstate: Runstate;
  /** The guest blocked waiting for an event (SCHEDOP_block, Xen's VPF_blocked). */
  blockedByGuest: boolean;
  /** Xen's vcpu_runnable(): online, not paused (vCPU or domain), not blocked by the guest. */
  runnable(): boolean;
  /** Record a runstate change at simulated time `now` (Xen's vcpu_runstate_change). */
  setRunstate(state: Runstate, now: STime): void;
  /** Per-scheduler private data (Xen's unit->priv). */
  schedPriv: unknown;
  /** The table holding the vCPU's hot state (vcpu-table.ts) and where its row starts. */
  readonly table: VcpuTable;
  readonly rowBase: number;
  /** Move the row into the host's table at `base` (the core made the vCPU's unit). */
  bind(tab: VcpuTable, base: number): void;
  /** Move the row out of the host's table (the unit was freed). */
  unbind(): void;
}

/** What the scheduler needs to know about a domain. */
export interface SchedDomain {
  readonly domid: number;
  readonly name: string;
  readonly vcpus: readonly SchedVcpu[];
  /** Id of the cpupool the domain is in (Xen's d->cpupool->cpupool_id). */
  cpupoolId: number;
  /** Per-scheduler private data (Xen's d->sched_priv). */
  schedPriv: unknown;
}

/**
 * Calls from the core into scheduling. Implemented by engine/hypervisor/sched.
 * Every method is synchronous; errors are thrown as XenError with Xen's errno.
 */
export interface SchedHooks {
  /** A domain is created: insert it and its vCPUs into pool `poolId` (sched_init_domain + sched_init_vcpu). */
  insertDomain(d: SchedDomain, poolId: number): void;
  /** A domain is destroyed: remove its vCPUs from its pool's scheduler. */
  removeDomain(d: SchedDomain): void;
  /** vcpu_wake(): the vCPU may have become runnable (unpause, online, event). */
  wake(v: SchedVcpu): void;
  /** vcpu_sleep_nosync(): the vCPU may no longer be runnable (pause, offline, block). */
  sleep(v: SchedVcpu): void;
  /**
   * XEN_DOMCTL_setvcpuaffinity after its checks: the new hard and/or soft affinity (null
   * leaves that one), each set by vcpu_set_affinity(), which moves the vCPU's unit to a
   * pCPU it allows. EBUSY (nothing changed) while its affinity is broken.
   */
  setVcpuAffinity(v: SchedVcpu, hard: CpuMask | null, soft: CpuMask | null): void;
  /** A vCPU was added to a running domain (vcpu-set up to max_vcpus). */
  insertVcpu(d: SchedDomain, v: SchedVcpu): void;
}
