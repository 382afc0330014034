import { describe, expect, it } from 'vitest';
import { Topology } from '../../../../engine/hypervisor/topology';
import { firstUnusedRunqueueId, MAX_CPUS_RUNQ, runqueueKey, type Credit2RunqueueKind } from '../../../../engine/hypervisor/sched/credit2-arrangement';

/** pCPU numbers grouped by their key, in order of first appearance. */
function groups(topo: Topology, kind: Credit2RunqueueKind, max = MAX_CPUS_RUNQ): number[][] {
  const by = new Map<string, number[]>();
  for (let c = 0; c < topo.nrCpus; c++) {
    const k = runqueueKey(topo, kind, max, c);
    const g = by.get(k) ?? [];
    g.push(c);
    by.set(k, g);
  }
  return [...by.values()];
}

const range = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);

describe('credit2 runqueue arrangement', () => {
  const topo = new Topology({ sockets: 2, nodes: 1, coresPerSocket: 12, threadsPerCore: 2, memoryMiB: 4096, x2apic: false });

  it('cpu and core give one runqueue a pCPU and a core (both threads)', () => {
    expect(groups(topo, 'cpu')).toHaveLength(48);
    const cores = groups(topo, 'core');
    expect(cores).toHaveLength(24);
    expect(cores[0]).toEqual([0, 1]);
    expect(cores[23]).toEqual([46, 47]);
  });

  it('a socket of 24 threads over the cap of 16 splits evenly on core boundaries', () => {
    expect(groups(topo, 'socket')).toEqual([range(0, 12), range(12, 12), range(24, 12), range(36, 12)]);
  });

  it('a socket under the cap is one runqueue; all is split into as few parts as the cap allows', () => {
    expect(groups(topo, 'socket', 24)).toEqual([range(0, 24), range(24, 24)]);
    expect(groups(topo, 'all', 48)).toEqual([range(0, 48)]);
    expect(groups(topo, 'all', 16)).toEqual([range(0, 16), range(16, 16), range(32, 16)]);
    expect(groups(topo, 'node', 32)).toEqual([range(0, 24), range(24, 24)]);
  });

  it('an odd cap never separates hyperthread siblings', () => {
    const gs = groups(topo, 'all', 5);
    expect(gs).toHaveLength(10);
    for (const g of gs) {
      expect(g[0]! % 2).toBe(0);
      expect(g.length % 2).toBe(0);
    }
  });

  it('a new runqueue takes the first unused id (cpu_add_to_runqueue)', () => {
    expect(firstUnusedRunqueueId([])).toBe(0);
    expect(firstUnusedRunqueueId([{ id: 0 }, { id: 1 }])).toBe(2);
    expect(firstUnusedRunqueueId([{ id: 0 }, { id: 2 }, { id: 3 }])).toBe(1);
  });
});
