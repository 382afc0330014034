import { describe, expect, it } from 'vitest';
import { boot, guest, topo } from './helpers';
import type { SchedulerName } from '../../../../engine/hypervisor/sched/scheduler';
import type { Unit } from '../../../../engine/hypervisor/sched/core';
import { MILLISECS } from '../../../../engine/hypervisor/clock';
import type { Xen } from '../../../../engine/hypervisor/xen';
import type { WorkloadSpec } from '../../../../engine/hypervisor/sched/workload';

const MIX: WorkloadSpec = { kind: 'mix', parts: [{ weight: 2, spec: { kind: 'io', burnUs: 800, blockUs: 600 } }, { weight: 1, spec: { kind: 'latency', idleUs: 500, burstUs: 60 } }, { weight: 1, spec: { kind: 'cpu' } }] };

/** Step the host event by event, charging each running vCPU's time to the pCPU it is on. */
function watch(x: Xen, ms: number, each: (u: Unit, cpu: number, dt: number) => void): void {
  const until = x.clock.now + MILLISECS(ms);
  const core = x.pools.core;
  let last = x.clock.now;
  while (x.clock.nextDue <= until) {
    x.clock.step();
    const now = x.clock.now;
    const dt = now - last;
    for (let c = 0; c < core.nrCpus; c++) {
      const u = core.curr(c);
      if (u) each(u, c, dt);
    }
    last = now;
  }
}

describe.each(['credit', 'credit2', 'rtds', 'null'] as SchedulerName[])('%s affinity', (sched) => {
  it('never runs a vCPU outside its hard affinity', () => {
    const x = boot(sched, topo(2, 2, 2));
    const doms = [0, 1, 2, 3, 4, 5].map((i) => guest(x, `g${i}`, { vcpus: 2, workload: MIX }));
    // pin some vCPUs to single pCPUs, some to a socket, some to odd pCPUs
    x.hypercall({ op: 'domctl.setvcpuaffinity', domid: doms[0]!, vcpu: 0, hard: [3] });
    x.hypercall({ op: 'domctl.setvcpuaffinity', domid: doms[0]!, vcpu: 1, hard: [3] });
    x.hypercall({ op: 'domctl.setvcpuaffinity', domid: doms[1]!, vcpu: 0, hard: [4, 5, 6, 7] });
    x.hypercall({ op: 'domctl.setvcpuaffinity', domid: doms[2]!, vcpu: 1, hard: [1, 3, 5, 7] });
    x.hypercall({ op: 'domctl.setvcpuaffinity', domid: doms[3]!, vcpu: 0, hard: [0, 1], soft: [1] });
    let checked = 0;
    watch(x, 300, (u, cpu) => {
      checked++;
      expect(u.vcpu.hardAffinity.has(cpu)).toBe(true);
      expect(u.vcpu.processor).toBe(cpu);
    });
    expect(checked).toBeGreaterThan(sched === "null" ? 100 : 1000);
    // change affinity while running: still honoured
    x.hypercall({ op: 'domctl.setvcpuaffinity', domid: doms[1]!, vcpu: 0, hard: [0] });
    x.hypercall({ op: 'domctl.setvcpuaffinity', domid: doms[0]!, vcpu: 0, hard: [6, 7] });
    watch(x, 200, (u, cpu) => expect(u.vcpu.hardAffinity.has(cpu)).toBe(true));
  });
});

describe('credit2 soft affinity', () => {
  it('runs vCPUs on their soft-affine pCPUs when it can', () => {
    const x = boot('credit2', topo(2, 2));
    // two vCPUs soft-affine to socket 1 (pCPUs 2-3), the host not saturated
    const a = guest(x, 'a', { vcpus: 2, workload: { kind: 'io', burnUs: 2000, blockUs: 2000 } });
    guest(x, 'b', { vcpus: 2, workload: { kind: 'io', burnUs: 2000, blockUs: 2000 } });
    for (const v of [0, 1]) x.hypercall({ op: 'domctl.setvcpuaffinity', domid: a, vcpu: v, soft: [2, 3] });
    let soft = 0;
    let total = 0;
    watch(x, 2000, (u, cpu, dt) => {
      if (u.domid !== a) return;
      total += dt;
      if (cpu >= 2) soft += dt;
    });
    expect(total).toBeGreaterThan(MILLISECS(500));
    expect(soft / total).toBeGreaterThan(0.9);
  });
});
