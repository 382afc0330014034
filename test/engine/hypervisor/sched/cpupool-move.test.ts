import { describe, expect, it } from 'vitest';
import { boot, guest, topo } from './helpers';
import { errno } from '../errno-of';

describe("moving a domain to another pool (sched_move_domain of Xen 4.17)", () => {
  it('gives its vCPUs every pCPU as hard and soft affinity, and spreads them over the new pool from its first pCPU', () => {
    // null places a unit on its processor when that pCPU is free: the move's placement shows
    const x = boot('credit2', topo(1, 8));
    x.hypercall({ op: 'sysctl.cpupool_op.rmcpu', poolId: 0, cpus: [4, 5, 6] });
    const { poolId } = x.hypercall({ op: 'sysctl.cpupool_op.create', name: 'n', sched: 'null', cpus: [4, 5, 6] });
    const d = guest(x, 'g', { vcpus: 3, workload: { kind: 'cpu' } });
    for (let v = 0; v < 3; v++) x.hypercall({ op: 'domctl.setvcpuaffinity', domid: d, vcpu: v, hard: [1], soft: [2, 3] });
    x.hypercall({ op: 'sysctl.cpupool_op.movedomain', poolId, domid: d });
    const vcpus = x.hypercall({ op: 'domctl.getvcpuinfo', domid: d });
    expect(vcpus.map((v) => [v.hardAffinity, v.softAffinity])).toEqual([
      ['all', 'all'],
      ['all', 'all'],
      ['all', 'all'],
    ]);
    expect(vcpus.map((v) => v.cpu)).toEqual([4, 5, 6]);
  });

  it('is refused with EBUSY, changing nothing, while a vCPU has its affinity broken', () => {
    const x = boot('credit2', topo(1, 4));
    const d = guest(x, 'g', { vcpus: 2, workload: { kind: 'cpu' } });
    x.hypercall({ op: 'domctl.setvcpuaffinity', domid: d, vcpu: 1, hard: [3] });
    x.hypercall({ op: 'sysctl.cpupool_op.rmcpu', poolId: 0, cpus: [2, 3] });
    // pCPU 3 left Pool-0: vCPU 1's hard affinity has no pCPU there, Xen broke it
    const { poolId } = x.hypercall({ op: 'sysctl.cpupool_op.create', name: 'c', sched: 'credit', cpus: [2, 3] });
    expect(errno(() => x.hypercall({ op: 'sysctl.cpupool_op.movedomain', poolId, domid: d }))).toBe('EBUSY');
    expect(x.hypercall({ op: 'domctl.getdomaininfo', domid: d }).cpupoolId).toBe(0);
    expect(x.hypercall({ op: 'domctl.getvcpuinfo', domid: d })[1]!.hardAffinity).toBe('3');
    // pCPU 3 back in Pool-0 restores it; then the move goes through
    x.hypercall({ op: 'sysctl.cpupool_op.rmcpu', poolId, cpus: [3] });
    x.hypercall({ op: 'sysctl.cpupool_op.addcpu', poolId: 0, cpus: [3] });
    x.hypercall({ op: 'sysctl.cpupool_op.movedomain', poolId, domid: d });
    expect(x.hypercall({ op: 'domctl.getdomaininfo', domid: d }).cpupoolId).toBe(poolId);
  });
});
