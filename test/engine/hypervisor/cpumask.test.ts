import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CpuMask } from '../../../engine/hypervisor/cpumask';

describe('CpuMask', () => {
  it('is full exactly when every cpu is set, and empty exactly when none is, at any size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4096 }), fc.array(fc.nat(4095), { maxLength: 40 }), (size, clear) => {
        const m = CpuMask.all(size);
        expect(m.full).toBe(true);
        expect(m.weight).toBe(size);
        for (const c of clear) m.clear(c % size);
        const gaps = new Set(clear.map((c) => c % size)).size;
        expect(m.weight).toBe(size - gaps);
        expect(m.full).toBe(gaps === 0);
        expect(m.empty).toBe(gaps === size);
        expect(new CpuMask(size).empty).toBe(true);
        expect(CpuMask.of(size, [size - 1]).empty).toBe(false);
        expect(CpuMask.of(size, [size - 1]).full).toBe(size === 1);
      }),
      { numRuns: 200 },
    );
  });

  it('prints xl ranges, "all" when full', () => {
    expect(CpuMask.all(64).toString()).toBe('all');
    expect(CpuMask.of(64, [0, 1, 2, 3, 8, 10, 11]).toString()).toBe('0-3,8,10-11');
  });
});
