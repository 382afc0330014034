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
 * sum and max are numbers in typed tables, added at once, in the order the samples come,
 * so each sum is the same double as LatencyStats adds: a vCPU's side by side in its
 * VcpuTable row (the core gives the table), in the line the context switch has just
 * written; a pCPU's in tables of their own, the counts (8 bytes a pCPU) apart from the
 * sums and maxima, which only a sample above 0 ns touches.
 *
 * Bucket 0 is not kept: it is the count less the other buckets. Most wake-ups are served
 * at the instant they happen (a woken vCPU tickles an idle pCPU, whose softirq runs
 * before time moves on: 80-100 % of the samples on the 4096-pCPU bench), and a sample of
 * 0 ns is then only a count, one add in a line already in cache: no sum (adding 0 leaves
 * it), no maximum, no bucket.
 *
 * Any other sample's bucket is only logged (row and bucket in one 32-bit entry, a
 * sequential write) and the log is folded into the buckets when full or before any
 * read. On a big host the fold first orders the entries by row (a stable counting sort
 * on groups of 2^GROUP_SHIFT rows), so that it walks the histograms forward, a page
 * after the other, instead of a cache line and a TLB miss per sample at random: the
 * rows' loads are independent, and the CPU overlaps their misses, where the context
 * switch stalled on each.
 */
import { grown } from '../typed-grow';
import { LatencyStats, NBUCKETS, bucketOf, type LatencySummary } from './metrics';

/**
 * Buckets a log holds: twice the rows, from 1024 to 32,768, so that a fold meets a row
 * a few times on average (its buckets then share cache lines) on a big host, and a small
 * one (tests, a GUI host) does not carry half a MiB of log.
 */
const logSizeFor = (rows: number): number => Math.min(32768, Math.max(1024, 2 * rows));
/** The fold's sort key: rows in groups of 8 (about a page of histogram). */
const GROUP_SHIFT = 3;
/** Histograms above this size (a core's L2) are folded in row order. */
const SORT_ABOVE_BYTES = 1 << 20;
/** A log entry is row << ROW_SHIFT | bucket (NBUCKETS fit in 8 bits; rows below 2^24). */
const ROW_SHIFT = 8;
if (NBUCKETS > 1 << ROW_SHIFT) throw new Error(`latency table: ${NBUCKETS} buckets do not fit in ${ROW_SHIFT} bits`);

/** Where the rows' count, sum and maximum live: row r's at r·stride + offset, + 1, + 2. */
export interface LatencySums {
  tab: { f: Float64Array; ensure(rows: number): void };
  stride: number;
  offset: number;
}

/** A table of its own, `stride` numbers a row. */
function ownTable(rows: number, stride: number): LatencySums {
  const tab = {
    f: new Float64Array(rows * stride),
    ensure(n: number): void {
      if (n * stride > tab.f.length) tab.f = grown(tab.f, Math.max(n * stride, tab.f.length * 2));
    },
  };
  return { tab, stride, offset: 0 };
}

export class LatencyTable {
  private cap: number;
  /**
   * Where a row's count is, and its sum and maximum (+ 1). In the caller's rows, the
   * three side by side; in tables of their own, the counts apart from the rest, 8 bytes
   * a row, which is all a 0 ns sample touches (a pCPU's: 32 KiB for 4096 pCPUs).
   */
  private readonly counts: LatencySums;
  private readonly sumMax: LatencySums;
  /**
   * The buckets, 16 bits each (half the memory and pages of 32-bit counts: the fold's
   * walk touches fewer); a bucket that passes 65,535 keeps its 65,536s in `carry`.
   * Bucket 0 of each row stays 0 (it is the row's count less the others).
   */
  private hist: Uint16Array;
  /** Flat bucket index → how many times it wrapped past 65,535 (rare: a sparse map). */
  private readonly carry = new Map<number, number>();
  /** One row's buckets as 32-bit counts, for LatencyStats.mergeRaw (kept to reuse). */
  private readonly rowCounts = new Uint32Array(NBUCKETS);
  /** Buckets not yet folded: row << ROW_SHIFT | bucket. */
  private log: Int32Array;
  private logN = 0;
  /** The fold's counting sort: samples per group of rows, then where each group starts. */
  private groupAt: Int32Array;
  /** ... and the log's entries in row-group order. */
  private order: Int32Array;
  private nextRow = 0;
  private readonly freeRows: number[] = [];

