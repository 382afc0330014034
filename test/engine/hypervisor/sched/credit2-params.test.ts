import { describe, expect, it } from 'vitest';
import { MILLISECS } from '../../../../engine/hypervisor/clock';
import { XenError } from '../../../../engine/hypervisor/errno';
import { capTotBudget, checkCredit2PoolParams, credit2NoVcpuParams } from '../../../../engine/hypervisor/sched/credit2-params';
import { checkWeightCap } from '../../../../engine/hypervisor/sched/scheduler';

/** The XenError `f` throws, or null. */
function thrown(f: () => void): XenError | null {
  try {
    f();
  } catch (e) {
    if (e instanceof XenError) return e;
    throw e;
  }
  return null;
}

describe('credit2 parameters', () => {
  it('a weight of 1-65535 or 0 (unchanged) passes; others are EINVAL naming the value', () => {
    for (const weight of [undefined, 0, 1, 256, 65535]) expect(thrown(() => checkWeightCap({ weight }, 1))).toBeNull();
    for (const weight of [-1, 65536, 1.5]) {
      const e = thrown(() => checkWeightCap({ weight }, 1));
      expect(e?.code).toBe('EINVAL');
      expect(e?.message).toContain(`weight ${weight} outside 1-65535`);
    }
  });

  it('a cap is at most 100 per vCPU of the domain', () => {
    expect(thrown(() => checkWeightCap({ cap: 400 }, 4))).toBeNull();
    expect(thrown(() => checkWeightCap({ cap: 0 }, 4))).toBeNull();
    const e = thrown(() => checkWeightCap({ cap: 401 }, 4));
    expect(e?.code).toBe('EINVAL');
    expect(e?.message).toContain('cap 401 outside 0-400 (100 per vCPU)');
    expect(thrown(() => checkWeightCap({ cap: -1 }, 4))?.code).toBe('EINVAL');
  });

  it("tot_budget is cap % of the 10 ms period, truncated as Xen's s_time_t division", () => {
    expect(capTotBudget(100)).toBe(MILLISECS(10));
    expect(capTotBudget(50)).toBe(MILLISECS(5));
    expect(capTotBudget(1)).toBe(100_000);
    expect(capTotBudget(3)).toBe(300_000);
  });

  it('the pool has ratelimit_us only: 0 or 100-500000 µs', () => {
    for (const ratelimitUs of [undefined, 0, 100, 1000, 500000]) expect(thrown(() => checkCredit2PoolParams({ ratelimitUs }))).toBeNull();
    for (const ratelimitUs of [99, 500001, 1.5]) expect(thrown(() => checkCredit2PoolParams({ ratelimitUs }))?.message).toContain(`ratelimit_us ${ratelimitUs} outside 100-500000 (0 disables)`);
    expect(thrown(() => checkCredit2PoolParams({ tsliceMs: 10 }))?.message).toContain('credit2 has only ratelimit_us');
    expect(thrown(() => checkCredit2PoolParams({ vcpuMigrDelayUs: 0, ratelimitUs: 1000 }))?.code).toBe('EINVAL');
  });

  it('per-vCPU operations are EINVAL', () => {
    const e = credit2NoVcpuParams('getvcpuinfo');
    expect(e.code).toBe('EINVAL');
    expect(e.message).toContain('credit2 has no per-vCPU parameters (getvcpuinfo)');
  });
});
