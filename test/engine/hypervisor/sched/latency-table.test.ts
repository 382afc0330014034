import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LatencyStats } from '../../../../engine/hypervisor/sched/metrics';
import { LatencyTable, type LatencySums } from '../../../../engine/hypervisor/sched/latency-table';
import { grown } from '../../../../engine/hypervisor/typed-grow';

/** Sums kept in someone else's rows (as the core keeps them in its VcpuTable), which may grow. */
function sharedSums(stride: number, offset: number): LatencySums & { tab: { f: Float64Array; ensure(rows: number): void } } {
  const tab = {
    f: new Float64Array(stride),
    ensure(rows: number): void {
      if (rows * stride > tab.f.length) tab.f = grown(tab.f, Math.max(rows * stride, tab.f.length * 2));
    },
  };
  return { tab, stride, offset };
}

type Op =
  | { kind: 'record'; slot: number; ns: number; times: number }
  | { kind: 'reset'; slot: number }
  | { kind: 'reuse'; slot: number }
  | { kind: 'read'; slot: number }
  | { kind: 'grow' };

const NS = fc.oneof(
  fc.nat(200_000),
  fc.nat(2 ** 33),
  fc.constantFrom(0, 7, 8, 4294967294, 4294967295, 4294967296),
  fc.double({ min: 0, max: 1e7, noNaN: true }),
);
const SLOTS = 5;
const OP: fc.Arbitrary<Op> = fc.oneof(
  { weight: 12, arbitrary: fc.record({ kind: fc.constant('record' as const), slot: fc.nat(SLOTS - 1), ns: NS, times: fc.integer({ min: 1, max: 3000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reset' as const), slot: fc.nat(SLOTS - 1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reuse' as const), slot: fc.nat(SLOTS - 1) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('read' as const), slot: fc.nat(SLOTS - 1) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'grow' as const }) },
);

describe('LatencyTable samples logged and folded later', () => {
  it('gives every row exactly what a LatencyStats fed the same samples gives, across folds, resets, reused rows and growth', () => {
    fc.assert(
      fc.property(fc.array(OP, { maxLength: 40 }), fc.boolean(), fc.array(fc.nat(40), { minLength: SLOTS, maxLength: SLOTS }), fc.boolean(), (ops, shared, gaps, big) => {
        const sums = shared ? sharedSums(7, 3) : undefined;
        // small: folded as logged; big: rows from 2040 on, so that the table grows past
        // 2048 rows (over 1 MiB of buckets) and from then on folds in row-group order
        const t = new LatencyTable(big ? 2048 : 1, sums);
        if (big) t.reserve(2040);
        // rows spread apart (other owners' rows between them), in different groups of the fold's sort
        const rows = gaps.map((gap) => {
          for (let k = 0; k < gap; k++) t.alloc();
          return t.alloc();
        });
        let extra = gaps.reduce((a, b) => a + b, 0) + (big ? 2040 : 0);
        sums?.tab.ensure(SLOTS + extra);
        const ref = rows.map(() => new LatencyStats());
        for (const op of ops) {
          switch (op.kind) {
            case 'record':
              // a run of samples, several rows interleaved, so that logs fill (from 1024 samples) and
              // fold in the middle of the sequence
              for (let k = 0; k < op.times; k++) {
                const slot = (op.slot + (k % 3 === 2 ? k : 0)) % SLOTS;
                const ns = op.ns + ((k * 7919) % 1000);
                t.record(rows[slot]!, ns);
                ref[slot]!.record(ns);
              }
              break;
            case 'reset':
              t.reset(rows[op.slot]!);
              ref[op.slot]!.reset();
              break;
            case 'reuse': {
              t.free(rows[op.slot]!);
              rows[op.slot] = t.alloc();
              ref[op.slot] = new LatencyStats();
              break;
            }
            case 'read':
              expect(t.summary(rows[op.slot]!)).toEqual(ref[op.slot]!.summary());
              break;
            case 'grow':
              // another owner's row: the tables (and the shared sums) grow under pending samples
              t.alloc();
              extra++;
              sums?.tab.ensure(SLOTS + extra + 8);
              break;
          }
        }
        for (let s = 0; s < SLOTS; s++) {
          const got = new LatencyStats();
          t.mergeInto(rows[s]!, got);
          expect(got.summary()).toEqual(ref[s]!.summary());
          expect([got.count, got.sum, got.max]).toEqual([ref[s]!.count, ref[s]!.sum, ref[s]!.max]);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('adds a row sample by sample in the order recorded, so its sum is the same double', () => {
    const t = new LatencyTable(2);
    const r = t.alloc();
    const ref = new LatencyStats();
    // 1e16 first, then ones: each 1 is below half an ulp of the running sum and is lost;
    // in any other order the ones would add up before meeting 1e16
    const vals = [1e16, ...Array.from({ length: 4999 }, () => 1)];
    for (const v of vals) {
      t.record(r, v);
      ref.record(v);
    }
    expect(ref.sum).toBe(1e16);
    const got = new LatencyStats();
    t.mergeInto(r, got);
    expect(got.sum).toBe(ref.sum);
    expect(got.count).toBe(5000);
  });

  it('gives bucket 0 (0 ns and sub-nanosecond samples, kept only as the count) its place in every percentile', () => {
    for (const shared of [false, true]) {
      const sums = shared ? sharedSums(5, 2) : undefined;
      const t = new LatencyTable(4, sums);
      const r = t.alloc();
      sums?.tab.ensure(8);
      const ref = new LatencyStats();
      // 0 ns wake-ups are most of a busy host's; a few sub-nanosecond and longer ones among them
      const vals = [...Array.from({ length: 980 }, (_, k) => (k % 7 === 0 ? 0.5 : 0)), ...Array.from({ length: 20 }, (_, k) => 3000 + 1000 * k)];
      for (const v of vals) {
        t.record(r, v);
        ref.record(v);
      }
      const got = t.summary(r);
      expect(got).toEqual(ref.summary());
      expect(got.p50).toBe(0);
      expect(got.p99).toBeGreaterThan(0);
      expect(got.count).toBe(1000);
      const merged = new LatencyStats();
      t.mergeInto(r, merged);
      expect(merged.quantile(0.98)).toBe(ref.quantile(0.98));
      expect(merged.sum).toBe(ref.sum);
    }
  });

  it('counts a bucket past 65,535 samples exactly, and a reset or a reused row starts from zero', () => {
    const t = new LatencyTable(4);
    const a = t.alloc();
    const b = t.alloc();
    const refA = new LatencyStats();
    const refB = new LatencyStats();
    // 2 x 65,536 + 7 samples in one bucket of a, some in its neighbours and in b
    for (let k = 0; k < 2 * 65536 + 7; k++) {
      t.record(a, 5000);
      refA.record(5000);
      if (k % 1000 === 0) {
        t.record(a, 900_000);
        refA.record(900_000);
        t.record(b, 5000);
        refB.record(5000);
      }
    }
    expect(t.summary(a)).toEqual(refA.summary());
    expect(t.summary(b)).toEqual(refB.summary());
    const merged = new LatencyStats();
    t.mergeInto(a, merged);
    t.mergeInto(b, merged);
    const refAll = new LatencyStats();
    refAll.merge(refA);
    refAll.merge(refB);
    expect(merged.summary()).toEqual(refAll.summary());
    // p50 of a lies in the wrapped bucket: with the wraps lost it would not
    expect(t.summary(a).p50).toBe(refA.quantile(0.5));
    t.reset(a);
    expect(t.summary(a).count).toBe(0);
    // above the wrapped bucket: a wrap left over from before the reset would come first
    for (let k = 0; k < 70_000; k++) t.record(a, 20_000);
    const again = new LatencyStats();
    for (let k = 0; k < 70_000; k++) again.record(20_000);
    expect(t.summary(a)).toEqual(again.summary());
    t.free(a);
    const c = t.alloc();
    expect(c).toBe(a);
    t.record(c, 20_000);
    const one = new LatencyStats();
    one.record(20_000);
    expect(t.summary(c)).toEqual(one.summary());
  });
});
