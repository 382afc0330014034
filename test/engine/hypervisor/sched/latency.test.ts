import { describe, expect, it } from 'vitest';
import { boot, guest, run, topo } from './helpers';
import type { SchedulerName } from '../../../../engine/hypervisor/sched/scheduler';

/** A loaded host: more CPU-bound and I/O-like vCPUs than pCPUs, plus latency-sensitive ones. */
function loaded(sched: SchedulerName, seed: number): { p50: number; p99: number; max: number } {
  const x = boot(sched, topo(1, 4), seed);
  guest(x, 'batch', { vcpus: 6, workload: { kind: 'cpu' } });
  guest(x, 'io', { vcpus: 6, workload: { kind: 'io', burnUs: 3000, blockUs: 3000 } });
  const lat = guest(x, 'lat', { vcpus: 2, workload: { kind: 'latency', idleUs: 3000, burstUs: 100 } });
  run(x, 10);
  return x.hypercall({ op: 'sim.sched_metrics', domid: lat }).domains[0]!.wakeLatency;
}

describe('wake-up latency on a loaded host (the claim of the 4.1 credit2 seed)', () => {
  it('is lower at p99 under credit2 than under credit', () => {
    for (const seed of [1, 2]) {
      const c1 = loaded('credit', seed);
      const c2 = loaded('credit2', seed);
      console.log(`seed ${seed}: credit p50 ${(c1.p50 / 1e3).toFixed(0)} µs p99 ${(c1.p99 / 1e3).toFixed(0)} µs max ${(c1.max / 1e3).toFixed(0)} µs; credit2 p50 ${(c2.p50 / 1e3).toFixed(0)} µs p99 ${(c2.p99 / 1e3).toFixed(0)} µs max ${(c2.max / 1e3).toFixed(0)} µs`);
      expect(c2.p99).toBeLessThan(c1.p99);
    }
  });
});
