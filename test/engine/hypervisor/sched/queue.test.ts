import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RunqRing } from '../../../../engine/hypervisor/sched/queue';
import { LatencyStats } from '../../../../engine/hypervisor/sched/metrics';
import { LatencyTable } from '../../../../engine/hypervisor/sched/latency-table';
import { ReplQueue } from '../../../../engine/hypervisor/sched/repl-queue';

describe('RunqRing', () => {
  it('holds the same sequence as an array under any inserts and removals by position', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat(), fc.integer())), (ops) => {
        const q = new RunqRing(2);
        const a: number[] = [];
        for (const [ins, pos, v] of ops) {
          if (ins || a.length === 0) {
            const i = pos % (a.length + 1);
            a.splice(i, 0, v);
            q.insertAt(i, v, 0, 0);
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

  it('orders by (level, deadline), ties in queueing order, and removes by record and key', () => {
    // ops: queue a fresh record with a key, take one out by its key, or take the head
    const op = fc.tuple(fc.nat(2), fc.nat(3), fc.nat(5), fc.nat());
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const q = new RunqRing(2);
        const a: { r: number; l: number; d: number }[] = [];
        let next = 0;
        for (const [kind, l, d, pick] of ops) {
          if (kind === 0 || a.length === 0) {
            const e = { r: next++, l, d: d * 1000 };
            // compare_unit_priority: after every entry not strictly later
            let i = 0;
            while (i < a.length && (a[i]!.l < l || (a[i]!.l === l && a[i]!.d <= e.d))) i++;
            a.splice(i, 0, e);
            q.insert(e.r, e.l, e.d);
          } else if (kind === 1) {
            const e = a.splice(pick % a.length, 1)[0]!;
            expect(q.remove(e.r, e.l, e.d)).toBe(true);
            expect(q.remove(e.r, e.l, e.d)).toBe(false);
          } else {
            expect(q.removeAt(0)).toBe(a.shift()!.r);
          }
        }
        expect(q.toArray()).toEqual(a.map((e) => e.r));
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

describe('ReplQueue', () => {
  it('keeps slots in (level, deadline, queueing order) order under any pushes and removals, and says when the top changes', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat(20), fc.nat(9), fc.nat(2))), (ops) => {
        // the links in rows of 4 integers from offset 1 (RTDS keeps them in its unit records)
        const rows = { i: new Int32Array(21 * 4).fill(-1) };
        const q = new ReplQueue({ rows, stride: 4, offset: 1 });
        // the reference: [slot, deadline, seq, level] sorted as Xen's replq list is
        // (deadline_queue_insert: compare_unit_priority, then after equal ones)
        let ref: [number, number, number, number][] = [];
        const sortRef = (): void => void ref.sort((a, b) => a[3] - b[3] || a[1] - b[1] || a[2] - b[2]);
        let seq = 0;
        for (const [add, s, key, level] of ops) {
          const queued = ref.some((e) => e[0] === s);
          if (add && !queued) {
            ref.push([s, key, seq++, level]);
            sortRef();
            expect(q.push(s, level, key)).toBe(ref[0]![0] === s ? 0 : 1);
          } else if (!add) {
            const wasTop = ref.length > 0 && ref[0]![0] === s;
            ref = ref.filter((e) => e[0] !== s);
            expect(q.remove(s)).toBe(queued ? (wasTop ? 0 : 1) : -1);
          }
          expect(q.size).toBe(ref.length);
          expect(q.has(s)).toBe(ref.some((e) => e[0] === s));
          if (ref.length > 0) {
            expect(q.top()).toBe(ref[0]![0]);
            expect(q.topKey()).toBe(ref[0]![1]);
          }
        }
        expect(q.slots()).toEqual(ref.map((e) => e[0]));
        for (let r = 0; r < 21; r++) expect(rows.i[r * 4]).toBe(-1); // the rest of a row is the caller's
        const got: number[] = [];
        while (q.size > 0) {
          const s = q.top();
          got.push(s);
          q.remove(s);
        }
        expect(got).toEqual(ref.map((e) => e[0]));
      }),
    );
  });
});
