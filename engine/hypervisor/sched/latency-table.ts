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
 * sum and max sit side by side in a table of numbers (one cache line per sample, not
 * three; the core gives the host's VcpuTable, so a vCPU's sums are in the row the
 * context switch already has in cache), and the bucket increment is only logged (one
 * sequential write); the log is folded when full or before any read — the increments are
 * independent, so the CPU overlaps their misses. Counts are exact either way.
 */
import { grown } from '../typed-grow';
import { LatencyStats, NBUCKETS, bucketOf, type LatencySummary } from './metrics';

const LOG_SIZE = 4096;

/** Where the rows' count, sum and maximum live: row r's at r·stride + offset, + 1, + 2. */
export interface LatencySums {
  tab: { f: Float64Array; ensure(rows: number): void };
  stride: number;
  offset: number;
}

/** A table of its own, 4 numbers a row. */
function ownSums(rows: number): LatencySums {
  const tab = {
    f: new Float64Array(rows * 4),
    ensure(n: number): void {
      if (n * 4 > tab.f.length) tab.f = grown(tab.f, Math.max(n * 4, tab.f.length * 2));
    },
  };
  return { tab, stride: 4, offset: 0 };
}

export class LatencyTable {
  private cap: number;
  private readonly sums: LatencySums;
  private hist: Uint32Array;
  private readonly log = new Int32Array(LOG_SIZE);
  private logN = 0;
  private nextRow = 0;
  private readonly freeRows: number[] = [];

  constructor(initialRows = 64, sums?: LatencySums) {
    this.cap = Math.max(1, initialRows);
    this.sums = sums ?? ownSums(this.cap);
    this.sums.tab.ensure(this.cap);
    this.hist = new Uint32Array(this.cap * NBUCKETS);
  }

  /** A new, empty row. */
  alloc(): number {
    if (this.freeRows.length > 0) {
      const reused = this.freeRows.pop()!;
      this.reset(reused);
      return reused;
    }
    // a row never handed out is still as the (zero-filled) arrays were made: no reset,
    // which at 16,384 vCPUs was 15 MiB of histogram filled with zeros a second time
    const r = this.nextRow++;
    if (r >= this.cap) this.grow(r + 1);
    return r;
  }

  /** Rows below `n` are never handed out (the caller numbers its rows from n on). */
  reserve(n: number): void {
    if (n > this.cap) this.grow(n);
    this.nextRow = Math.max(this.nextRow, n);
  }

  /** The row's owner is gone; the row may be reused. */
  free(row: number): void {
    this.freeRows.push(row);
  }

  record(row: number, ns: number): void {
    const c = this.sums.tab.f;
    const i = row * this.sums.stride + this.sums.offset;
    c[i]!++;
    c[i + 1]! += ns;
    if (ns > c[i + 2]!) c[i + 2] = ns;
    this.log[this.logN++] = row * NBUCKETS + bucketOf(ns);
    if (this.logN === LOG_SIZE) this.fold();
  }

  reset(row: number): void {
    this.fold();
    const i = row * this.sums.stride + this.sums.offset;
    this.sums.tab.f.fill(0, i, i + 3);
    this.hist.fill(0, row * NBUCKETS, (row + 1) * NBUCKETS);
  }

  /** Add a row's samples to `into` (to sum up a domain or a pool). */
  mergeInto(row: number, into: LatencyStats): void {
    if (row < 0) return;
    this.fold();
    const c = this.sums.tab.f;
    const i = row * this.sums.stride + this.sums.offset;
    into.mergeRaw(this.hist, row * NBUCKETS, c[i]!, c[i + 1]!, c[i + 2]!);
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
    this.sums.tab.ensure(cap);
    this.hist = grown(this.hist, cap * NBUCKETS);
    this.cap = cap;
  }
}
