import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CpuBits } from '../../../../engine/hypervisor/sched/cpu-bits';

describe('CpuBits', () => {
  // cpumask_test_or_cycle(start, mask): start when set, else the next set pCPU after
  // it, wrapping past the last; none when the mask is empty
  it('firstFrom(start) is the first set pCPU at or after start, cycling', () => {
    const N = 70; // three words, the last one partly used
    const op = fc.tuple(fc.integer({ min: 0, max: 2 }), fc.nat(N - 1));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const s = new CpuBits(N);
        const model = new Set<number>();
        const first = (start: number): number => {
          for (let i = 0; i < N; i++) if (model.has((start + i) % N)) return (start + i) % N;
          return -1;
        };
        for (const [kind, cpu] of ops) {
          if (kind === 0) {
            s.add(cpu);
            model.add(cpu);
          } else if (kind === 1) {
            s.delete(cpu);
            model.delete(cpu);
          } else expect(s.firstFrom(cpu)).toBe(first(cpu));
          expect(s.size).toBe(model.size);
          expect(s.has(cpu)).toBe(model.has(cpu));
        }
        for (let c = 0; c < N; c++) expect(s.firstFrom(c)).toBe(first(c));
      }),
    );
  });
});
