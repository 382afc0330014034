import { describe, expect, it } from 'vitest';
import { boot, cpuTime, guest, run, topo } from './helpers';
import { SECONDS } from '../../../../engine/hypervisor/clock';
import { LatencyStats } from '../../../../engine/hypervisor/sched/metrics';
import type { SchedulerName } from '../../../../engine/hypervisor/sched/scheduler';

const ALL: SchedulerName[] = ['credit', 'credit2', 'rtds', 'null'];

describe('the dispatch loop', () => {
  it.each(ALL)('%s: runstate times of every vCPU add up to the elapsed time', (sched) => {
    const x = boot(sched, topo(1, 4));
    const a = guest(x, 'a', { vcpus: 2, workload: { kind: 'io', burnUs: 500, blockUs: 800 } });
    guest(x, 'b', { vcpus: 1, workload: { kind: 'cpu' } });
    run(x, 2);
    for (const v of x.hypercall({ op: 'sim.sched_metrics', domid: a, vcpus: true }).vcpus!) {
      const r = v.runstate;
      expect(r.running + r.runnable + r.blocked + r.offline).toBeCloseTo(SECONDS(2), -1);
      expect(r.running).toBeGreaterThan(0);
      expect(r.blocked).toBeGreaterThan(0);
    }
  });

  it.each(ALL)('%s: a paused domain gets no CPU time, and runs again when unpaused', (sched) => {
    const x = boot(sched, topo(1, 2));
    const a = guest(x, 'a', { workload: { kind: 'cpu' } });
    run(x, 1);
    const t1 = cpuTime(x, a);
    expect(t1).toBeGreaterThan(0.9e9);
    x.hypercall({ op: 'domctl.pausedomain', domid: a });
    run(x, 1);
    expect(cpuTime(x, a)).toBe(t1);
    expect(x.hypercall({ op: 'domctl.getvcpuinfo', domid: a })[0]!.runstate).toBe('offline');
    x.hypercall({ op: 'domctl.unpausedomain', domid: a });
    run(x, 1);
    expect(cpuTime(x, a) - t1).toBeGreaterThan(0.9e9);
    x.hypercall({ op: 'domctl.destroydomain', domid: a });
    run(x, 1); // nothing of it is left on the pCPUs
    expect(x.hypercall({ op: 'sim.sched_metrics' }).pools[0]!.nDom).toBe(1);
    // a host-wide sampler asks for the pCPUs without every domain's figures
    const all = x.hypercall({ op: 'sim.sched_metrics', pcpus: true });
    const lean = x.hypercall({ op: 'sim.sched_metrics', pcpus: true, domains: false });
    expect(all.domains.length).toBe(1);
    expect(lean.domains).toEqual([]);
    expect(lean.pcpus).toEqual(all.pcpus);
    // and without the pools' figures (a walk over every unit) when it reads none of them
    const leaner = x.hypercall({ op: 'sim.sched_metrics', pcpus: true, domains: false, pools: false });
    expect(all.pools.length).toBe(1);
    expect(leaner.pools).toEqual([]);
    expect(leaner.pcpus).toEqual(all.pcpus);
  });

  it('replays exactly from its seed, and differs with another seed', () => {
    const once = (seed: number): string => {
      const x = boot('credit2', topo(1, 2), seed);
      for (let i = 0; i < 4; i++) guest(x, `g${i}`, { vcpus: 2, workload: { kind: 'mix', parts: [{ weight: 1, spec: { kind: 'io', burnUs: 300, blockUs: 700 } }, { weight: 1, spec: { kind: 'latency', idleUs: 1000, burstUs: 40 } }] } });
      run(x, 1);
      return JSON.stringify(x.hypercall({ op: 'sim.sched_metrics', vcpus: true, pcpus: true }));
    };
    expect(once(5)).toBe(once(5));
    expect(once(5)).not.toBe(once(6));
  });

  it('measures wake-up latency per vCPU, domain and pool (p50, p99, max)', () => {
    const x = boot('credit2', topo(1, 1));
    const l = guest(x, 'lat', { workload: { kind: 'latency', idleUs: 2000, burstUs: 50 } });
    guest(x, 'hog', { workload: { kind: 'cpu' } });
    run(x, 2);
    const m = x.hypercall({ op: 'sim.sched_metrics', domid: l, vcpus: true, pcpus: true });
    const d = m.domains[0]!;
    expect(d.wakeLatency.count).toBeGreaterThan(300);
    expect(d.wakeLatency.p50).toBeLessThanOrEqual(d.wakeLatency.p99);
    expect(d.wakeLatency.p99).toBeLessThanOrEqual(d.wakeLatency.max);
    expect(m.vcpus![0]!.wakeLatency.count).toBe(d.wakeLatency.count);
    expect(m.pools[0]!.utilisation).toBeGreaterThan(0.95);
    expect(m.pcpus![0]!.contextSwitches).toBeGreaterThan(500);
    expect(m.pcpus![0]!.wakeLatency.count).toBeGreaterThanOrEqual(d.wakeLatency.count);
  });

  it('keeps percentiles within the histogram resolution', () => {
    const s = new LatencyStats();
    for (let i = 1; i <= 10000; i++) s.record(i * 1000);
    expect(Math.abs(s.quantile(0.5) - 5e6) / 5e6).toBeLessThan(0.07);
    expect(Math.abs(s.quantile(0.99) - 9.9e6) / 9.9e6).toBeLessThan(0.07);
    expect(s.max).toBe(1e7);
  });
});
