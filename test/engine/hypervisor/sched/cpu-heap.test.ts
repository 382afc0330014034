import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CpuHeap } from '../../../../engine/hypervisor/sched/cpu-heap';

describe('CpuHeap', () => {
  it('removing a pCPU in one branch keeps the order of the others', () => {
    // added in this order the heap is [0, 100, 1, 101, 102, 200, 3] (keys); removing the
    // pCPU keyed 101 moves the one keyed 3 under 100, where it must sift up
    const key = [0, 100, 1, 101, 102, 200, 3];
    const h = new CpuHeap(key.length, (a, b) => key[a]! < key[b]!);
    for (let c = 0; c < key.length; c++) h.update(c);
    h.remove(3);
    const order: number[] = [];
    while (h.size > 0) {
      const c = h.top();
      order.push(key[c]!);
      h.remove(c);
    }
    expect(order).toEqual([0, 1, 3, 100, 102, 200]);
  });

  it('keeps at its top the pCPU a walk over its members would pick, through adds, re-keys and removals', () => {
    const N = 300;
    // op: 0 add or re-key pCPU a with key b, 1 remove pCPU a
    const op = fc.tuple(fc.integer({ min: 0, max: 1 }), fc.nat(N - 1), fc.nat(50));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 2000 }), (ops) => {
        const key = new Float64Array(N);
        // ties go to the lower pCPU number, as a walk in pCPU order would
        const h = new CpuHeap(N, (a, b) => key[a]! < key[b]! || (key[a] === key[b] && a < b));
        const members = new Set<number>();
        for (const [k, cpu, v] of ops) {
          if (k === 0) {
            key[cpu] = v;
            h.update(cpu);
            members.add(cpu);
          } else {
            h.remove(cpu);
            members.delete(cpu);
          }
          let best = -1;
          for (const c of members) if (best < 0 || key[c]! < key[best]! || (key[c] === key[best] && c < best)) best = c;
          expect(h.top()).toBe(best);
          expect(h.size).toBe(members.size);
          expect(h.has(cpu)).toBe(members.has(cpu));
        }
      }),
      { numRuns: 50 },
    );
  });
});
