/**
 * In-place insert and remove for the schedulers' ordered queues (credit's per-pCPU
 * runqueues, credit2's per-runqueue list, RTDS's runq, null's wait queue).
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
 * An ordered queue in a ring buffer: insert and remove shift whichever side of the
 * position is shorter, so taking the head or adding near either end is O(1). RTDS's
 * global runqueue holds thousands of units on a 4096-pCPU pool and is taken from the
 * front on every schedule; as a plain array every take moved all of them.
 */
export class RingQueue<T> {
  private buf: (T | undefined)[];
  private mask: number;
  private head = 0;
  length = 0;

  constructor(capacity = 16) {
    let cap = 16;
    while (cap < capacity) cap *= 2;
    this.buf = new Array<T | undefined>(cap).fill(undefined);
    this.mask = cap - 1;
  }

  /** The i-th element (0 <= i < length). */
  at(i: number): T {
    return this.buf[(this.head + i) & this.mask]!;
  }

  insertAt(i: number, x: T): void {
    if (this.length === this.buf.length) this.grow();
    const b = this.buf;
    const m = this.mask;
    if (i < this.length - i) {
      // open the gap by moving the front part one place towards the head
      this.head = (this.head - 1) & m;
      const h = this.head;
      for (let j = 0; j < i; j++) b[(h + j) & m] = b[(h + j + 1) & m];
    } else {
      const h = this.head;
      for (let j = this.length; j > i; j--) b[(h + j) & m] = b[(h + j - 1) & m];
    }
    b[(this.head + i) & m] = x;
    this.length++;
  }

  /** Remove the i-th element (0 <= i < length) and return it. */
  removeAt(i: number): T {
    const b = this.buf;
    const m = this.mask;
    const h = this.head;
    const x = b[(h + i) & m]!;
    const n = this.length - 1;
    if (i < n - i) {
      for (let j = i; j > 0; j--) b[(h + j) & m] = b[(h + j - 1) & m];
      b[h] = undefined;
      this.head = (h + 1) & m;
    } else {
      for (let j = i; j < n; j++) b[(h + j) & m] = b[(h + j + 1) & m];
      b[(h + n) & m] = undefined;
    }
    this.length = n;
    return x;
  }

  indexOf(x: T): number {
    for (let i = 0; i < this.length; i++) if (this.at(i) === x) return i;
    return -1;
  }

  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.length; i++) out.push(this.at(i));
    return out;
  }

  private grow(): void {
    const n = this.length;
    const nb = new Array<T | undefined>(this.buf.length * 2).fill(undefined);
    for (let i = 0; i < n; i++) nb[i] = this.at(i);
    this.buf = nb;
    this.mask = nb.length - 1;
    this.head = 0;
  }
}
