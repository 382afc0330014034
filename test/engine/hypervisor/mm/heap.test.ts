import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PageHeap } from '../../../../engine/hypervisor/mm/heap';
import { XenError } from '../../../../engine/hypervisor/errno';

describe('PageHeap (buddy allocator per NUMA node)', () => {
  it('gives aligned blocks from the asked node and ENOMEM when exhausted', () => {
    const h = new PageHeap([1024, 1024]);
    const a = h.alloc(9, 1, true);
    expect(a % 512).toBe(0);
    expect(h.nodeOf(a)).toBe(1);
    h.alloc(9, 1, true);
    try {
      h.alloc(0, 1, true);
      expect.unreachable();
    } catch (e) {
      expect((e as XenError).code).toBe('ENOMEM');
    }
    // without exact node, falls back to node 0
    expect(h.nodeOf(h.alloc(0, 1))).toBe(0);
  });

  it('merges buddies on free so large blocks come back', () => {
    const h = new PageHeap([2 ** 10]);
    const blocks = Array.from({ length: 4 }, () => h.alloc(8));
    expect(() => h.alloc(10)).toThrow(XenError);
    for (const b of blocks) h.free(b, 8);
    expect(h.alloc(10)).toBe(0);
    expect(() => h.free(12345, 0)).toThrowError(/was not allocated/);
  });

  it('accounts every frame: free + allocated = total, blocks never overlap', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 6 })), { maxLength: 60 }), (ops) => {
        const h = new PageHeap([300, 200]);
        const live: [number, number][] = [];
        for (const [alloc, order] of ops) {
          if (alloc || live.length === 0) {
            try {
              live.push([h.alloc(order), order]);
            } catch (e) {
              expect((e as XenError).code).toBe('ENOMEM');
            }
          } else {
            const [m, o] = live.splice(order % live.length, 1)[0]!;
            h.free(m, o);
          }
        }
        const used = live.reduce((a, [, o]) => a + 2 ** o, 0);
        expect(h.freePages() + used).toBe(500);
        const frames = new Set<number>();
        for (const [m, o] of live) for (let f = m; f < m + 2 ** o; f++) {
          expect(frames.has(f)).toBe(false);
          frames.add(f);
        }
      }),
      { numRuns: 100 },
    );
  });
});
