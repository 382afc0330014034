import { describe, expect, it } from 'vitest';
import { MILLISECS } from '../../../../engine/hypervisor/clock';
import type { NullScheduler } from '../../../../engine/hypervisor/sched/null';
import { boot, guest, poolOn, topo } from './helpers';

// has_soft_affinity() (xen/common/sched/private.h, 4.17): a soft affinity counts only when
// it is effective (sched_set_affinity's soft_aff_effective: the hard affinity is not within
// it, and the two meet) and does not hold every pCPU of the pool. The balance steps skip
// the soft one for a unit without: null's unit_deassign() looks through the wait queue
// for a soft-affine unit first, and a unit whose hard affinity is within its soft one is
// not one.
describe('soft affinity that says nothing (has_soft_affinity)', () => {
  it('does not put a unit whose hard affinity is within its soft one ahead in the soft step', () => {
    const x = boot('null', topo(1, 6));
    const pool = poolOn(x, 'p', 'null', [1, 2, 3, 4]);
    const d = guest(x, 'g', { vcpus: 6, pool, workload: { kind: 'cpu' } });
    x.clock.runFor(MILLISECS(1));
    const s = x.pools.pool(pool).sched as NullScheduler;
    const [a, b] = s.waitq;
    const pin = (vcpu: number, hard?: number[], soft?: number[]): void => {
      x.hypercall({ op: 'domctl.setvcpuaffinity', domid: d, vcpu, ...(hard ? { hard } : {}), ...(soft ? { soft } : {}) });
    };
    pin(a!.vcpuId, [1, 2], [0, 1, 2, 3]); // soft holds all of hard: not effective
    pin(b!.vcpuId, undefined, [1]); // effective: B is soft-affine to pCPU 1
    expect(s.waitq.slice(0, 2)).toEqual([a, b]);
    expect(a!.hasSoft).toBe(false);
    expect(b!.hasSoft).toBe(true);
    // pCPU 1's unit goes to pCPU 4 (taken: it waits), pCPU 1 is free for the wait queue
    const leaving = s.assignedTo(1)!;
    pin(leaving.vcpuId, [4]);
    x.clock.runFor(MILLISECS(1)); // (it was running: it moves once switched out)
    expect(s.assignedTo(1)).toBe(b);
    expect(s.waitq).toEqual([a, leaving]);
  });

  it('says nothing when it holds every pCPU of the pool', () => {
    const x = boot('credit2', topo(1, 6));
    const pool = poolOn(x, 'p', 'credit2', [1, 2, 3]);
    const d = guest(x, 'g', { vcpus: 1, pool });
    const u = x.pools.unitsOfDomid(d)[0]!;
    x.hypercall({ op: 'domctl.setvcpuaffinity', domid: d, vcpu: 0, soft: [1, 2, 3, 5] });
    expect(u.hasSoft).toBe(false);
    x.hypercall({ op: 'domctl.setvcpuaffinity', domid: d, vcpu: 0, soft: [1, 2, 5] });
    expect(u.hasSoft).toBe(true);
  });
});
