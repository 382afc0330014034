/**
 * credit2's parameters, checked before anything is written: a domain's weight and cap
 * (XEN_DOMCTL_SCHEDOP_putinfo, csched2_dom_cntl() in xen/common/sched/credit2.c) and the
 * pool's ratelimit_us (XEN_SYSCTL_SCHEDOP_putinfo, csched2_sys_cntl()). A bad value is
 * EINVAL and changes nothing. The records these values go into stay in credit2.ts, which
 * writes them once these checks have passed.
 */
import { MILLISECS, type STime } from '../clock';
import { XenError } from '../errno';
import { XEN_SYSCTL_SCHED_RATELIMIT_MAX, XEN_SYSCTL_SCHED_RATELIMIT_MIN, type DomainSchedParams, type PoolSchedParams } from './scheduler';

/** CSCHED2_BDGT_REPL_PERIOD: a capped domain's budget is refilled every 10 ms. */
export const CSCHED2_CAP_PERIOD_MS = 10;

/**
 * csched2_dom_cntl()'s putinfo checks: a weight of 0 (or none) leaves it as it is, else
 * 1-65535 (the domctl's weight is a uint16_t); a cap is a percentage of one pCPU, at most
 * 100 per vCPU of the domain (0 lifts it).
 */
export function checkCredit2DomParams(params: DomainSchedParams, nrUnits: number): void {
  const { weight, cap } = params;
  if (weight !== undefined && weight !== 0 && (!Number.isInteger(weight) || weight < 1 || weight > 65535)) {
    throw new XenError('EINVAL', `weight ${weight} outside 1-65535`);
  }
  if (cap !== undefined && (!Number.isInteger(cap) || cap < 0 || cap > 100 * nrUnits)) {
    throw new XenError('EINVAL', `cap ${cap} outside 0-${100 * nrUnits} (100 per vCPU)`);
  }
}

/** csched2_dom_cntl(): tot_budget = period * cap / 100, an s_time_t division. */
export function capTotBudget(cap: number): STime {
  return Math.floor((MILLISECS(CSCHED2_CAP_PERIOD_MS) * cap) / 100);
}

/** credit2 has no per-vCPU parameters: getvcpuinfo / putvcpuinfo are EINVAL. */
export function credit2NoVcpuParams(cmd: string): XenError {
  return new XenError('EINVAL', `credit2 has no per-vCPU parameters (${cmd})`);
}

/**
 * csched2_sys_cntl()'s putinfo checks: credit2 has ratelimit_us only (no tslice_ms, no
 * vcpu_migr_delay_us), 0 to disable it or XEN_SYSCTL_SCHED_RATELIMIT_MIN-MAX µs.
 */
export function checkCredit2PoolParams(params: PoolSchedParams): void {
  const r = params.ratelimitUs;
  if (params.tsliceMs !== undefined || params.vcpuMigrDelayUs !== undefined) {
    throw new XenError('EINVAL', 'credit2 has only ratelimit_us');
  }
  if (r !== undefined && (!Number.isInteger(r) || (r !== 0 && (r < XEN_SYSCTL_SCHED_RATELIMIT_MIN || r > XEN_SYSCTL_SCHED_RATELIMIT_MAX)))) {
    throw new XenError('EINVAL', `ratelimit_us ${r} outside ${XEN_SYSCTL_SCHED_RATELIMIT_MIN}-${XEN_SYSCTL_SCHED_RATELIMIT_MAX} (0 disables)`);
  }
}
