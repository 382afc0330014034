/**
 * In-place insert and remove for the schedulers' ordered queues (credit's per-pCPU
 * runqueues, credit2's per-runqueue list, null's wait queue).
 * Array.prototype.splice returns a new array of what it removed on every call; on the
 * dispatch loop's hot path (a queue change per wake-up and per schedule) that garbage
 * was most of what the loop allocated.
 */
export function insertAt<T>(q: T[], i: number, x: T): void {
  let j = q.length;
  q.push(x);
  for (; j > i; j--) q[j] = q[j - 1]!;
  q[i] = x;
}

/** Remove q[i] (0 <= i < q.length) and return it. */
export function removeAt<T>(q: T[], i: number): T {
  const x = q[i]!;
  const n = q.length - 1;
  for (let j = i; j < n; j++) q[j] = q[j + 1]!;
  // pop(), not `q.length = n`: storing to length is a runtime call that the optimiser
  // does not inline (2% of the credit2 loop's profile); pop() drops the same last slot
  q.pop();
  return x;
}

/**
 * An ordered queue of records in a ring buffer, each entry with the key it was queued
 * under (a priority level and a deadline: RTDS's compare_unit_priority()). Insert and
 * remove shift whichever side of the position is shorter, so taking the head or adding
 * near either end is O(1). RTDS's global runqueue holds hundreds of units on a
 * 4096-pCPU pool and is taken from the front on every schedule; as a plain array every
 * take moved all of them. The keys are here, beside the records, so the binary search
 * that places a waking unit (runq_insert's walk) reads the ring, not the rows of a
 * dozen other units (each a cache miss on the 16,384-vCPU host).
 */
export class RunqRing {
  private rec: Int32Array;
  private lvl: Int32Array;
  private dl: Float64Array;
  private mask: number;
  private head = 0;
  length = 0;

  constructor(capacity = 16) {
    let cap = 16;
    while (cap < capacity) cap *= 2;
    this.rec = new Int32Array(cap);
    this.lvl = new Int32Array(cap);
    this.dl = new Float64Array(cap);
    this.mask = cap - 1;
  }

  /** The i-th record (0 <= i < length). */
  at(i: number): number {
    return this.rec[(this.head + i) & this.mask]!;
  }

  /**
   * Queue record r with (level, deadline) after every entry whose key is not later
   * (lower level first, then earlier deadline: ties keep queueing order).
   */
  insert(r: number, level: number, deadline: number): void {
    this.insertAt(this.search(level, deadline, true), r, level, deadline);
  }

  /**
   * Take record r out, given the key it was queued with; returns false when it is not
   * queued. The search finds the first entry with that key, then r among its equals.
   */
  remove(r: number, level: number, deadline: number): boolean {
    let i = this.search(level, deadline, false);
    while (i < this.length && this.at(i) !== r) i++;
    if (i >= this.length) i = this.indexOf(r);
    if (i < 0) return false;
    this.removeAt(i);
    return true;
  }

  /** Binary search: the first entry whose key is later than (level, deadline), or (`past` false) not earlier. */
  private search(level: number, deadline: number, past: boolean): number {
    const L = this.lvl;
    const D = this.dl;
    const h = this.head;
    const m = this.mask;
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const k = (h + mid) & m;
      const l = L[k]!;
      const d = D[k]!;
      if (l < level || (l === level && (d < deadline || (past && d === deadline)))) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Put record r with its key at position i (0 <= i <= length). */
  insertAt(i: number, r: number, level: number, deadline: number): void {
    if (this.length === this.rec.length) this.grow();
    const R = this.rec;
    const L = this.lvl;
    const D = this.dl;
    const m = this.mask;
    if (i < this.length - i) {
      // open the gap by moving the front part one place towards the head
      this.head = (this.head - 1) & m;
      const h = this.head;
      for (let j = 0; j < i; j++) {
        const to = (h + j) & m;
        const from = (h + j + 1) & m;
        R[to] = R[from]!;
        L[to] = L[from]!;
        D[to] = D[from]!;
      }
    } else {
      const h = this.head;
      for (let j = this.length; j > i; j--) {
        const to = (h + j) & m;
        const from = (h + j - 1) & m;
        R[to] = R[from]!;
        L[to] = L[from]!;
        D[to] = D[from]!;
      }
    }
    const k = (this.head + i) & m;
    R[k] = r;
    L[k] = level;
    D[k] = deadline;
    this.length++;
  }

  /** Remove the i-th entry (0 <= i < length) and return its record. */
  removeAt(i: number): number {
    const R = this.rec;
    const L = this.lvl;
    const D = this.dl;
    const m = this.mask;
    const h = this.head;
    const x = R[(h + i) & m]!;
    const n = this.length - 1;
    if (i < n - i) {
      for (let j = i; j > 0; j--) {
        const to = (h + j) & m;
        const from = (h + j - 1) & m;
        R[to] = R[from]!;
        L[to] = L[from]!;
        D[to] = D[from]!;
      }
      this.head = (h + 1) & m;
    } else {
      for (let j = i; j < n; j++) {
        const to = (h + j) & m;
        const from = (h + j + 1) & m;
        R[to] = R[from]!;
        L[to] = L[from]!;
        D[to] = D[from]!;
      }
    }
    this.length = n;
    return x;
  }

  indexOf(r: number): number {
    for (let i = 0; i < this.length; i++) if (this.at(i) === r) return i;
    return -1;
  }

  toArray(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.length; i++) out.push(this.at(i));
    return out;
  }

  private grow(): void {
    const n = this.length;
    const cap = this.rec.length * 2;
    const R = new Int32Array(cap);
    const L = new Int32Array(cap);
    const D = new Float64Array(cap);
    for (let i = 0; i < n; i++) {
      const k = (this.head + i) & this.mask;
      R[i] = this.rec[k]!;
      L[i] = this.lvl[k]!;
      D[i] = this.dl[k]!;
    }
    this.rec = R;
    this.lvl = L;
    this.dl = D;
    this.mask = cap - 1;
    this.head = 0;
  }
}
