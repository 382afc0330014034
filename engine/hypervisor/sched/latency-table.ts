/**
 * Wake-up-to-run latency histograms for many owners at once (every vCPU and pCPU of a
 * host), in flat typed arrays indexed by a row number: the same log-linear buckets,
 * count, sum and maximum as LatencyStats (metrics.ts), so every percentile comes out the
 * same, without an object per owner.
 *
 * Why: the dispatch loop records two samples per switch to a woken vCPU. With one
 * LatencyStats object and one 960-byte Uint32Array per owner, a sample was a chain of
 * three dependent cache misses (object, array header, bucket) in ~19 MB of histograms
 * on the 4096-pCPU bench, and it evicted the scheduler's own data. Here a row's count,
 * sum and max sit side by side in one small array (one cache line per sample, not
 * three), and the bucket increment is only logged (one
 * sequential write); the log is folded when full or before any read — the increments are
 * independent, so the CPU overlaps their misses. Counts are exact either way.
 */
import { grown } from '../typed-grow';
import { LatencyStats, NBUCKETS, bucketOf, type LatencySummary } from './metrics';

const LOG_SIZE = 4096;

export class LatencyTable {
  private cap: number;
  /** Row r's count, sum and max at 4r, 4r + 1, 4r + 2. */
  private csm: Float64Array;
  private hist: Uint32Array;
  private readonly log = new Int32Array(LOG_SIZE);
  private logN = 0;
  private nextRow = 0;
  private readonly freeRows: number[] = [];

  constructor(initialRows = 64) {
    this.cap = Math.max(1, initialRows);
    this.csm = new Float64Array(this.cap * 4);
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
    const c = this.csm;
    const i = 4 * row;
    c[i]!++;
    c[i + 1]! += ns;
    if (ns > c[i + 2]!) c[i + 2] = ns;
    this.log[this.logN++] = row * NBUCKETS + bucketOf(ns);
    if (this.logN === LOG_SIZE) this.fold();
  }

  reset(row: number): void {
    this.fold();
    this.csm.fill(0, 4 * row, 4 * row + 4);
    this.hist.fill(0, row * NBUCKETS, (row + 1) * NBUCKETS);
  }

  /** Add a row's samples to `into` (to sum up a domain or a pool). */
  mergeInto(row: number, into: LatencyStats): void {
    if (row < 0) return;
    this.fold();
    const c = this.csm;
    into.mergeRaw(this.hist, row * NBUCKETS, c[4 * row]!, c[4 * row + 1]!, c[4 * row + 2]!);
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
    this.csm = grown(this.csm, cap * 4);
    this.hist = grown(this.hist, cap * NBUCKETS);
    this.cap = cap;
  }
}
