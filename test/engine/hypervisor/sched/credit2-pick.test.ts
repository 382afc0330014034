import { describe, expect, it } from 'vitest';
import { MILLISECS } from '../../../../engine/hypervisor/clock';
import { boot, guest, poolOn, topo } from './helpers';

describe('credit2 res_pick', () => {
  // csched2_res_pick() in Xen 4.17 takes, in the runqueue it chose,
  // cpumask_cycle(rqd->pick_bias, ...): the first pCPU of the unit's affinity after the
  // last one picked, idle or not, and moves the bias there. It does not look for an idle
  // pCPU: runq_tickle() does that when the unit wakes.
  it("places a new unit on the pCPU after the runqueue's last pick, even if that one is busy", () => {
    const x = boot('credit2', topo(1, 5));
    const pool = poolOn(x, 'p', 'credit2', [1, 2, 3, 4]); // one runqueue; pick_bias starts at 1
    const doms = ['a', 'b', 'c', 'd'].map((n) => guest(x, n, { pool, workload: { kind: 'cpu' } }));
    expect(doms.map((d) => x.hypercall({ op: 'domctl.getvcpuinfo', domid: d })[0]!.cpu)).toEqual([2, 3, 4, 1]);
    x.clock.runFor(MILLISECS(1));
    // d leaves pCPU 1 idle; the next pick after 1 is pCPU 2, where a runs
    x.hypercall({ op: 'domctl.pausedomain', domid: doms[3]! });
    expect(x.hypercall({ op: 'domctl.getvcpuinfo', domid: doms[0]! })[0]!.runstate).toBe('running');
    const w = guest(x, 'w', { pool });
    expect(x.hypercall({ op: 'domctl.getvcpuinfo', domid: w })[0]!.cpu).toBe(2);
  });
});
