import { describe, expect, it } from 'vitest';
import { boot, cpuTime, guest, poolOn, run } from './helpers';
import type { SchedulerName } from '../../../../engine/hypervisor/sched/scheduler';

describe.each(['credit', 'credit2'] as SchedulerName[])('%s weights and caps', (sched) => {
  it('gives two CPU-bound domains with weights 256 and 512 on one pCPU CPU time 1:2 within 2%', () => {
    const x = boot(sched);
    const pool = poolOn(x, 'one', sched, [1]);
    const a = guest(x, 'a', { pool, workload: { kind: 'cpu' } });
    const b = guest(x, 'b', { pool, workload: { kind: 'cpu' } });
    x.hypercall({ op: 'domctl.scheduler_op', domid: a, sched, cmd: 'putinfo', params: { weight: 256 } });
    x.hypercall({ op: 'domctl.scheduler_op', domid: b, sched, cmd: 'putinfo', params: { weight: 512 } });
    run(x, 20);
    const ta = cpuTime(x, a);
    const tb = cpuTime(x, b);
    expect(ta + tb).toBeGreaterThan(19.9e9);
    expect(Math.abs(tb / ta - 2) / 2).toBeLessThan(0.02);
  });

  it('keeps a CPU-bound domain with cap 50 at or below 50% of one pCPU', () => {
    const x = boot(sched);
    const pool = poolOn(x, 'one', sched, [1]);
    const a = guest(x, 'a', { pool, workload: { kind: 'cpu' } });
    x.hypercall({ op: 'domctl.scheduler_op', domid: a, sched, cmd: 'putinfo', params: { cap: 50 } });
    run(x, 1); // warm-up: the first accounting periods
    const t0 = cpuTime(x, a);
    run(x, 20);
    const share = (cpuTime(x, a) - t0) / 20e9;
    expect(share).toBeLessThanOrEqual(0.5);
    expect(share).toBeGreaterThan(0.45);
  });
});
