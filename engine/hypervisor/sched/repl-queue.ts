/**
 * RTDS's replenishment queue (rt.c's replq): the units waiting for their next refill, in
 * the order Xen's list keeps them. deadline_queue_insert() places a unit with
 * compare_unit_priority(), as on the runqueue: lowest priority level first, then
 * earliest deadline, after the ones that compare equal. So a unit queued at a level above
 * 0 (it woke while running on extratime in the current period) goes after every level-0
 * unit, whatever its deadline, and the handler, which stops at the first head not yet
 * due, refills it only when they are: the order is Xen's, not a sort by deadline. The
 * keys are the ones the unit had when queued (Xen's list is not re-sorted either).
 *
 * Deadlines are period boundaries, so on a pool of vCPUs with a handful of periods a
 * few distinct (level, deadline) keys are pending at any time, each shared by thousands of units on
 * the 16,384-vCPU bench. The queue is a FIFO per distinct key (a "bucket", its
 * units linked through their records) and a small heap of the buckets by key:
 * queueing and removing a unit are O(1) list operations (the bucket for a deadline is
 * found from the last one used, else a Map), where a binary heap over all the units
 * sifted through ~14 levels per wake-up and per block. The order is by (level, deadline,
 * queueing order), which is unique.
 *
 * Slots are small integers chosen by the caller (RTDS's record numbers), and a slot's
 * links — next and previous in its bucket, and its bucket — are three integers of the
 * caller's record for it (`SlotLinks`), so queueing a unit touches the record its
 * scheduler already reads instead of three more tables.
 */
import { CpuHeap } from './cpu-heap';
import { grown } from '../typed-grow';

/** The keys of the buckets: deadline and priority level (arrays that grow: held in a box the heap reads through). */
interface Keys {
  a: Float64Array;
  l: Int32Array;
}

/** The non-empty buckets, lowest (level, deadline) first (keys are distinct: no ties). */
class BucketHeap extends CpuHeap {
  constructor(private readonly keys: Keys) {
    super(16);
  }
  protected override before(a: number, b: number): boolean {
    const l = this.keys.l;
    if (l[a] !== l[b]) return l[a]! < l[b]!;
    return this.keys.a[a]! < this.keys.a[b]!;
  }
}

/**
 * Where the slots' links live: `rows.i` (which the caller may replace as it grows),
 * `stride` integers per slot, the links from `offset` on: next, previous, bucket. The
 * caller sets a slot's bucket to -1 (not queued) before first use.
 */
export interface SlotLinks {
  rows: { i: Int32Array };
  stride: number;
  offset: number;
}

export class ReplQueue {
  private readonly rows: { i: Int32Array };
  private readonly stride: number;
  private readonly nextAt: number;
  private readonly prevAt: number;
  private readonly bucketAt: number;
  /** Per bucket: its deadline and level, first and last slot. */
  private readonly bKey: Keys = { a: new Float64Array(16), l: new Int32Array(16) };
  private bHead = new Int32Array(16);
  private bTail = new Int32Array(16);
  private readonly buckets = new BucketHeap(this.bKey);
  private nBuckets = 0;
  private readonly freeBuckets: number[] = [];
  /** Bucket by level, then by deadline. */
  private readonly byKey: Map<number, number>[] = [];
  /** The bucket the last push went to (most pushes share a deadline). */
  private lastBucket = -1;
  size = 0;

  constructor(links: SlotLinks) {
    this.rows = links.rows;
    this.stride = links.stride;
    this.nextAt = links.offset;
    this.prevAt = links.offset + 1;
    this.bucketAt = links.offset + 2;
  }

  has(s: number): boolean {
    const k = s * this.stride + this.bucketAt;
    const I = this.rows.i;
    return k < I.length && I[k]! >= 0;
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
    bs.sort((a, b) => this.bKey.l[a]! - this.bKey.l[b]! || this.bKey.a[a]! - this.bKey.a[b]!);
    const I = this.rows.i;
    for (const b of bs) for (let s = this.bHead[b]!; s >= 0; s = I[s * this.stride + this.nextAt]!) out.push(s);
    return out;
  }

  /**
   * Queue slot s (not queued) with priority level `level` and deadline k, after every
   * queued slot whose (level, deadline) is ≤ it; returns 0 when it is the new top.
   */
  push(s: number, level: number, k: number): number {
    let b = this.lastBucket;
    if (b < 0 || this.bKey.a[b] !== k || this.bKey.l[b] !== level) {
      b = this.byKey[level]?.get(k) ?? this.newBucket(level, k);
      this.lastBucket = b;
    }
    const I = this.rows.i;
    const st = this.stride;
    const t = this.bTail[b]!;
    I[s * st + this.prevAt] = t;
    I[s * st + this.nextAt] = -1;
    I[s * st + this.bucketAt] = b;
    if (t >= 0) I[t * st + this.nextAt] = s;
    else this.bHead[b] = s;
    this.bTail[b] = s;
    this.size++;
    return this.buckets.top() === b && this.bHead[b] === s ? 0 : 1;
  }

  /** Take slot s out; returns 0 when it was the top, 1 otherwise, -1 when it was not queued. */
  remove(s: number): number {
    const I = this.rows.i;
    const st = this.stride;
    const sb = s * st;
    if (sb >= I.length) return -1;
    const b = I[sb + this.bucketAt]!;
    if (b < 0) return -1;
    const wasTop = this.buckets.top() === b && this.bHead[b] === s;
    const p = I[sb + this.prevAt]!;
    const n = I[sb + this.nextAt]!;
    if (p >= 0) I[p * st + this.nextAt] = n;
    else this.bHead[b] = n;
    if (n >= 0) I[n * st + this.prevAt] = p;
    else this.bTail[b] = p;
    I[sb + this.bucketAt] = -1;
    this.size--;
    if (this.bHead[b]! < 0) this.dropBucket(b);
    return wasTop ? 0 : 1;
  }

  private newBucket(level: number, k: number): number {
    let b = this.freeBuckets.pop();
    if (b === undefined) {
      b = this.nBuckets++;
      if (b >= this.bHead.length) {
        const n = this.bHead.length * 2;
        this.bKey.a = grown(this.bKey.a, n);
        this.bKey.l = grown(this.bKey.l, n);
        this.bHead = grown(this.bHead, n);
        this.bTail = grown(this.bTail, n);
        this.buckets.grow(n);
      }
    }
    this.bKey.a[b] = k;
    this.bKey.l[b] = level;
    this.bHead[b] = -1;
    this.bTail[b] = -1;
    (this.byKey[level] ??= new Map()).set(k, b);
    this.buckets.update(b);
    return b;
  }

  private dropBucket(b: number): void {
    this.byKey[this.bKey.l[b]!]!.delete(this.bKey.a[b]!);
    if (this.lastBucket === b) this.lastBucket = -1;
    this.freeBuckets.push(b);
    this.buckets.remove(b);
  }
}