  constructor(initialRows = 64, sums?: LatencySums) {
    this.cap = Math.max(1, initialRows);
    this.counts = sums ?? ownTable(this.cap, 1);
    this.sumMax = sums ? { tab: sums.tab, stride: sums.stride, offset: sums.offset + 1 } : ownTable(this.cap, 2);
    this.counts.tab.ensure(this.cap);
    this.sumMax.tab.ensure(this.cap);
    this.hist = new Uint16Array(this.cap * NBUCKETS);
    this.groupAt = new Int32Array((this.cap >> GROUP_SHIFT) + 2);
    const n = logSizeFor(this.cap);
    this.log = new Int32Array(n);
    this.order = new Int32Array(n);
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
    this.counts.tab.f[row * this.counts.stride + this.counts.offset]!++;
    if (ns === 0) return;
    const c = this.sumMax.tab.f;
    const i = row * this.sumMax.stride + this.sumMax.offset;
    c[i]! += ns;
    if (ns > c[i + 1]!) c[i + 1] = ns;
    const b = bucketOf(ns);
    if (b === 0) return;
    const n = this.logN;
    this.log[n] = (row << ROW_SHIFT) | b;
    this.logN = n + 1;
    if (n + 1 === this.log.length) this.fold();
  }

  reset(row: number): void {
    this.fold();
    this.counts.tab.f[row * this.counts.stride + this.counts.offset] = 0;
    const i = row * this.sumMax.stride + this.sumMax.offset;
    this.sumMax.tab.f.fill(0, i, i + 2);
    this.hist.fill(0, row * NBUCKETS, (row + 1) * NBUCKETS);
    if (this.carry.size > 0) for (let b = 0; b < NBUCKETS; b++) this.carry.delete(row * NBUCKETS + b);
  }

  /** Add a row's samples to `into` (to sum up a domain or a pool). */
  mergeInto(row: number, into: LatencyStats): void {
    if (row < 0) return;
    this.fold();
    const count = this.counts.tab.f[row * this.counts.stride + this.counts.offset]!;
    const c = this.sumMax.tab.f;
    const i = row * this.sumMax.stride + this.sumMax.offset;
    const counts = this.rowCounts;
    const base = row * NBUCKETS;
    const h = this.hist;
    const wrapped = this.carry.size > 0;
    let rest = 0;
    for (let b = 1; b < NBUCKETS; b++) {
      const v = h[base + b]! + (wrapped ? (this.carry.get(base + b) ?? 0) * 0x10000 : 0);
      counts[b] = v;
      rest += v;
    }
    counts[0] = count - rest;
    into.mergeRaw(counts, 0, count, c[i]!, c[i + 1]!);
  }

  summary(row: number): LatencySummary {
    const s = new LatencyStats();
    this.mergeInto(row, s);
    return s.summary();
  }

  /**
   * Apply the logged buckets: by row group when the histograms outgrow a core's L2
   * (there the walk forward saves a miss per sample), as logged when they fit in it
   * (there the sort would only cost). Counts commute: the order within a row is free.
   */
  private fold(): void {
    const n = this.logN;
    if (n === 0) return;
    this.logN = 0;
    const sorted = this.cap * NBUCKETS * 2 > SORT_ABOVE_BYTES;
    if (sorted) this.sortLog(n);
    const log = this.log;
    const order = this.order;
    const h = this.hist;
    for (let j = 0; j < n; j++) {
      const e = log[sorted ? order[j]! : j]!;
      const x = (e >>> ROW_SHIFT) * NBUCKETS + (e & ((1 << ROW_SHIFT) - 1));
      const v = h[x]! + 1;
      if (v === 0x10000) {
        h[x] = 0;
        this.carry.set(x, (this.carry.get(x) ?? 0) + 1);
      } else h[x] = v;
    }
  }

  /** `order`: the first n log entries by row group, a counting sort. */
  private sortLog(n: number): void {
    const log = this.log;
    const at = this.groupAt;
    const groups = at.length - 1;
    const shift = ROW_SHIFT + GROUP_SHIFT;
    at.fill(0);
    for (let k = 0; k < n; k++) at[(log[k]! >>> shift) + 1]!++;
    for (let g = 1; g <= groups; g++) at[g]! += at[g - 1]!;
    const order = this.order;
    for (let k = 0; k < n; k++) order[at[log[k]! >>> shift]!++] = k;
  }

  private grow(need: number): void {
    this.fold();
    let cap = this.cap;
    while (cap < need) cap *= 2;
    if (cap > 1 << (32 - ROW_SHIFT)) throw new RangeError(`latency table: ${need} rows, at most ${1 << (32 - ROW_SHIFT)}`);
    this.counts.tab.ensure(cap);
    this.sumMax.tab.ensure(cap);
    const hist = new Uint16Array(cap * NBUCKETS);
    hist.set(this.hist);
    this.hist = hist;
    this.groupAt = new Int32Array((cap >> GROUP_SHIFT) + 2);
    // the log is empty (folded above)
    const n = logSizeFor(cap);
    if (n > this.log.length) {
      this.log = new Int32Array(n);
      this.order = new Int32Array(n);
    }
    this.cap = cap;
  }
}
