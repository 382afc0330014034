import { describe, expect, it } from 'vitest';
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
