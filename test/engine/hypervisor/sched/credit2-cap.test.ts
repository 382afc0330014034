import { describe, expect, it } from 'vitest';
import { MICROSECS, MILLISECS, SECONDS } from '../../../../engine/hypervisor/clock';
import { boot, cpuTime, guest, poolOn, topo } from './helpers';

describe('credit2 cap', () => {
  // csched2_runtime() (Xen 4.17) cuts a capped unit's slice to its budget BEFORE the
  // floor of CSCHED2_MIN_TIMER and the ratelimit: a unit with less budget than that
  // still runs that long, and its overrun is taken from its domain's next budgets
  // (unit_grab_budget adds the unit's negative budget to the domain's)
  it('runs a capped unit at least the minimum slice, and keeps the cap over time', () => {
    const x = boot('credit2', topo(1, 2));
    const pool = poolOn(x, 'p', 'credit2', [1]);
    const d = guest(x, 'capped', { pool, workload: { kind: 'cpu' } });
    // 3 % of a pCPU: 300 µs of budget each 10 ms, less than the 1 ms ratelimit
    x.hypercall({ op: 'domctl.scheduler_op', domid: d, sched: 'credit2', cmd: 'putinfo', params: { cap: 3 } });
    x.clock.runFor(MILLISECS(100));
    const t0 = cpuTime(x, d);
    let run = 0;
    let longest = 0;
    for (let i = 0; i < 20_000; i++) {
      x.clock.runFor(MICROSECS(50));
      const v = x.hypercall({ op: 'domctl.getvcpuinfo', domid: d })[0]!;
      run = v.runstate === 'running' ? run + 1 : 0;
      if (run > longest) longest = run;
    }
    // runs of 1 ms (20 samples of 50 µs), not of 300 µs
    expect(longest).toBeGreaterThanOrEqual(19);
    expect((cpuTime(x, d) - t0) / SECONDS(1)).toBeLessThan(0.035);
    expect((cpuTime(x, d) - t0) / SECONDS(1)).toBeGreaterThan(0.025);
  });
});
