/**
 * A domain and its lifecycle as Xen has it (xen/common/domain.c):
 * - domids: dom0 is 0; domUs from 1 to DOMID_FIRST_RESERVED - 1 (0x7FEF).
 * - types: pv, pvh, hvm (libxl_domain_type).
 * - pause counts nest (domain_pause / domain_unpause); a domain is running while
 *   unpaused and not shut down; `blocked` is derived from its vCPUs, as getdomaininfo
 *   reports XEN_DOMINF_blocked when every online vCPU is blocked.
 * - shutdown carries a reason (SHUTDOWN_poweroff, reboot, suspend, crash, watchdog,
 *   soft_reset: public/sched.h); then dying while resources are released; destroyed.
 * - vCPU limits: HVM_MAX_VCPUS is 128 (public/hvm/hvm_info_table.h); x86 PV allows
 *   MAX_VIRT_CPUS = 8192 (asm/config.h), so a 512-vCPU PV guest is fine.
 */
import type { STime } from './clock';
import { XenError } from './errno';
import type { SchedDomain } from './sched-hooks';
import { Vcpu, type VcpuOwner } from './vcpu';

export const DOMID_FIRST_RESERVED = 0x7ff0;
export const DOMID_MAX_DOMU = DOMID_FIRST_RESERVED - 1;
export const HVM_MAX_VCPUS = 128;
export const PV_MAX_VCPUS = 8192;

export type DomainType = 'pv' | 'pvh' | 'hvm';
export type ShutdownReason = 'poweroff' | 'reboot' | 'suspend' | 'crash' | 'watchdog' | 'soft_reset';
/** SHUTDOWN_* codes of xen/include/public/sched.h, as xl prints them ("reason code 3"). */
export const SHUTDOWN_REASON_CODE: Readonly<Record<ShutdownReason, number>> = { poweroff: 0, reboot: 1, suspend: 2, crash: 3, watchdog: 4, soft_reset: 5 };
export type DomainLife = 'active' | 'shutdown' | 'dying' | 'destroyed';

export interface DomainSpec {
  domid: number;
  uuid: string;
  name: string;
  type: DomainType;
  maxVcpus: number;
  /** vCPUs online at start (the rest are offline until vcpu-set brings them up). */
  onlineVcpus: number;
  nrCpus: number;
}

export function maxVcpusFor(type: DomainType): number {
  return type === 'hvm' ? HVM_MAX_VCPUS : PV_MAX_VCPUS;
}

export class Domain implements SchedDomain, VcpuOwner {
  readonly domid: number;
  readonly uuid: string;
  name: string;
  readonly type: DomainType;
  readonly vcpus: Vcpu[];
  cpupoolId = 0;
  schedPriv: unknown = undefined;
  private _pauseCount = 0;
  private _life: DomainLife = 'active';
  shutdownReason: ShutdownReason | undefined;
  readonly createdAt: STime;

  constructor(spec: DomainSpec, now: STime) {
    const { domid, maxVcpus, onlineVcpus, type } = spec;
    if (!Number.isInteger(domid) || domid < 0 || domid > DOMID_MAX_DOMU) {
      throw new XenError('EINVAL', `domid ${domid} outside 0-${DOMID_MAX_DOMU}`);
    }
    const limit = maxVcpusFor(type);
    if (!Number.isInteger(maxVcpus) || maxVcpus < 1 || maxVcpus > limit) {
      throw new XenError('EINVAL', `Requested vCPUs (${maxVcpus}) exceeds max (${limit}) for a ${type.toUpperCase()} guest`);
    }
    if (!Number.isInteger(onlineVcpus) || onlineVcpus < 1 || onlineVcpus > maxVcpus) {
      throw new XenError('EINVAL', `online vCPUs (${onlineVcpus}) must be between 1 and max_vcpus (${maxVcpus})`);
    }
    this.domid = domid;
    this.uuid = spec.uuid;
    this.name = spec.name;
    this.type = type;
    this.createdAt = now;
    this.vcpus = Array.from({ length: maxVcpus }, (_, i) => new Vcpu(this, i, spec.nrCpus, now, i < onlineVcpus));
  }

  /** Xen: a paused or shut-down domain's vCPUs do not run. */
  domainPaused(): boolean {
    return this._pauseCount > 0 || this._life !== 'active';
  }

  /** Nested domain_pause() count (Xen's d->pause_count). */
  get pauseCount(): number {
    return this._pauseCount;
  }

  get life(): DomainLife {
    return this._life;
  }

  /** Change the pause count or life; the vCPUs keep a copy of domainPaused() for runnable(). */
  private setPause(pauseCount: number, life: DomainLife): void {
    this._pauseCount = pauseCount;
    this._life = life;
    for (const v of this.vcpus) v.ownerPauseChanged();
  }

  get paused(): boolean {
    return this.pauseCount > 0;
  }

  /** XEN_DOMINF_blocked: every online vCPU is blocked. */
  get blocked(): boolean {
    const online = this.vcpus.filter((v) => v.online);
    return online.length > 0 && online.every((v) => v.runstate === 'blocked');
  }

  get running(): boolean {
    return this.vcpus.some((v) => v.runstate === 'running');
  }

  /** domain_pause_by_systemcontroller: nests. */
  pause(): void {
    this.requireAlive();
    this.setPause(this._pauseCount + 1, this._life);
  }

  /** domain_unpause_by_systemcontroller: EINVAL when not paused, as Xen returns. */
  unpause(): void {
    this.requireAlive();
    if (this.pauseCount === 0) throw new XenError('EINVAL', `domain ${this.domid} is not paused`);
    this.setPause(this._pauseCount - 1, this._life);
  }

  /** domain_shutdown(): the guest (or the toolstack) asks to stop with a reason. */
  shutdown(reason: ShutdownReason): void {
    this.requireAlive();
    if (this.life === 'shutdown') return; // Xen ignores a second shutdown request
    this.setPause(this._pauseCount, 'shutdown');
    this.shutdownReason = reason;
  }

  /**
   * domain_soft_reset() then domain_resume() (xen/common/domain.c): only a domain that has
   * shut down can be reset (its vCPUs paused for shutdown, else EINVAL); it keeps its
   * memory and domid and runs again from a fresh start.
   */
  softReset(): void {
    this.requireAlive();
    if (this.life !== 'shutdown') throw new XenError('EINVAL', `domain ${this.domid} has not shut down: nothing to soft-reset`);
    this.setPause(this._pauseCount, 'active');
    this.shutdownReason = undefined;
  }

  /** domain_kill(): dying, then destroyed once everything is released. */
  kill(): void {
    if (this.life === 'destroyed') throw new XenError('ESRCH', `domain ${this.domid} is already destroyed`);
    this.setPause(this._pauseCount, 'dying');
  }

  markDestroyed(): void {
    this.setPause(this._pauseCount, 'destroyed');
  }

  /** xl list's State column: r b p s c d (running, blocked, paused, shutdown, crashed, dying). */
  stateFlags(): string {
    const crashed = this.life === 'shutdown' && this.shutdownReason === 'crash';
    return [
      this.running ? 'r' : '-',
      this.blocked ? 'b' : '-',
      this.paused ? 'p' : '-',
      this.life === 'shutdown' && !crashed ? 's' : '-',
      crashed ? 'c' : '-',
      this.life === 'dying' ? 'd' : '-',
    ].join('');
  }

  private requireAlive(): void {
    if (this.life === 'dying' || this.life === 'destroyed') {
      throw new XenError('ESRCH', `domain ${this.domid} is ${this.life}`);
    }
  }
}
