/**
 * Moving a scheduling unit to another pCPU without taking it out of its scheduler: Xen's
 * migration path (xen/common/sched/core.c, 4.17), which an affinity change takes.
 *
 *   vcpu_set_affinity():  EBUSY while the vCPU's affinity is broken; else
 *     sched_set_affinity()        the scheduler's adjust_affinity hook, the new mask
 *     sched_unit_migrate_start()  _VPF_migrating (NR_MIGRATING) set, vcpu_sleep_nosync:
 *                                 a waiting unit leaves its runqueue and goes offline
 *                                 (vcpu_sleep_nosync_locked), a running one's pCPU is
 *                                 tickled and it runs on until switched out
 *     sched_unit_migrate_finish() if it still runs, nothing now: unit_context_saved()
 *                                 calls it again once its pCPU switched it out (core.ts
 *                                 scheduleWith); else pick_resource, _VPF_migrating
 *                                 cleared, sched_unit_move_locked() (the scheduler's
 *                                 migrate hook, or just the new processor) and vcpu_wake.
 *
 * So the scheduler keeps its record of the unit (credit2's credit, load and runqueue,
 * credit's priority, RTDS's deadline and budget, null's assignment) and moves it, instead
 * of forgetting it in remove_unit and making a new one in insert_unit.
 *
 * Nothing here is on the dispatch loop's common path: the loop tests NR_MIGRATING only
 * for a unit it switches out because it may not run.
 */
import type { STime } from '../clock';
import type { CpuMask } from '../cpumask';
import { XenError } from '../errno';
import { NR_MIGRATING, R_NR, R_PCPU, R_SCHED, R_WOKE } from '../vcpu-table';
import type { SchedCore, Unit } from './core';

/**
 * vcpu_set_hard_affinity() / vcpu_set_soft_affinity() -> vcpu_set_affinity() for the one
 * mask given (`which`). The caller has checked the mask (EINVAL cases of the domctl and
 * of vcpu_set_hard_affinity); `poolCpus` are the pCPUs of the unit's pool.
 */
export function vcpuSetAffinity(core: SchedCore, u: Unit, poolCpus: CpuMask, which: 'hard' | 'soft', mask: CpuMask): void {
  // v->affinity_broken: its pCPUs left the pool and Xen runs it anywhere until they are
  // back (or it is moved): no new affinity meanwhile
  if (u.affBroken) throw new XenError('EBUSY', `vCPU ${u.vcpuId} of domain ${u.domid} has its affinity broken`);
  const s = u.sched;
  schedSetAffinity(u, poolCpus, which === 'hard' ? mask : null, which === 'soft' ? mask : null);
  if (!s) return; // not in a scheduler (a pool being reshaped): its attach reads the masks
  const now = core.now();
  const f = u.tab.f;
  const b = u.base;
  // the wake-to-run latency of a unit that is waiting goes on across the move
  const woke = f[b + R_WOKE]!;
  migrateStart(core, u, now);
  migrateFinish(core, u, now);
  if (woke >= 0 && f[b + R_PCPU]! < 0 && f[b + R_NR] === 0 && f[b + R_WOKE]! < 0) f[b + R_WOKE] = woke;
}

/**
 * sched_set_affinity(): the scheduler's adjust_affinity hook, then the vCPU's masks and
 * what the core derives from them (soft_aff_effective: U_HAS_SOFT, and U_HARD_ALL). Ours
 * calls the hook after the copy, so that a scheduler's mirrors of the flags are refreshed
 * from them.
 */
function schedSetAffinity(u: Unit, poolCpus: CpuMask, hard: CpuMask | null, soft: CpuMask | null): void {
  const v = u.vcpu;
  if (hard) v.hardAffinity.assign(hard);
  if (soft) v.softAffinity.assign(soft);
  u.refreshAffinity(poolCpus);
  u.sched?.adjustAffinity?.(u, hard, soft);
}

/**
 * sched_set_pause_flags(unit, _VPF_migrating) alone: what credit2's migrate() does to a
 * unit that runs. Not runnable from now on, it runs on until its pCPU (tickled by the
 * scheduler) switches it out, and then sched_unit_migrate_finish() moves it.
 */
export function schedSetMigrating(u: Unit): void {
  const f = u.tab.f;
  f[u.base + R_NR] = f[u.base + R_NR]! | NR_MIGRATING;
}

/** sched_unit_migrate_start(): _VPF_migrating, then vcpu_sleep_nosync_locked(). */
export function migrateStart(core: SchedCore, u: Unit, now: STime): void {
  schedSetMigrating(u);
  core.sleep(u, now);
}

/**
 * sched_unit_migrate_finish(): nothing while the unit runs (its pCPU calls this again
 * when it switches it out) or once someone else has finished it; else pick_resource,
 * _VPF_migrating cleared, sched_unit_move_locked() and vcpu_wake().
 */
export function migrateFinish(core: SchedCore, u: Unit, now: STime): void {
  const f = u.tab.f;
  const b = u.base;
  if (f[b + R_PCPU]! >= 0 || (f[b + R_NR]! & NR_MIGRATING) === 0) return;
  const s = core.schedAt(f[b + R_SCHED]!);
  // taken out of its scheduler meanwhile (pool reshaped or domain moved): attach places it
  const cpu = s ? s.pickCpu(u, now) : -1;
  f[b + R_NR] = f[b + R_NR]! & ~NR_MIGRATING;
  if (!s) return;
  // sched_migrate(): the scheduler's migrate hook, else sched_set_res()
  if (s.migrateUnit) s.migrateUnit(u, cpu, now);
  else u.processor = cpu;
  core.wake(u, now);
}
