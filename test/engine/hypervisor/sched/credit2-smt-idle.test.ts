import { describe, expect, it } from 'vitest';
import { MILLISECS } from '../../../../engine/hypervisor/clock';
import { boot, guest, poolOn, topo } from './helpers';

describe('credit2 runq_tickle on hyperthreaded pCPUs', () => {
  // Xen 4.17's runq_tickle() (credit2.c) looks first at rqd->smt_idle, the pCPUs of fully
  // idle cores (every sibling idle and untickled), from the unit's processor on
  // (cpumask_test_or_cycle), and only then at any idle pCPU: a woken unit whose processor
  // is idle but whose sibling is busy goes to an idle core when there is one.
  it('wakes a unit on a fully idle core rather than on the idle sibling of a busy thread', () => {
    const x = boot('credit2', topo(1, 4, 2)); // pCPUs 2k and 2k+1 share core k
    const pool = poolOn(x, 'p', 'credit2', [2, 3, 4, 5, 6, 7]); // one runqueue (socket 0)
    const a = guest(x, 'a', { pool, workload: { kind: 'cpu' } });
    x.hypercall({ op: 'domctl.setvcpuaffinity', domid: a, vcpu: 0, hard: [2] });
    // w starts on pCPU 3, the sibling of a's pCPU, then may run anywhere in the pool
    const w = guest(x, 'w', { pool, workload: { kind: 'cpu' } });
    x.hypercall({ op: 'domctl.setvcpuaffinity', domid: w, vcpu: 0, hard: [3] });
    x.clock.runFor(MILLISECS(5));
    expect(x.hypercall({ op: 'domctl.getvcpuinfo', domid: w })[0]!.cpu).toBe(3);
    x.hypercall({ op: 'domctl.setvcpuaffinity', domid: w, vcpu: 0, hard: [2, 3, 4, 5, 6, 7] });
    x.hypercall({ op: 'sim.set_workload', domid: w, vcpu: 'all', workload: { kind: 'io', burnUs: 100, blockUs: 1000 } });
    x.clock.runFor(MILLISECS(50));
    const cpus = new Set<number>();
    for (let i = 0; i < 50; i++) {
      x.clock.runFor(MILLISECS(1));
      const v = x.hypercall({ op: 'domctl.getvcpuinfo', domid: w })[0]!;
      if (v.runstate === 'running') cpus.add(v.cpu);
    }
    // cores 2 and 3 (pCPUs 4-7) stay fully idle: w's wake-ups go there, never next to a
    expect(cpus.size).toBeGreaterThan(0);
    expect([...cpus].every((c) => c >= 4)).toBe(true);
  });

  // Among the candidates of a step, cpumask_test_or_cycle(cpu, mask) takes the unit's
  // processor, else the first candidate after it in cpu order (wrapping): not the lowest.
  it('wakes a unit whose processor is busy on the next idle pCPU after it, not on the lowest', () => {
    const x = boot('credit2', topo(1, 8));
    const pool = poolOn(x, 'p', 'credit2', [2, 3, 4, 5, 6, 7]);
    const busy = new Map<number, number>();
    for (const c of [2, 3, 4, 6, 7]) {
      const d = guest(x, `busy${c}`, { pool, workload: { kind: 'cpu' } });
      x.hypercall({ op: 'domctl.setvcpuaffinity', domid: d, vcpu: 0, hard: [c] });
      busy.set(c, d);
    }
    x.clock.runFor(MILLISECS(1));
    // w may run anywhere but finds only pCPU 5 idle, so it lives there; then pCPUs 3 and
    // 6 go idle, and a takes pCPU 5 while w sleeps
    const w = guest(x, 'w', { pool, workload: { kind: 'io', burnUs: 100, blockUs: 3000 } });
    x.hypercall({ op: 'domctl.setvcpuaffinity', domid: w, vcpu: 0, hard: [2, 3, 4, 5, 6, 7] });
    x.clock.runFor(MILLISECS(10));
    while (x.hypercall({ op: 'domctl.getvcpuinfo', domid: w })[0]!.runstate !== 'blocked') x.clock.runFor(MILLISECS(0.01));
    expect(x.hypercall({ op: 'domctl.getvcpuinfo', domid: w })[0]!.cpu).toBe(5);
    for (const c of [3, 6]) x.hypercall({ op: 'domctl.pausedomain', domid: busy.get(c)! });
    const a = guest(x, 'a', { pool, workload: { kind: 'cpu' } });
    x.hypercall({ op: 'domctl.setvcpuaffinity', domid: a, vcpu: 0, hard: [5] });
    const cpus = new Set<number>();
    for (let i = 0; i < 400; i++) {
      x.clock.runFor(MILLISECS(0.05));
      const v = x.hypercall({ op: 'domctl.getvcpuinfo', domid: w })[0]!;
      if (v.runstate === 'running') cpus.add(v.cpu);
    }
    // idle: 3 and 6; after 5 comes 6 (the lowest idle pCPU would be 3)
    expect([...cpus]).toEqual([6]);
  });
});
