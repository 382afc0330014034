/**
 * RTDS's preemption candidates: the pool's running, untickled pCPUs, by the (priority
 * level, deadline) of the unit each runs. runq_tickle() (xen/common/sched/rt.c), when no
 * pCPU is idle, walks the pCPUs from the waking unit's own with cpumask_cycle() for the
 * latest (level, deadline), keeping the first such pCPU of the walk (a later one
 * replaces it only when strictly lower in priority).
 *
 * Deadlines are period boundaries, so a few distinct keys are running at any time, each
 * shared by many pCPUs (hundreds on the 4096-pCPU bench). So the candidates are grouped
 * by key: a bucket per distinct (level, deadline) holds a bitmap of its pCPUs, and a
 * small heap orders the non-empty buckets latest first. The walk's answer is the latest
 * bucket's first pCPU at or after the walk's start, wrapping (`latestFrom`): a search a
 * 32-pCPU word at a time instead of Xen's walk over every pCPU. Moving a pCPU to another
 * key is two bit operations (and a heap operation when a bucket appears or empties).
 */
import { CpuHeap } from './cpu-heap';
import { firstSetFrom } from './cpu-bits';
import { grown } from '../typed-grow';

/** The keys of the buckets (arrays that grow: held in a box the heap reads through). */
interface Keys {
  level: Int32Array;
  deadline: Float64Array;
}

/** The non-empty buckets, latest (level, deadline) first (keys are distinct: no ties). */
class LatestHeap extends CpuHeap {
  constructor(private readonly keys: Keys) {
    super(16);
  }
  protected override before(a: number, b: number): boolean {
    const l = this.keys.level;
    if (l[a] !== l[b]) return l[a]! > l[b]!;
    return this.keys.deadline[a]! > this.keys.deadline[b]!;
  }
}

export class RtRunCpus {
  /** Words of a bitmap of the pCPUs. */
  private readonly words: number;
  /** Each pCPU's key as the scheduler last set it: level, deadline. */
  private readonly liveLevel: Int32Array;
  private readonly liveDeadline: Float64Array;
  /** The bucket a candidate pCPU is in, -1 for none (not a candidate). */
  private readonly bucketOf: Int32Array;
  /** Per bucket: its key, its pCPUs' bitmap (`words` words from b·words), how many. */
  private readonly keys: Keys = { level: new Int32Array(16), deadline: new Float64Array(16) };
  private bits: Uint32Array;
  private count = new Int32Array(16);
  private readonly heap: LatestHeap;
  private nBuckets = 0;
  private readonly freeBuckets: number[] = [];
  /** Bucket by level, then by deadline. */
  private readonly byKey: Map<number, number>[] = [];
  /** The bucket the last put went to (a refill moves many pCPUs to one new key). */
  private lastBucket = -1;

  constructor(nrCpus: number) {
    this.words = (nrCpus + 31) >>> 5;
    this.liveLevel = new Int32Array(nrCpus);
    this.liveDeadline = new Float64Array(nrCpus);
    this.bucketOf = new Int32Array(nrCpus).fill(-1);
    this.bits = new Uint32Array(16 * this.words);
    this.heap = new LatestHeap(this.keys);
  }

  /** The priority level of the unit the pCPU runs (as last set). */
  level(cpu: number): number {
    return this.liveLevel[cpu]!;
  }

  /** The deadline of the unit the pCPU runs (as last set). */
  deadline(cpu: number): number {
    return this.liveDeadline[cpu]!;
  }

  /** The pCPU now runs a unit with this priority level and deadline. */
  setKey(cpu: number, level: number, deadline: number): void {
    this.liveLevel[cpu] = level;
    this.liveDeadline[cpu] = deadline;
    const b = this.bucketOf[cpu]!;
    if (b < 0 || (this.keys.level[b] === level && this.keys.deadline[b] === deadline)) return;
    this.take(cpu, b);
    this.put(cpu);
  }

  /** The pCPU is a candidate (it runs a unit and is not tickled). */
  join(cpu: number): void {
    if (this.bucketOf[cpu]! < 0) this.put(cpu);
  }

  /** The pCPU is no candidate any more (idle, tickled, or out of the pool). */
  leave(cpu: number): void {
    const b = this.bucketOf[cpu]!;
    if (b >= 0) this.take(cpu, b);
  }

  /** The lowest-numbered candidate running the latest (level, deadline), -1 when none. */
  top(): number {
    return this.latestFrom(0);
  }

  /**
   * Among the candidates running the latest (level, deadline), the first at or after
   * `start` in pCPU order, wrapping (runq_tickle's walk from `start`); -1 when none.
   */
  latestFrom(start: number): number {
    const b = this.heap.top();
    if (b < 0) return -1;
    return firstSetFrom(this.bits, b * this.words, this.words, start);
  }

  private put(cpu: number): void {
    const level = this.liveLevel[cpu]!;
    const deadline = this.liveDeadline[cpu]!;
    let b = this.lastBucket;
    if (b < 0 || this.keys.deadline[b] !== deadline || this.keys.level[b] !== level) {
      b = this.byKey[level]?.get(deadline) ?? this.newBucket(level, deadline);
      this.lastBucket = b;
    }
    this.bucketOf[cpu] = b;
    this.bits[b * this.words + (cpu >>> 5)]! |= 1 << (cpu & 31);
    this.count[b]!++;
  }

  private take(cpu: number, b: number): void {
    this.bucketOf[cpu] = -1;
    this.bits[b * this.words + (cpu >>> 5)]! &= ~(1 << (cpu & 31));
    if (--this.count[b]! === 0) {
      this.byKey[this.keys.level[b]!]!.delete(this.keys.deadline[b]!);
      if (this.lastBucket === b) this.lastBucket = -1;
      this.freeBuckets.push(b);
      this.heap.remove(b);
    }
  }

  private newBucket(level: number, deadline: number): number {
    let b = this.freeBuckets.pop();
    if (b === undefined) {
      b = this.nBuckets++;
      if (b >= this.count.length) {
        const n = this.count.length * 2;
        this.keys.level = grown(this.keys.level, n);
        this.keys.deadline = grown(this.keys.deadline, n);
        this.count = grown(this.count, n);
        this.bits = grown(this.bits, n * this.words);
        this.heap.grow(n);
      }
    }
    this.keys.level[b] = level;
    this.keys.deadline[b] = deadline;
    (this.byKey[level] ??= new Map()).set(deadline, b);
    this.heap.update(b);
    return b;
  }
}
