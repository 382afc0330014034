import { describe, expect, it } from 'vitest';
import { boot, cpuTime, guest, poolOn, run, topo } from './helpers';
import type { Credit2Scheduler } from '../../../../engine/hypervisor/sched/credit2';
import { Xen } from '../../../../engine/hypervisor/xen';

describe('credit2 runqueues and load balancing', () => {
  it('makes one runqueue per socket by default, at most 16 pCPUs each (evened out over the host), siblings together', () => {
    const x = boot('credit2', { sockets: 2, coresPerSocket: 18, threadsPerCore: 2, memoryMiB: 65536, x2apic: false });
    const s = x.pools.pool(0).sched as Credit2Scheduler;
    const rqs = s.runqueues();
    // cpu_add_to_runqueue() evens the cap out over the host's 72 pCPUs: min_rqs = 71 / 16 + 1
    // = 5, max_cpus_runq = 72 / 5 = 14, filled in pCPU order: 14 + 14 + 8 a socket
    expect(rqs.map((r) => r.cpus.length)).toEqual([14, 14, 8, 14, 14, 8]);
    for (const r of rqs) {
      const sockets = new Set(r.cpus.map((c) => x.topology.cpuSocket[c]));
      expect(sockets.size).toBe(1);
      for (const c of r.cpus) expect(r.cpus).toContain(c ^ 1); // the hyperthread sibling
    }
    const z = Xen.boot({ seed: 1, topology: topo(2, 4), credit2Runqueue: 'all', credit2MaxCpusRunqueue: 4 });
    expect((z.pools.pool(0).sched as Credit2Scheduler).runqueues().map((r) => r.cpus)).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ]);
    const w = Xen.boot({ seed: 1, topology: topo(2, 4), credit2Runqueue: 'core' });
    expect((w.pools.pool(0).sched as Credit2Scheduler).runqueues()).toHaveLength(8);
    const y = boot('credit2', topo(2, 4));
    expect((y.pools.pool(0).sched as Credit2Scheduler).runqueues().map((r) => r.cpus)).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ]);
  });

  it('evens runqueue load across sockets within its window', () => {
    const x = boot('credit2', topo(2, 2));
    const s = x.pools.pool(0).sched as Credit2Scheduler;
    // eight idle vCPUs, spread over both sockets' runqueues; then the four on one
    // runqueue turn CPU-bound: two pCPUs for four hogs, two pCPUs idle
    const d = guest(x, 'g', { vcpus: 8 });
    run(x, 1);
    const units = x.pools.unitsOfDomid(d);
    const rq0 = units.filter((u) => s.runqueueOf(u.processor) === 0);
    expect(rq0.length).toBeGreaterThanOrEqual(4);
    for (const u of rq0.slice(0, 4)) x.pools.core.setWorkload(u, { kind: 'cpu' });
    run(x, 0.05);
    const hogsOn = (rq: number): number => rq0.slice(0, 4).filter((u) => s.runqueueOf(u.processor) === rq).length;
    expect(hogsOn(0)).toBe(4);
    run(x, 2);
    expect(hogsOn(0)).toBe(2);
    expect(hogsOn(1)).toBe(2);
    expect(s.migrations).toBeGreaterThan(0);
    // over the next second the four hogs get the four pCPUs
    const t0 = cpuTime(x, d);
    run(x, 1);
    expect((cpuTime(x, d) - t0) / 1e9).toBeGreaterThan(3.9);
  });
});

describe('CPU pools isolate', () => {
  it('a CPU hog in one pool does not slow another pool’s domains', () => {
    const x = boot('credit2', topo(1, 4));
    const quiet = poolOn(x, 'quiet', 'credit', [2, 3]);
    const a = guest(x, 'worker', { pool: quiet, vcpus: 2, workload: { kind: 'cpu' } });
    run(x, 1);
    const alone = cpuTime(x, a);
    guest(x, 'hog', { vcpus: 8, workload: { kind: 'cpu' } }); // in Pool-0, pCPUs 0-1
    run(x, 1);
    const withHog = cpuTime(x, a) - alone;
    expect(alone / 1e9).toBeGreaterThan(1.98);
    expect(withHog).toBeGreaterThanOrEqual(alone * 0.999);
    const m = x.hypercall({ op: 'sim.sched_metrics' });
    expect(m.pools.map((p) => [p.name, p.sched, p.nCpus])).toEqual([
      ['Pool-0', 'credit2', 2],
      ['quiet', 'credit', 2],
    ]);
    // the hog ran only on Pool-0's pCPUs
    for (const v of x.hypercall({ op: 'domctl.getvcpuinfo', domid: 2 })) expect([0, 1]).toContain(v.cpu);
  });
});
