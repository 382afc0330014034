import { describe, expect, it } from 'vitest';
import { Topology } from '../../../../engine/hypervisor/topology';
import { firstUnusedRunqueueId, MAX_CPUS_RUNQ, runqueueFor, type Credit2RunqueueKind } from '../../../../engine/hypervisor/sched/credit2-arrangement';

/** The runqueues' pCPUs after the host's pCPUs join a credit2 pool in order, as at boot. */
function groups(topo: Topology, kind: Credit2RunqueueKind, max = MAX_CPUS_RUNQ, order?: number[]): number[][] {
  const rqs: { cpus: number[]; pickBias: number }[] = [];
  for (const c of order ?? range(0, topo.nrCpus)) {
    const k = runqueueFor(topo, kind, max, c, rqs);
    if (k >= 0) rqs[k]!.cpus.push(c);
    else rqs.push({ cpus: [c], pickBias: c });
  }
  return rqs.map((r) => [...r.cpus].sort((a, b) => a - b));
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

  it('a socket of 24 threads over the cap of 16: the cap is evened out over the host (48 / 3 = 16), so 16 + 8', () => {
    expect(groups(topo, 'socket')).toEqual([range(0, 16), range(16, 8), range(24, 16), range(40, 8)]);
  });

  it('a socket under the cap is one runqueue; all is cut at the evened-out cap', () => {
    expect(groups(topo, 'socket', 24)).toEqual([range(0, 24), range(24, 24)]);
    expect(groups(topo, 'all', 48)).toEqual([range(0, 48)]);
    expect(groups(topo, 'all', 16)).toEqual([range(0, 16), range(16, 16), range(32, 16)]);
    // one node of 48: min_rqs 2, max_cpus_runq 24
    expect(groups(topo, 'node', 32)).toEqual([range(0, 24), range(24, 24)]);
  });

  it('never separates hyperthread siblings, and an odd cap is evened out to whole cores', () => {
    // min_rqs = 47 / 5 + 1 = 10, max_cpus_runq = 48 / 10 = 4: two cores a runqueue
    const gs = groups(topo, 'all', 5);
    expect(gs).toHaveLength(12);
    for (const g of gs) expect(g).toEqual(range(g[0]!, 4));
    // a sibling joins its sibling's runqueue even when that is full (Xen only warns)
    expect(groups(topo, 'all', 1)).toEqual(Array.from({ length: 24 }, (_, i) => range(2 * i, 2)));
  });

  it('a pCPU goes to the least full runqueue of its kind with room for it and its sibling', () => {
    const a = { cpus: range(0, 10), pickBias: 0 };
    const b = { cpus: range(12, 2), pickBias: 12 };
    const other = { cpus: range(24, 2), pickBias: 24 };
    expect(runqueueFor(topo, 'socket', 16, 16, [a, b, other])).toBe(1);
    expect(runqueueFor(topo, 'socket', 16, 16, [other, a])).toBe(1);
    // its sibling's runqueue (pCPU 8 is 9's), though b is less full
    expect(runqueueFor(topo, 'socket', 16, 9, [b, { cpus: range(0, 9), pickBias: 0 }])).toBe(1);
    // room for one more core at 7 cores (16 pCPUs with it), none at 8
    expect(runqueueFor(topo, 'socket', 16, 16, [{ cpus: range(0, 14), pickBias: 3 }])).toBe(0);
    expect(runqueueFor(topo, 'socket', 16, 16, [{ cpus: range(0, 16), pickBias: 3 }])).toBe(-1);
    // a runqueue holding one thread of each of 8 cores has room for no other core
    expect(runqueueFor(topo, 'socket', 16, 16, [{ cpus: range(0, 8).map((i) => 2 * i), pickBias: 0 }])).toBe(-1);
    // another socket's runqueue never matches
    expect(runqueueFor(topo, 'socket', 16, 30, [a, b])).toBe(-1);
  });

  it('a new runqueue takes the first unused id (cpu_add_to_runqueue)', () => {
    expect(firstUnusedRunqueueId([])).toBe(0);
    expect(firstUnusedRunqueueId([{ id: 0 }, { id: 1 }])).toBe(2);
    expect(firstUnusedRunqueueId([{ id: 0 }, { id: 2 }, { id: 3 }])).toBe(1);
  });
});
