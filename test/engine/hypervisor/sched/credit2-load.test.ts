import { describe, expect, it } from 'vitest';
import { MICROSECS, MILLISECS } from '../../../../engine/hypervisor/clock';
import { LOADAVG_GRANULARITY_SHIFT, LOADAVG_PRECISION_SHIFT } from '../../../../engine/hypervisor/sched/credit2';
import { boot, guest, poolOn, topo } from './helpers';

describe('credit2 load tracking', () => {
  // csched2_alloc_udata() in Xen 4.17: a new unit starts with an average load of 50 %
  // (1 << (load_precision_shift - 1)), and its runqueue's b_avgload gets that much more
  // when it is assigned there (_runq_assign)
  it('starts a new unit at half a vCPU of load', () => {
    const x = boot('credit2', topo(1, 3));
    const pool = poolOn(x, 'p', 'credit2', [1, 2]);
    const s = x.pools.pool(pool).sched as unknown as { tf: Float64Array; rqLoads: { f: Float64Array }; rqs: { slot: number }[] };
    const slot = s.rqs[0]!.slot;
    const before = s.rqLoads.f[slot * 4 + 2]!;
    const d = guest(x, 'g', { pool });
    const u = x.pools.unitsOfDomid(d)[0]!;
    expect(s.tf[u.idx * 8 + 3]).toBe(2 ** (LOADAVG_PRECISION_SHIFT - 1));
    expect(s.rqLoads.f[slot * 4 + 2]! - before).toBe(2 ** (LOADAVG_PRECISION_SHIFT - 1));
  });
});

describe('credit2 load of parked units', () => {
  // park_unit() (Xen 4.17): a unit without budget is not runnable (_VPF_parked); taken
  // off the runqueue it counts no more in the load (update_load(-1)), and context_saved()
  // does that for one parked while it ran; unpark_parked_units() counts it again
  it('counts a capped unit out of its runqueue load while it is parked', () => {
    const x = boot('credit2', topo(1, 2));
    const pool = poolOn(x, 'p', 'credit2', [1]);
    const d = guest(x, 'capped', { pool, workload: { kind: 'cpu' } });
    x.hypercall({ op: 'domctl.scheduler_op', domid: d, sched: 'credit2', cmd: 'putinfo', params: { cap: 10 } });
    const s = x.pools.pool(pool).sched as unknown as { runqueues(): { load: number }[] };
    x.clock.runFor(MILLISECS(50));
    const seen = new Map<string, number>();
    for (let i = 0; i < 200; i++) {
      x.clock.runFor(MICROSECS(370));
      const v = x.hypercall({ op: 'domctl.getvcpuinfo', domid: d })[0]!;
      const key = `${v.runstate}:${s.runqueues()[0]!.load}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    // about 10 % of the time running (load 1), else parked (runnable to the toolstack,
    // as the domain is not paused, but out of the runqueue's load)
    expect(seen.get('running:1')).toBeGreaterThan(5);
    expect(seen.get('runnable:0')).toBeGreaterThan(150);
    expect(seen.get('runnable:1')).toBeUndefined();
  });
});

describe('credit2 load updates in csched2_schedule', () => {
  // csched2_schedule() (Xen 4.17) brings the runqueue's load and snext's up to date
  // (update_load(..., 0, now)) when the running unit goes on, and the runqueue's alone
  // when the pCPU picks idle ("make sure avgload gets updated periodically"): the
  // averages are piecewise, so when they are updated changes their values
  it('updates the loads when the running unit goes on and when the pCPU stays idle', () => {
    const x = boot('credit2', topo(1, 3));
    const pool = poolOn(x, 'p', 'credit2', [1, 2]);
    const d = guest(x, 'g', { pool, workload: { kind: 'cpu' } });
    x.hypercall({ op: 'domctl.setvcpuaffinity', domid: d, vcpu: 0, hard: [1] });
    x.clock.runFor(MILLISECS(30));
    const s = x.pools.pool(pool).sched as unknown as { tf: Float64Array; rqLoads: { f: Float64Array }; rqs: { slot: number }[] };
    const u = x.pools.unitsOfDomid(d)[0]!;
    // load_last_update is kept in grains (now >> LOADAVG_GRANULARITY_SHIFT)
    const lastUpdate = (): number[] => [s.rqLoads.f[s.rqs[0]!.slot * 4 + 3]!, s.tf[u.idx * 8 + 4]!];
    const grain = (t: number): number => Math.floor(t / 2 ** LOADAVG_GRANULARITY_SHIFT);
    x.clock.runFor(MICROSECS(123));
    const t1 = x.clock.now;
    x.pools.core.tickle(1);
    x.clock.runFor(1);
    expect(x.pools.core.curr(1)).toBe(u);
    expect(lastUpdate()).toEqual([grain(t1), grain(t1)]);
    x.clock.runFor(MICROSECS(77));
    const t2 = x.clock.now;
    x.pools.core.tickle(2);
    x.clock.runFor(1);
    expect(x.pools.core.curr(2)).toBeNull();
    expect(lastUpdate()).toEqual([grain(t2), grain(t1)]);
  });
});
