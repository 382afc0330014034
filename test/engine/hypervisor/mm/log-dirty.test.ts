import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LogDirty, bitmapPfns } from '../../../../engine/hypervisor/mm/log-dirty';

describe('LogDirty (XEN_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY / CLEAN / PEEK)', () => {
  it('marks nothing while off; enabling twice is EINVAL', () => {
    const ld = new LogDirty();
    ld.mark(3);
    expect(ld.op('peek', 64).stats.dirtyCount).toBe(0);
    ld.enable(7);
    expect(() => ld.enable(7)).toThrowError(/already enabled for domain 7/);
  });

  it('peek keeps the bits, clean returns and clears them and resets the counters', () => {
    const ld = new LogDirty();
    ld.enable(1);
    for (const p of [0, 9, 9, 40000, 2 ** 28 + 5]) ld.mark(p);
    const peek = ld.op('peek', 2 ** 28 + 8);
    expect(peek.stats).toEqual({ faultCount: 4, dirtyCount: 4 });
    expect(bitmapPfns(peek.bitmap!)).toEqual([0, 9, 40000, 2 ** 28 + 5]);
    // a narrower clean only covers its own pfns
    const c1 = ld.op('clean', 10);
    expect(bitmapPfns(c1.bitmap!)).toEqual([0, 9]);
    expect([...ld.dirtyPfns()]).toEqual([40000, 2 ** 28 + 5]);
    expect(ld.op('clean', 2 ** 28 + 8, false)).toEqual({ bitmap: undefined, stats: { faultCount: 0, dirtyCount: 0 } });
    expect([...ld.dirtyPfns()]).toEqual([]);
  });

  it('off frees the bitmap', () => {
    const ld = new LogDirty();
    ld.enable(1);
    ld.mark(1);
    ld.disable();
    expect(ld.isDirty(1)).toBe(false);
    expect(ld.enabled).toBe(false);
  });

  it('property: clean returns exactly the pfns marked since the previous clean', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.integer({ min: 0, max: 100_000 }), { maxLength: 30 }), { maxLength: 5 }), (rounds) => {
        const ld = new LogDirty();
        ld.enable(1);
        for (const round of rounds) {
          for (const p of round) ld.mark(p);
          const want = [...new Set(round)].sort((a, b) => a - b);
          const { bitmap, stats } = ld.op('clean', 100_001);
          expect(bitmapPfns(bitmap!)).toEqual(want);
          expect(stats.dirtyCount).toBe(want.length);
        }
      }),
    );
  });
});
