import { describe, expect, it } from 'vitest';
import { poolPart, pressR } from './dump-helpers';
import { boot, topo } from './helpers';

describe("credit2's runqueue ids (cpu_add_to_runqueue of Xen 4.17)", () => {
  it('gives a new runqueue the first unused id, at its place in the id-ordered list', () => {
    // three sockets of one pCPU: one runqueue each (credit2_runqueue=socket)
    const x = boot('credit2', topo(3, 1));
    const rqs = (): { id: number; cpus: number[] }[] => x.hypercall({ op: 'sim.credit2_runqueues', poolId: 0 }).runqueues;
    expect(rqs()).toEqual([
      { id: 0, cpus: [0] },
      { id: 1, cpus: [1] },
      { id: 2, cpus: [2] },
    ]);
    x.hypercall({ op: 'sysctl.cpupool_op.rmcpu', poolId: 0, cpus: [1] });
    expect(rqs()).toEqual([
      { id: 0, cpus: [0] },
      { id: 2, cpus: [2] },
    ]);
    // pCPU 1 comes back: runqueue 1 again (not a second "Runqueue 2"), listed between 0 and 2
    x.hypercall({ op: 'sysctl.cpupool_op.addcpu', poolId: 0, cpus: [1] });
    expect(rqs()).toEqual([
      { id: 0, cpus: [0] },
      { id: 1, cpus: [1] },
      { id: 2, cpus: [2] },
    ]);
    expect(poolPart(pressR(x), 0).filter((l) => /^Runqueue \d+:$/.test(l))).toEqual(['Runqueue 0:', 'Runqueue 1:', 'Runqueue 2:', 'Runqueue 0:', 'Runqueue 1:', 'Runqueue 2:']);
  });
});
