/**
 * credit2's parameters, checked before anything is written: the pool's ratelimit_us
 * (XEN_SYSCTL_SCHEDOP_putinfo, csched2_sys_cntl()) and the cap's budget (a domain's weight
 * and cap follow credit's rules: scheduler.ts checkWeightCap). A bad value is EINVAL and
 * changes nothing. The records these values go into stay in credit2.ts, which
 * writes them once these checks have passed.
 */
import { MILLISECS, type STime } from '../clock';
import { XenError } from '../errno';
import { checkRatelimitUs, type PoolSchedParams } from './scheduler';

/** CSCHED2_BDGT_REPL_PERIOD: a capped domain's budget is refilled every 10 ms. */
export const CSCHED2_CAP_PERIOD_MS = 10;

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
  if (r !== undefined) checkRatelimitUs(r);
}
