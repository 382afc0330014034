import { describe, expect, it } from 'vitest';
import { MILLISECS } from '../../../../engine/hypervisor/clock';
import type { NullScheduler } from '../../../../engine/hypervisor/sched/null';
import { boot, guest, poolOn, topo } from './helpers';

// null.c's pick_res() (Xen 4.17): with no free pCPU in the unit's affinity, "just pick any
// valid pcpu": cpumask_any() of the pool's pCPUs its hard affinity allows, i.e. the
// (get_random() % weight)-th of them in cpu order, and no draw when there is only one.
describe('null pick_res with every pCPU taken', () => {
  function full(): { x: ReturnType<typeof boot>; s: NullScheduler; d: number; draws: number[] } {
    const x = boot('null', topo(1, 6));
    const pool = poolOn(x, 'p', 'null', [1, 2, 3, 4, 5]);
    const d = guest(x, 'g', { vcpus: 7, pool, workload: { kind: 'cpu' } });
    x.clock.runFor(MILLISECS(1));
    const draws: number[] = [];
    const rng = x.pools.core.rng;
    const u32 = rng.u32.bind(rng);
    rng.u32 = () => {
      const v = u32();
      draws.push(v);
      return v;
    };
    return { x, s: x.pools.pool(pool).sched as NullScheduler, d, draws };
  }

  it('puts a waiting unit on cpumask_any() of its hard affinity, drawn from the host Rng', () => {
    const { x, s, d, draws } = full();
    const u = s.waitq[0]!;
    const hard = [2, 3, 5];
    x.hypercall({ op: 'domctl.setvcpuaffinity', domid: d, vcpu: u.vcpuId, hard });
    expect(draws.length).toBe(1);
    expect(u.processor).toBe(hard[draws[0]! % hard.length]);
    expect(s.waitq).toContain(u);
    // again: a new draw each time, not the unit's own pCPU kept
    const seen = new Set<number>();
    for (let i = 0; i < 12; i++) {
      x.hypercall({ op: 'domctl.setvcpuaffinity', domid: d, vcpu: u.vcpuId, hard: [1, 2, 3, 4, 5] });
      expect(u.processor).toBe(1 + (draws.at(-1)! % 5));
      seen.add(u.processor);
    }
    expect(draws.length).toBe(13);
    expect(seen.size).toBeGreaterThan(1);
  });

  it('draws nothing when the affinity allows one pCPU', () => {
    const { x, s, d, draws } = full();
    const u = s.waitq[1]!;
    x.hypercall({ op: 'domctl.setvcpuaffinity', domid: d, vcpu: u.vcpuId, hard: [4] });
    expect(draws).toEqual([]);
    expect(u.processor).toBe(4);
  });
});
