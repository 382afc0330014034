/**
 * RTDS's replenishment queue (rt.c's replq): the units waiting for their next refill,
 * earliest deadline first and, at equal deadlines, in the order they were queued —
 * Xen keeps a list sorted by deadline and inserts a unit after the ones with the same
 * deadline (replq_insert / compare_unit_priority on cur_deadline).
 *
 * Deadlines are period boundaries, so on a pool of vCPUs with a handful of periods a
 * few distinct deadlines are pending at any time, each shared by thousands of units on
 * the 16,384-vCPU bench. The queue is a FIFO per distinct deadline (a "bucket", its
 * units linked through per-slot arrays) and a small heap of the buckets by deadline:
 * queueing and removing a unit are O(1) list operations (the bucket for a deadline is
 * found from the last one used, else a Map), where a binary heap over all the units
 * sifted through ~14 levels per wake-up and per block. The order is the heap's: by
 * (deadline, queueing order), which is unique.
 *
 * Slots are small integers chosen by the caller (RTDS's record numbers).
 */
import { CpuHeap } from './cpu-heap';
import { grown } from '../typed-grow';

/** The deadlines of the buckets (an array that grows: held in a box the heap reads through). */
interface Keys {
  a: Float64Array;
}

/** The non-empty buckets, earliest deadline first (deadlines are distinct: no ties). */
class BucketHeap extends CpuHeap {
  constructor(private readonly keys: Keys) {
    super(16);
  }
  protected override before(a: number, b: number): boolean {
    return this.keys.a[a]! < this.keys.a[b]!;
  }
}

export class ReplQueue {
  /** Per slot: next and previous in its bucket, and its bucket (-1: not queued). */
  private next = new Int32Array(64);
  private prev = new Int32Array(64);
  private bucketOf = new Int32Array(64).fill(-1);
  /** Per bucket: its deadline, first and last slot. */
  private readonly bKey: Keys = { a: new Float64Array(16) };
  private bHead = new Int32Array(16);
  private bTail = new Int32Array(16);
  private readonly buckets = new BucketHeap(this.bKey);
  private nBuckets = 0;
  private readonly freeBuckets: number[] = [];
  private readonly byKey = new Map<number, number>();
  /** The bucket the last push went to (most pushes share a deadline). */
  private lastBucket = -1;
  size = 0;

  has(s: number): boolean {
    return s < this.bucketOf.length && this.bucketOf[s]! >= 0;
  }

  /** Slot at the top; only when size > 0. */
  top(): number {
    return this.bHead[this.buckets.top()]!;
  }

  topKey(): number {
    return this.bKey.a[this.buckets.top()]!;
  }

  /** The slots in queue order (for dumps). */
  slots(): number[] {
    const out: number[] = [];
    const bs: number[] = [];
    for (let b = 0; b < this.nBuckets; b++) if (this.buckets.has(b)) bs.push(b);
    bs.sort((a, b) => this.bKey.a[a]! - this.bKey.a[b]!);
    for (const b of bs) for (let s = this.bHead[b]!; s >= 0; s = this.next[s]!) out.push(s);
    return out;
  }

  /** Queue slot s (not queued) with deadline k, after every queued slot with deadline ≤ k; returns 0 when it is the new top. */
  push(s: number, k: number): number {
    if (s >= this.bucketOf.length) this.growSlots(s);
    let b = this.lastBucket;
    if (b < 0 || this.bKey.a[b] !== k) {
      b = this.byKey.get(k) ?? this.newBucket(k);
      this.lastBucket = b;
    }
    const t = this.bTail[b]!;
    this.prev[s] = t;
    this.next[s] = -1;
    this.bucketOf[s] = b;
    if (t >= 0) this.next[t] = s;
    else this.bHead[b] = s;
    this.bTail[b] = s;
    this.size++;
    return this.buckets.top() === b && this.bHead[b] === s ? 0 : 1;
  }

  /** Take slot s out; returns 0 when it was the top, 1 otherwise, -1 when it was not queued. */
  remove(s: number): number {
    if (s >= this.bucketOf.length) return -1;
    const b = this.bucketOf[s]!;
    if (b < 0) return -1;
    const wasTop = this.buckets.top() === b && this.bHead[b] === s;
    const p = this.prev[s]!;
    const n = this.next[s]!;
    if (p >= 0) this.next[p] = n;
    else this.bHead[b] = n;
    if (n >= 0) this.prev[n] = p;
    else this.bTail[b] = p;
    this.bucketOf[s] = -1;
    this.size--;
    if (this.bHead[b]! < 0) this.dropBucket(b);
    return wasTop ? 0 : 1;
  }

  private newBucket(k: number): number {
    let b = this.freeBuckets.pop();
    if (b === undefined) {
      b = this.nBuckets++;
      if (b >= this.bHead.length) {
        const n = this.bHead.length * 2;
        this.bKey.a = grown(this.bKey.a, n);
        this.bHead = grown(this.bHead, n);
        this.bTail = grown(this.bTail, n);
        this.buckets.grow(n);
      }
    }
    this.bKey.a[b] = k;
    this.bHead[b] = -1;
    this.bTail[b] = -1;
    this.byKey.set(k, b);
    this.buckets.update(b);
    return b;
  }

  private dropBucket(b: number): void {
    this.byKey.delete(this.bKey.a[b]!);
    if (this.lastBucket === b) this.lastBucket = -1;
    this.freeBuckets.push(b);
    this.buckets.remove(b);
  }

  private growSlots(s: number): void {
    let n = this.bucketOf.length;
    while (n <= s) n *= 2;
    this.next = grown(this.next, n);
    this.prev = grown(this.prev, n);
    const old = this.bucketOf;
    this.bucketOf = new Int32Array(n).fill(-1);
    this.bucketOf.set(old);
  }
}
