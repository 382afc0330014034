/**
 * A set of pCPUs as a bitmap by pCPU number, searched the way Xen's cpumask_first(),
 * cpumask_cycle() and cpumask_test_or_cycle() walk a cpumask: RTDS's idle pCPUs (what
 * runq_tickle() looks for first, xen/common/sched/rt.c) and null's cpus_free
 * (xen/common/sched/null.c).
 *
 * runq_tickle() walks the pCPUs the unit may use with cpumask_test_or_cycle() from the
 * unit's own pCPU, then cpumask_cycle(): the first idle one it meets is the first idle
 * pCPU at or after the unit's pCPU, wrapping past the last to pCPU 0. `firstFrom` finds
 * that one a 32-pCPU word at a time (128 words on a 4096-pCPU host) instead of Xen's
 * walk over every pCPU; firstFrom(0) is cpumask_first().
 */
export class CpuBits {
  private readonly words: Uint32Array;
  /** How many pCPUs are set. */
  size = 0;

  constructor(nrCpus: number) {
    this.words = new Uint32Array((nrCpus + 31) >>> 5);
  }

  has(cpu: number): boolean {
    return (this.words[cpu >>> 5]! & (1 << (cpu & 31))) !== 0;
  }

  add(cpu: number): void {
    const w = cpu >>> 5;
    const bit = 1 << (cpu & 31);
    if ((this.words[w]! & bit) !== 0) return;
    this.words[w]! |= bit;
    this.size++;
  }

  delete(cpu: number): void {
    const w = cpu >>> 5;
    const bit = 1 << (cpu & 31);
    if ((this.words[w]! & bit) === 0) return;
    this.words[w]! &= ~bit;
    this.size--;
  }

  /** The first pCPU set at or after `cpu`, cycling past the last to 0; -1 when none is. */
  firstFrom(cpu: number): number {
    if (this.size === 0) return -1;
    return firstSetFrom(this.words, 0, this.words.length, cpu);
  }
}

/**
 * cpumask_test_or_cycle() over the bitmap of `n` words at `words[base]`: the first pCPU
 * set at or after `cpu`, cycling past the last to 0; -1 when none is.
 */
export function firstSetFrom(words: Uint32Array, base: number, n: number, cpu: number): number {
  const w0 = cpu >>> 5;
  // the bits at and above cpu in its own word
  let w = words[base + w0]! & (0xffffffff << (cpu & 31));
  if (w !== 0) return (w0 << 5) + lowBit(w);
  for (let i = w0 + 1; i < n; i++) {
    w = words[base + i]!;
    if (w !== 0) return (i << 5) + lowBit(w);
  }
  // wrapped: from word 0 up to cpu's word (its bits below cpu included)
  for (let i = 0; i <= w0; i++) {
    w = words[base + i]!;
    if (w !== 0) return (i << 5) + lowBit(w);
  }
  return -1;
}

/** The index of the lowest set bit of a non-zero word. */
export const lowBit = (w: number): number => 31 - Math.clz32(w & -w);
