import { describe, expect, it } from 'vitest';
import { MILLISECS } from '../../../../engine/hypervisor/clock';
import { boot, guest, poolOn, topo } from './helpers';

const cpuOf = (x: ReturnType<typeof boot>, domid: number): number => {
  const v = x.hypercall({ op: 'domctl.getvcpuinfo', domid })[0]!;
  return v.runstate === 'running' ? v.cpu : -1;
};

describe('credit2 runq_candidate', () => {
  // Xen 4.17's runq_candidate() (credit2.c): a running unit with a soft affinity that
  // does not hold this pCPU is not kept as the default candidate when an idle, untickled
  // pCPU of its runqueue is in its soft affinity (soft_aff_preempt): idle is the default,
  // the unit goes back on the runqueue in context_saved() and runq_tickle() sends it to
  // that pCPU. Here a runs on pCPU 1 while b (pinned to pCPU 2, a's soft affinity) runs;
  // once b blocks, a's next schedule on pCPU 1 moves it to pCPU 2.
  it('moves a running unit off a pCPU outside its soft affinity when a soft-affine pCPU idles', () => {
    const x = boot('credit2', topo(1, 3));
    const pool = poolOn(x, 'p', 'credit2', [1, 2]);
    const b = guest(x, 'b', { pool, workload: { kind: 'io', burnUs: 1000, blockUs: 40000 } });
    x.hypercall({ op: 'domctl.setvcpuaffinity', domid: b, vcpu: 0, hard: [2] });
    const a = guest(x, 'a', { pool, workload: { kind: 'cpu' } });
    x.hypercall({ op: 'domctl.setvcpuaffinity', domid: a, vcpu: 0, soft: [2] });
    x.clock.runFor(MILLISECS(100));
    let soft = 0;
    let running = 0;
    for (let i = 0; i < 400; i++) {
      x.clock.runFor(MILLISECS(0.5));
      const c = cpuOf(x, a);
      if (c < 0) continue;
      running++;
      if (c === 2) soft++;
    }
    // b runs about 1 ms in 41: a is on pCPU 2 except while b runs and until a's slice
    // on pCPU 1 ends (at most 10 ms, CSCHED2_MAX_TIMER)
    expect(running).toBeGreaterThan(390);
    expect(soft / running).toBeGreaterThan(0.6);
  });
});
