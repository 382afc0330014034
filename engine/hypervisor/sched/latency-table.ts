/**
 * Wake-up-to-run latency histograms for many owners at once (every vCPU and pCPU of a
 * host), in flat typed arrays indexed by a row number: the same log-linear buckets,
 * count, sum and maximum as LatencyStats (metrics.ts), so every percentile comes out the
 * same, without an object per owner.
 *
 * Why: the dispatch loop records two samples per switch to a woken vCPU. With one
 * LatencyStats object and one 960-byte Uint32Array per owner, a sample was a chain of
 * three dependent cache misses (object, array header, bucket) in ~19 MB of histograms
 * on the 4096-pCPU bench, and it evicted the scheduler's own data. Here count, sum and
 * max are small arrays that stay in cache, and the bucket increment is only logged (one
 * sequential write); the log is folded when full or before any read — the increments are
 * independent, so the CPU overlaps their misses. Counts are exact either way.
 */
import { grown } from '../typed-grow';
import { LatencyStats, NBUCKETS, bucketOf, type LatencySummary } from './metrics';

const LOG_SIZE = 4096;

export class LatencyTable {
  private cap: number;
  private count: Float64Array;
  private sum: Float64Array;
  private max: Float64Array;
  private hist: Uint32Array;
  private readonly log = new Int32Array(LOG_SIZE);
  private logN = 0;
  private nextRow = 0;
  private readonly freeRows: number[] = [];

  constructor(initialRows = 64) {
    this.cap = Math.max(1, initialRows);
    this.count = new Float64Array(this.cap);
    this.sum = new Float64Array(this.cap);
    this.max = new Float64Array(this.cap);
    this.hist = new Uint32Array(this.cap * NBUCKETS);
  }

  /** A new, empty row. */
  alloc(): number {
    const r = this.freeRows.length > 0 ? this.freeRows.pop()! : this.nextRow++;
    if (r >= this.cap) this.grow(r + 1);
    this.reset(r);
    return r;
  }

  /** The row's owner is gone; the row may be reused. */
  free(row: number): void {
    this.freeRows.push(row);
  }

  record(row: number, ns: number): void {
    this.count[row]!++;
    this.sum[row]! += ns;
    if (ns > this.max[row]!) this.max[row] = ns;
    this.log[this.logN++] = row * NBUCKETS + bucketOf(ns);
    if (this.logN === LOG_SIZE) this.fold();
  }

  reset(row: number): void {
    this.fold();
    this.count[row] = 0;
    this.sum[row] = 0;
    this.max[row] = 0;
    this.hist.fill(0, row * NBUCKETS, (row + 1) * NBUCKETS);
  }

  /** Add a row's samples to `into` (to sum up a domain or a pool). */
  mergeInto(row: number, into: LatencyStats): void {
    if (row < 0) return;
    this.fold();
    into.mergeRaw(this.hist, row * NBUCKETS, this.count[row]!, this.sum[row]!, this.max[row]!);
  }

  summary(row: number): LatencySummary {
    const s = new LatencyStats();
    this.mergeInto(row, s);
    return s.summary();
  }

  private fold(): void {
    const n = this.logN;
    const h = this.hist;
    const log = this.log;
    for (let i = 0; i < n; i++) h[log[i]!]!++;
    this.logN = 0;
  }

  private grow(need: number): void {
    this.fold();
    let cap = this.cap;
    while (cap < need) cap *= 2;
    this.count = grown(this.count, cap);
    this.sum = grown(this.sum, cap);
    this.max = grown(this.max, cap);
    this.hist = grown(this.hist, cap * NBUCKETS);
    this.cap = cap;
  }
}
