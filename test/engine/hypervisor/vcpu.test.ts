import { describe, expect, it } from 'vitest';
import { Vcpu, type VcpuOwner } from '../../../engine/hypervisor/vcpu';
import { MILLISECS } from '../../../engine/hypervisor/clock';

const owner = (paused = false): VcpuOwner => ({ domid: 3, domainPaused: () => paused });

describe('Vcpu runstate accounting (vcpu_runstate_info)', () => {
  it('accounts the time spent in each runstate, the current one up to now', () => {
    const v = new Vcpu(owner(), 0, 8, 0, true);
    expect(v.runstate).toBe('runnable');
    v.setRunstate('running', MILLISECS(2));
    v.setRunstate('blocked', MILLISECS(7));
    const info = v.runstateInfo(MILLISECS(10));
    expect(info.time).toEqual({ running: MILLISECS(5), runnable: MILLISECS(2), blocked: MILLISECS(3), offline: 0 });
    expect(v.cpuTime(MILLISECS(10))).toBe(MILLISECS(5));
    expect(() => v.setRunstate('running', MILLISECS(1))).toThrow(RangeError);
  });

  it('is runnable only when online, unpaused, unblocked and its domain is not paused', () => {
    const v = new Vcpu(owner(), 1, 4, 0, true);
    expect(v.runnable()).toBe(true);
    v.pauseCount = 2;
    expect(v.runnable()).toBe(false);
    v.pauseCount = 0;
    v.blockedByGuest = true;
    expect(v.runnable()).toBe(false);
    expect(new Vcpu(owner(true), 0, 4, 0, true).runnable()).toBe(false);
    const off = new Vcpu(owner(), 2, 4, 0, false);
    expect(off.runstate).toBe('offline');
    expect(off.runnable()).toBe(false);
  });

  it('starts with affinity to every pCPU of the host', () => {
    const v = new Vcpu(owner(), 0, 6, 0, true);
    expect(v.hardAffinity.toString()).toBe('all');
    expect(v.softAffinity.weight).toBe(6);
  });
});
