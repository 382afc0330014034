import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CPU_FIFO_FIELDS, CpuFifo } from '../../../../engine/hypervisor/sched/cpu-fifo';

/** Credit's lists of pCPUs: insertion-ordered sets, a pCPU in at most one list at a time. */
describe('CpuFifo', () => {
  it('walks each list in the order its pCPUs were (last) added, under any adds and deletes', () => {
    const NR = 24;
    const LISTS = 3;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat(NR - 1), fc.nat(LISTS - 1)), { maxLength: 400 }), (ops) => {
        const q = new CpuFifo(NR, LISTS);
        const ref: number[][] = Array.from({ length: LISTS }, () => []);
        const where = (c: number): number => ref.findIndex((l) => l.includes(c));
        for (const [add, cpu, list] of ops) {
          if (add) {
            q.add(cpu, list);
            if (where(cpu) < 0) ref[list]!.push(cpu);
          } else {
            q.delete(cpu);
            const w = where(cpu);
            if (w >= 0) ref[w]!.splice(ref[w]!.indexOf(cpu), 1);
          }
          for (let c = 0; c < NR; c++) expect(q.has(c)).toBe(where(c) >= 0);
          for (let l = 0; l < LISTS; l++) {
            expect(q.size(l)).toBe(ref[l]!.length);
            const walk: number[] = [];
            for (let c = q.first(l); c >= 0; c = q.next(c)) walk.push(c);
            expect(walk).toEqual(ref[l]);
          }
        }
      }),
    );
  });

  it("refuses a caller-given table without a record for each list's sentinel after the pCPUs'", () => {
    expect(() => new CpuFifo(4, 2, { table: new Int32Array(5 * 8), stride: 8, offset: 3 })).toThrow(RangeError);
    expect(() => new CpuFifo(4, 2, { table: new Int32Array(6 * 8), stride: 8, offset: 3 })).not.toThrow();
  });

  it('keeps its notes in a caller-given per-pCPU table without touching the rest of the record', () => {
    const table = new Int32Array((4 + 1) * 8).fill(7);
    const q = new CpuFifo(4, 1, { table, stride: 8, offset: 3 });
    q.add(2);
    q.add(0);
    q.add(3);
    q.delete(0);
    q.add(0);
    const walk: number[] = [];
    for (let c = q.first(); c >= 0; c = q.next(c)) walk.push(c);
    expect(walk).toEqual([2, 3, 0]);
    for (let c = 0; c < 4; c++) {
      for (let k = 0; k < 8; k++) if (k < 3 || k >= 3 + CPU_FIFO_FIELDS) expect(table[c * 8 + k]).toBe(7);
    }
  });
});
