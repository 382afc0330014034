import { describe, expect, it } from 'vitest';
import { MICROSECS, MILLISECS } from '../../../../engine/hypervisor/clock';
import { LOADAVG_PRECISION_SHIFT } from '../../../../engine/hypervisor/sched/credit2';
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
