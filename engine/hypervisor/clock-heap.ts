/**
 * The clock's event queue: a binary min-heap of (expires, key) pairs, both numbers,
 * interleaved in one Float64Array (entry i at [2i, 2i+1]).
 *
 * Why one array: on a 4096-pCPU host the queue holds ~25,000 timers and every pop walks
 * ~15 levels, most of them outside the core's caches. With the key and the expiry in
 * one 16-byte entry, a level's two children are 32 adjacent bytes (one cache line, or
 * two), where separate arrays for expiry, sequence and slot (and a position table
 * written on every move) cost three or four lines a level.
 *
 * The heap knows nothing of timers: the key is the clock's (sequence, slot) packed in
 * one number (see Clock), unique per entry, so (expires, key) is a total order and the
 * pop order is the same whatever the heap's shape.
 */
import { grown } from './typed-grow';

export class TimerHeap {
  /** Entries in use: i < n at h[2i] (expires) and h[2i+1] (key). */
  n = 0;
  h = new Float64Array(128);

  push(expires: number, key: number): void {
    if (2 * this.n + 2 > this.h.length) this.h = grown(this.h, this.h.length * 2);
    this.climb(this.n++, expires, key);
  }

  /**
   * Remove the least entry. Floyd's bottom-up pop: the hole at the root moves down along
   * the smaller child to a leaf (one compare a level), then the last entry fills it and
   * climbs back up, usually zero or one level since it came from the bottom. The usual
   * sift-down compares the moving entry with the smaller child too, a second compare a
   * level, to stop where it would, near the bottom anyway.
   */
  popTop(): void {
    const h = this.h;
    const last = --this.n;
    if (last === 0) return;
    const e = h[2 * last]!;
    const k = h[2 * last + 1]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= last) break;
      if (c + 1 < last) {
        const a = h[2 * c]!;
        const b = h[2 * c + 2]!;
        if (b < a || (b === a && h[2 * c + 3]! < h[2 * c + 1]!)) c++;
      }
      h[2 * i] = h[2 * c]!;
      h[2 * i + 1] = h[2 * c + 1]!;
      i = c;
    }
    this.climb(i, e, k);
  }

  /** Put (e, k) at the free entry i and move it up past every parent it precedes. */
  private climb(i: number, e: number, k: number): void {
    const h = this.h;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pe = h[2 * p]!;
      if (e > pe || (e === pe && k > h[2 * p + 1]!)) break;
      h[2 * i] = pe;
      h[2 * i + 1] = h[2 * p + 1]!;
      i = p;
    }
    h[2 * i] = e;
    h[2 * i + 1] = k;
  }

  /**
   * Keep only the entries `keep` accepts, each with the key `rekey` gives it, and rebuild
   * the heap (Floyd's heapify, O(n)). `rekey` must keep the order of the kept keys.
   */
  filter(keep: (expires: number, key: number) => boolean, rekey: (key: number) => number): void {
    const h = this.h;
    let m = 0;
    for (let i = 0; i < this.n; i++) {
      const e = h[2 * i]!;
      const k = h[2 * i + 1]!;
      if (!keep(e, k)) continue;
      h[2 * m] = e;
      h[2 * m + 1] = rekey(k);
      m++;
    }
    this.n = m;
    for (let i = (m >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  /** The entries in pop order (for renumbering): [expires, key, expires, key, ...]. */
  sorted(): Float64Array {
    const idx = Array.from({ length: this.n }, (_, i) => i);
    const h = this.h;
    idx.sort((a, b) => h[2 * a]! - h[2 * b]! || h[2 * a + 1]! - h[2 * b + 1]!);
    const out = new Float64Array(2 * this.n);
    idx.forEach((j, i) => {
      out[2 * i] = h[2 * j]!;
      out[2 * i + 1] = h[2 * j + 1]!;
    });
    return out;
  }

  /** Replace the entries with `entries`, which must be in pop order (a sorted array is a heap). */
  load(entries: Float64Array): void {
    if (entries.length > this.h.length) this.h = grown(this.h, Math.max(this.h.length, entries.length) * 2);
    this.h.set(entries);
    this.n = entries.length / 2;
  }

  private siftDown(i: number): void {
    const h = this.h;
    const n = this.n;
    const e = h[2 * i]!;
    const k = h[2 * i + 1]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n) {
        const a = h[2 * c]!;
        const b = h[2 * c + 2]!;
        if (b < a || (b === a && h[2 * c + 3]! < h[2 * c + 1]!)) c++;
      }
      const ce = h[2 * c]!;
      if (ce > e || (ce === e && h[2 * c + 1]! > k)) break;
      h[2 * i] = ce;
      h[2 * i + 1] = h[2 * c + 1]!;
      i = c;
    }
    h[2 * i] = e;
    h[2 * i + 1] = k;
  }
}
