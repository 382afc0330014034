/**
 * A set of pCPUs, Xen's cpumask_t: a fixed-size bitmap over nr_cpu_ids. Used for hard
 * and soft affinity, cpupool membership and runqueue spans. The text forms are xl's
 * ("all", "0-3,5", and the xl vcpu-list "any cpu").
 */
/** The last word of a full mask of `size` cpus: its low size mod 32 bits (all 32 when 0). */
function lastWordFull(size: number): number {
  const rem = size & 31;
  return rem === 0 ? 0xffffffff : (2 ** rem - 1) >>> 0;
}

export class CpuMask {
  readonly bits: Uint32Array;

  constructor(readonly size: number, bits?: Uint32Array) {
    this.bits = bits ? bits.slice() : new Uint32Array((size + 31) >>> 5);
  }

  static all(size: number): CpuMask {
    const m = new CpuMask(size);
    m.bits.fill(0xffffffff);
    if (m.bits.length > 0) m.bits[m.bits.length - 1] = lastWordFull(size);
    return m;
  }

  static of(size: number, cpus: Iterable<number>): CpuMask {
    const m = new CpuMask(size);
    for (const c of cpus) m.set(c);
    return m;
  }

  has(cpu: number): boolean {
    return cpu >= 0 && cpu < this.size && (this.bits[cpu >>> 5]! & (1 << (cpu & 31))) !== 0;
  }

  set(cpu: number): this {
    if (cpu < 0 || cpu >= this.size) throw new RangeError(`cpu ${cpu} out of range 0-${this.size - 1}`);
    this.bits[cpu >>> 5]! |= 1 << (cpu & 31);
    return this;
  }

  clear(cpu: number): this {
    if (cpu >= 0 && cpu < this.size) this.bits[cpu >>> 5]! &= ~(1 << (cpu & 31));
    return this;
  }

  /** This mask becomes a copy of `o` (same size), in place: holders of it see the change. */
  assign(o: CpuMask): this {
    this.bits.set(o.bits);
    return this;
  }

  clone(): CpuMask {
    return new CpuMask(this.size, this.bits);
  }

  get weight(): number {
    let n = 0;
    for (const w of this.bits) n += popcount(w);
    return n;
  }

  get empty(): boolean {
    const b = this.bits;
    for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
    return true;
  }

  /** Every cpu set: word compares, stopping at the first gap (a 4096-pCPU mask is 128
   * words, and every vCPU's two affinities are tested when it joins a pool). */
  get full(): boolean {
    const b = this.bits;
    const last = b.length - 1;
    for (let i = 0; i < last; i++) if (b[i] !== 0xffffffff) return false;
    return last < 0 || b[last] === lastWordFull(this.size);
  }

  first(): number {
    for (let i = 0; i < this.bits.length; i++) {
      const w = this.bits[i]!;
      if (w !== 0) return (i << 5) + (31 - Math.clz32(w & -w));
    }
    return -1;
  }

  /** cpumask_cycle(): the first cpu set after `cpu`, wrapping round to the first; -1 if none. */
  cycle(cpu: number): number {
    for (let c = cpu + 1; c < this.size; c++) if (this.has(c)) return c;
    return this.first();
  }

  *[Symbol.iterator](): IterableIterator<number> {
    for (let i = 0; i < this.bits.length; i++) {
      let w = this.bits[i]!;
      while (w !== 0) {
        const low = w & -w;
        yield (i << 5) + (31 - Math.clz32(low));
        w ^= low;
      }
    }
  }

  and(o: CpuMask): CpuMask {
    const m = this.clone();
    for (let i = 0; i < m.bits.length; i++) m.bits[i]! &= o.bits[i] ?? 0;
    return m;
  }

  or(o: CpuMask): CpuMask {
    const m = this.clone();
    for (let i = 0; i < m.bits.length; i++) m.bits[i]! |= o.bits[i] ?? 0;
    return m;
  }

  andNot(o: CpuMask): CpuMask {
    const m = this.clone();
    for (let i = 0; i < m.bits.length; i++) m.bits[i]! &= ~(o.bits[i] ?? 0);
    return m;
  }

  intersects(o: CpuMask): boolean {
    for (let i = 0; i < this.bits.length; i++) if ((this.bits[i]! & (o.bits[i] ?? 0)) !== 0) return true;
    return false;
  }

  /** cpumask_subset(this, o): every cpu of this mask is in `o`. */
  subsetOf(o: CpuMask): boolean {
    for (let i = 0; i < this.bits.length; i++) if ((this.bits[i]! & ~(o.bits[i] ?? 0)) !== 0) return false;
    return true;
  }

  equals(o: CpuMask): boolean {
    return this.size === o.size && this.bits.every((w, i) => w === o.bits[i]);
  }

  /** xl's range list: "0-3,8,10-11"; "all" when every cpu is set. */
  toString(): string {
    if (this.full) return 'all';
    return rangeList(this);
  }
}

/**
 * CPU numbers in ascending order as ranges, "0-3,8,10-11" (xl's CPU list, and Xen's own
 * "%*pbl" format); empty for none.
 */
export function rangeList(ascending: Iterable<number>): string {
  const parts: string[] = [];
  let start = -1;
  let prev = -2;
  for (const c of ascending) {
    if (c !== prev + 1) {
      if (start >= 0) parts.push(start === prev ? `${start}` : `${start}-${prev}`);
      start = c;
    }
    prev = c;
  }
  if (start >= 0) parts.push(start === prev ? `${start}` : `${start}-${prev}`);
  return parts.join(',');
}

function popcount(w: number): number {
  w = w - ((w >>> 1) & 0x55555555);
  w = (w & 0x33333333) + ((w >>> 2) & 0x33333333);
  return (Math.imul((w + (w >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}
