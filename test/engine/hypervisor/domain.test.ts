import { describe, expect, it } from 'vitest';
import { Domain, type DomainSpec } from '../../../engine/hypervisor/domain';
import { XenError } from '../../../engine/hypervisor/errno';

const spec = (over: Partial<DomainSpec> = {}): DomainSpec => ({
  domid: 1,
  uuid: '00000000-0000-4000-8000-000000000001',
  name: 'vm1',
  type: 'pv',
  maxVcpus: 2,
  onlineVcpus: 2,
  nrCpus: 8,
  ...over,
});

const code = (f: () => void): string | undefined => {
  try {
    f();
  } catch (e) {
    return e instanceof XenError ? e.code : 'not a XenError';
  }
  return undefined;
};

describe('Domain lifecycle', () => {
  it('nests pauses and refuses to unpause an unpaused domain with EINVAL', () => {
    const d = new Domain(spec(), 0);
    d.pause();
    d.pause();
    d.unpause();
    expect(d.paused).toBe(true);
    expect(d.vcpus[0]!.runnable()).toBe(false);
    d.unpause();
    expect(d.paused).toBe(false);
    expect(d.vcpus[0]!.runnable()).toBe(true);
    expect(code(() => d.unpause())).toBe('EINVAL');
    expect(d.pauseCount).toBe(0);
  });

  it('shuts down with a reason, shows xl list state flags, then dies', () => {
    const d = new Domain(spec(), 0);
    expect(d.stateFlags()).toBe('------');
    d.pause();
    expect(d.stateFlags()).toBe('--p---');
    d.unpause();
    d.shutdown('crash');
    expect(d.stateFlags()).toBe('----c-');
    expect(d.vcpus[1]!.runnable()).toBe(false);
    d.kill();
    expect(d.stateFlags()).toBe('-----d');
    expect(code(() => d.pause())).toBe('ESRCH');
    d.markDestroyed();
    expect(code(() => d.kill())).toBe('ESRCH');
  });

  // each vCPU keeps a copy of domainPaused() for runnable(): every path that changes the
  // pause count or the domain's life must refresh it on all of them
  it("keeps every vCPU's runnable() in step with pause, shutdown, soft reset and kill", () => {
    const d = new Domain(spec({ maxVcpus: 3, onlineVcpus: 3 }), 0);
    const runnable = (): boolean[] => d.vcpus.map((v) => v.runnable());
    expect(runnable()).toEqual([true, true, true]);
    d.pause();
    expect(runnable()).toEqual([false, false, false]);
    d.shutdown('soft_reset');
    d.unpause();
    expect(runnable()).toEqual([false, false, false]);
    d.softReset();
    expect(runnable()).toEqual([true, true, true]);
    d.vcpus[1]!.blockedByGuest = true;
    expect(runnable()).toEqual([true, false, true]);
    d.kill();
    expect(runnable()).toEqual([false, false, false]);
    d.markDestroyed();
    expect(runnable()).toEqual([false, false, false]);
  });

  it("enforces Xen's vCPU limits: HVM 128, PV far higher (512 works)", () => {
    expect(code(() => new Domain(spec({ type: 'hvm', maxVcpus: 129, onlineVcpus: 1 }), 0))).toBe('EINVAL');
    expect(new Domain(spec({ type: 'hvm', maxVcpus: 128, onlineVcpus: 128 }), 0).vcpus).toHaveLength(128);
    const big = new Domain(spec({ maxVcpus: 512, onlineVcpus: 512, nrCpus: 4095 }), 0);
    expect(big.vcpus).toHaveLength(512);
    expect(code(() => new Domain(spec({ domid: 0x7ff0 }), 0))).toBe('EINVAL');
  });

  it('keeps vCPUs beyond the online count offline', () => {
    const d = new Domain(spec({ maxVcpus: 4, onlineVcpus: 2 }), 0);
    expect(d.vcpus.map((v) => v.runstate)).toEqual(['runnable', 'runnable', 'offline', 'offline']);
  });
});
