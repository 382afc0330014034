/**
 * A binary min-heap of small integer slots keyed by (key, seq), in typed arrays, with
 * each slot's heap position: RTDS's replenishment queue (rt.c's replq, earliest
 * deadline first, ties in arming order).
 *
 * Why not a heap of unit objects: a sift on the ~16,000-unit queue of the 4096-pCPU
 * bench read each visited unit's deadline and wrote its heap index — a cache miss per
 * level. Here a sift moves numbers in a few arrays that stay in cache. The comparisons
 * and moves are the ones the object heap made, so units come out in the same order.
 */
import { grown } from '../typed-grow';
export class SlotHeap {
  private key = new Float64Array(64);
  private seq = new Float64Array(64);
  /** Heap entry i holds slot hs[i]. */
  private hs = new Int32Array(64);
  /** Heap position of each slot, -1 when not in the heap. */
  private pos = new Int32Array(64).fill(-1);
  size = 0;
  private nextSlot = 0;
  private readonly freeSlots: number[] = [];

  allocSlot(): number {
    const s = this.freeSlots.length > 0 ? this.freeSlots.pop()! : this.nextSlot++;
    if (s >= this.pos.length) {
      const p = new Int32Array(this.pos.length * 2).fill(-1);
      p.set(this.pos);
      this.pos = p;
    }
    this.pos[s] = -1;
    return s;
  }

  /** The slot's owner is gone (it must not be in the heap). */
  freeSlot(s: number): void {
    this.freeSlots.push(s);
  }

  has(s: number): boolean {
    return this.pos[s]! >= 0;
  }

  /** The slots in heap order. */
  slots(): number[] {
    return Array.from(this.hs.subarray(0, this.size));
  }

  /** Slot at the top; only when size > 0. */
  top(): number {
    return this.hs[0]!;
  }

  topKey(): number {
    return this.key[0]!;
  }

  /** Change the key of a slot in the heap in place, without sifting (the queue's key is its unit's live deadline). */
  setKey(s: number, k: number): void {
    const i = this.pos[s]!;
    if (i >= 0) this.key[i] = k;
  }

  /** Add slot s; returns its position (0: it is the new top). */
  push(s: number, k: number, seq: number): number {
    if (this.size === this.hs.length) this.grow();
    const i = this.size++;
    this.key[i] = k;
    this.seq[i] = seq;
    this.hs[i] = s;
    this.pos[s] = i;
    return this.up(i);
  }

  /** Take slot s out; returns the position it had (-1 if it was not in). */
  remove(s: number): number {
    const i = this.pos[s]!;
    if (i < 0) return -1;
    this.pos[s] = -1;
    const last = --this.size;
    if (last !== i) {
      const ls = this.hs[last]!;
      this.place(i, this.key[last]!, this.seq[last]!, ls);
      this.down(i);
      this.up(this.pos[ls]!);
    }
    return i;
  }

  private place(i: number, k: number, q: number, s: number): void {
    this.key[i] = k;
    this.seq[i] = q;
    this.hs[i] = s;
    this.pos[s] = i;
  }

  private less(i: number, j: number): boolean {
    const a = this.key[i]!;
    const b = this.key[j]!;
    return a < b || (a === b && this.seq[i]! < this.seq[j]!);
  }

  private up(i: number): number {
    const k = this.key[i]!;
    const q = this.seq[i]!;
    const s = this.hs[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pk = this.key[p]!;
      if (!(k < pk || (k === pk && q < this.seq[p]!))) break;
      this.place(i, pk, this.seq[p]!, this.hs[p]!);
      i = p;
    }
    this.place(i, k, q, s);
    return i;
  }

  private down(i: number): void {
    const n = this.size;
    const k = this.key[i]!;
    const q = this.seq[i]!;
    const s = this.hs[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(r, l) ? r : l;
      const ck = this.key[c]!;
      if (!(ck < k || (ck === k && this.seq[c]! < q))) break;
      this.place(i, ck, this.seq[c]!, this.hs[c]!);
      i = c;
    }
    this.place(i, k, q, s);
  }

  private grow(): void {
    const n = this.hs.length * 2;
    this.key = grown(this.key, n);
    this.seq = grown(this.seq, n);
    this.hs = grown(this.hs, n);
  }
}
