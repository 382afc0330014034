import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { P2m, PAGE_ORDER_1G, PAGE_ORDER_2M, PAGE_ORDER_4K } from '../../../../engine/hypervisor/mm/p2m';

describe('p2m with 4K / 2M / 1G entries', () => {
  it('uses the largest entries alignment allows', () => {
    const p = new P2m();
    // 1 GiB + 2 MiB + 3 pages, gfn and mfn 1G-aligned
    p.setRange(0, 2 ** 18, 2 ** 18 + 512 + 3);
    expect(p.stats).toEqual({ entries4k: 3, entries2m: 1, entries1g: 1, pages: 2 ** 18 + 515 });
    expect(p.get(5)).toEqual({ mfn: 2 ** 18 + 5, order: PAGE_ORDER_1G, access: 'rwx' });
    expect(p.get(2 ** 18 + 7)!.order).toBe(PAGE_ORDER_2M);
    expect(p.get(2 ** 18 + 513)!.order).toBe(PAGE_ORDER_4K);
    expect(p.get(2 ** 18 + 515)).toBeUndefined();
  });

  it('falls back to 4K entries when the mfn is not aligned like the gfn', () => {
    const p = new P2m();
    p.setRange(0, 1, 1024);
    expect(p.stats.entries4k).toBe(1024);
    expect(p.stats.entries2m).toBe(0);
  });

  it('shatters a 1G entry when one page changes access, keeping the translation', () => {
    const p = new P2m();
    p.setRange(0, 0, 2 ** 18);
    p.setAccess(1000, 'rx');
    expect(p.stats).toEqual({ entries4k: 512, entries2m: 511, entries1g: 0, pages: 2 ** 18 });
    expect(p.shatters).toBe(2);
    expect(p.get(1000)).toEqual({ mfn: 1000, order: PAGE_ORDER_4K, access: 'rx' });
    expect(p.get(1001)!.access).toBe('rwx');
    expect(() => p.setAccess(2 ** 18, 'r')).toThrowError(/not mapped/);
  });

  it('removing part of a superpage shatters it and frees exactly that part', () => {
    const p = new P2m();
    p.setRange(0, 0, 512);
    expect(p.remove(10)).toBe(1);
    expect(p.stats).toEqual({ entries4k: 511, entries2m: 0, entries1g: 0, pages: 511 });
    expect(p.get(10)).toBeUndefined();
    expect(p.get(11)!.mfn).toBe(11);
  });

  it('keeps pages = sum of entry sizes over random operations', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ op: fc.constantFrom('map', 'unmap', 'access'), gfn: fc.integer({ min: 0, max: 3000 }), n: fc.integer({ min: 1, max: 1100 }) }),
          { maxLength: 30 },
        ),
        (ops) => {
          const p = new P2m();
          const model = new Map<number, number>();
          for (const { op, gfn, n } of ops) {
            if (op === 'map') {
              p.setRange(gfn, gfn, n);
              for (let g = gfn; g < gfn + n; g++) model.set(g, g);
            } else if (op === 'unmap') {
              for (let g = gfn; g < gfn + n; g++) {
                p.remove(g);
                model.delete(g);
              }
            } else if (p.get(gfn)) {
              p.setAccess(gfn, 'r');
            }
          }
          const s = p.stats;
          expect(s.pages).toBe(model.size);
          expect(s.entries4k + s.entries2m * 512 + s.entries1g * 2 ** 18).toBe(model.size);
          for (const [g, m] of model) expect(p.get(g)?.mfn).toBe(m);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('walks its entries in gfn order and knows its extent and first mapped gfn', () => {
    const p = new P2m();
    p.set(2 ** 18, 0, PAGE_ORDER_1G);
    p.set(512, 2 ** 20, PAGE_ORDER_2M);
    p.set(3, 77, PAGE_ORDER_4K);
    const runs: [number, number, number][] = [];
    p.forEachEntry((g, m, c) => runs.push([g, m, c]));
    expect(runs).toEqual([
      [3, 77, 1],
      [512, 2 ** 20, 512],
      [2 ** 18, 0, 2 ** 18],
    ]);
    expect(p.gfnLimit).toBe(2 ** 19);
    expect(p.firstMapped(4, 600)).toBe(512);
    expect(p.firstMapped(1024, 2 ** 18 - 1024)).toBeUndefined();
    expect(new P2m().gfnLimit).toBe(0);
  });
});
