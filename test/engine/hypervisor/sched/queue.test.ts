import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RingQueue } from '../../../../engine/hypervisor/sched/queue';
import { LatencyStats } from '../../../../engine/hypervisor/sched/metrics';
import { LatencyTable } from '../../../../engine/hypervisor/sched/latency-table';
import { SlotHeap } from '../../../../engine/hypervisor/sched/slot-heap';

describe('RingQueue', () => {
  it('holds the same sequence as an array under any inserts and removals', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat(), fc.integer())), (ops) => {
        const q = new RingQueue<number>(2);
        const a: number[] = [];
        for (const [ins, pos, v] of ops) {
          if (ins || a.length === 0) {
            const i = pos % (a.length + 1);
            a.splice(i, 0, v);
            q.insertAt(i, v);
          } else {
            const i = pos % a.length;
            expect(q.removeAt(i)).toBe(a.splice(i, 1)[0]);
          }
          expect(q.length).toBe(a.length);
        }
        expect(q.toArray()).toEqual(a);
        for (let i = 0; i < a.length; i++) expect(q.at(i)).toBe(a[i]);
      }),
    );
  });
});

describe('LatencyTable', () => {
  it('gives every row the same summary as a LatencyStats fed the same samples', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(5), fc.nat(2 ** 33))), (samples) => {
        const t = new LatencyTable(1);
        const rows = Array.from({ length: 6 }, () => t.alloc());
        const s = rows.map(() => new LatencyStats());
        for (const [r, ns] of samples) {
          t.record(rows[r]!, ns);
          s[r]!.record(ns);
        }
        for (let r = 0; r < 6; r++) expect(t.summary(rows[r]!)).toEqual(s[r]!.summary());
        const merged = new LatencyStats();
        for (const r of rows) t.mergeInto(r, merged);
        expect(merged.count).toBe(samples.length);
      }),
    );
  });

  it('starts a reused row empty', () => {
    const t = new LatencyTable(1);
    const r = t.alloc();
    t.record(r, 5000);
    t.free(r);
    const r2 = t.alloc();
    expect(r2).toBe(r);
    expect(t.summary(r2).count).toBe(0);
  });
});

describe('SlotHeap', () => {
  it('pops slots in (key, seq) order under any pushes and removals', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat(20), fc.nat(9))), (ops) => {
        const h = new SlotHeap();
        const slots = Array.from({ length: 21 }, () => h.allocSlot());
        const inHeap = new Map<number, [number, number]>();
        let seq = 0;
        for (const [add, which, key] of ops) {
          const s = slots[which]!;
          if (add && !inHeap.has(s)) {
            h.push(s, key, seq);
            inHeap.set(s, [key, seq++]);
          } else if (!add) {
            h.remove(s);
            inHeap.delete(s);
          }
          expect(h.size).toBe(inHeap.size);
        }
        const want = [...inHeap].sort((a, b) => a[1][0] - b[1][0] || a[1][1] - b[1][1]).map(([s]) => s);
        const got: number[] = [];
        while (h.size > 0) {
          const s = h.top();
          got.push(s);
          h.remove(s);
        }
        expect(got).toEqual(want);
      }),
    );
  });
});
