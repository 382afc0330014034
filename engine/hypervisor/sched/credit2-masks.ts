/**
 * Credit2's pCPU masks as bitmaps, 32 pCPUs a word: the host's idle and tickled pCPUs
 * (Xen's rqd->idle and rqd->tickled, xen/common/sched/credit2.c, kept host-wide: a pCPU
 * is in one runqueue) and each runqueue's own pCPUs (rqd->active) as the words they
 * span. runq_tickle() ANDs these masks and walks the result with cpumask_test_or_cycle()
 * and for_each_cpu(); doing the same a word at a time answers for a 16-pCPU runqueue in
 * one or two words instead of a test per pCPU.
 */
import { lowBit } from './cpu-bits';

/** A runqueue's pCPUs as bitmap words: word k is the host's word w0 + k. */
export class RunqMask {
  w0 = 0;
  member = new Uint32Array(0);

  /** Rebuilt from the runqueue's pCPUs (sorted), when one joins or leaves. */
  set(cpus: readonly number[]): void {
    if (cpus.length === 0) {
      this.w0 = 0;
      this.member = new Uint32Array(0);
      return;
    }
    this.w0 = cpus[0]! >>> 5;
    this.member = new Uint32Array((cpus[cpus.length - 1]! >>> 5) - this.w0 + 1);
    for (const c of cpus) this.member[(c >>> 5) - this.w0]! |= 1 << (c & 31);
  }
}

export const bitOn = (words: Uint32Array, cpu: number): boolean => (words[cpu >>> 5]! & (1 << (cpu & 31))) !== 0;

export function bitSet(words: Uint32Array, cpu: number): void {
  words[cpu >>> 5]! |= 1 << (cpu & 31);
}

export function bitClear(words: Uint32Array, cpu: number): void {
  words[cpu >>> 5]! &= ~(1 << (cpu & 31));
}


/**
 * Word k of the runqueue's idle, untickled pCPUs (cpumask_andnot(idle, tickled) within
 * rqd->active); with `smt`, only those whose core is fully idle too: every sibling
 * thread in the runqueue idle and untickled (rqd->smt_idle; a sibling outside the
 * runqueue does not count), for two threads a core, siblings 2n and 2n + 1.
 */
export function idleWord(m: RunqMask, idle: Uint32Array, tickled: Uint32Array, k: number, smt: boolean): number {
  const mem = m.member[k]!;
  const w = m.w0 + k;
  let x = idle[w]! & ~tickled[w]! & mem;
  if (smt) {
    // a pair's even bit set when both threads qualify (or are not in the runqueue)
    const y = x | ~mem;
    const pair = y & (y >>> 1) & 0x55555555;
    x &= pair | (pair << 1);
  }
  return x;
}

/**
 * cpumask_test_or_cycle(proc, mask) over the runqueue's idle, untickled pCPUs (of fully
 * idle cores with `smt`, threads of two a core): `proc` if it is one, else the first
 * after it in pCPU order, wrapping to the runqueue's first; -1 if none.
 */
export function idleFirstFrom(m: RunqMask, idle: Uint32Array, tickled: Uint32Array, proc: number, smt: boolean): number {
  const nw = m.member.length;
  let pk = (proc >>> 5) - m.w0;
  let from = proc & 31;
  if (pk < 0) {
    pk = 0;
    from = 0;
  }
  for (let k = pk; k < nw; k++) {
    let x = idleWord(m, idle, tickled, k, smt);
    if (k === pk) x &= 0xffffffff << from;
    if (x !== 0) return ((m.w0 + k) << 5) + lowBit(x);
  }
  // wrapped: from the first word up to proc's (its pCPUs below proc included)
  const end = pk < nw ? pk : nw - 1;
  for (let k = 0; k <= end; k++) {
    const x = idleWord(m, idle, tickled, k, smt);
    if (x !== 0) return ((m.w0 + k) << 5) + lowBit(x);
  }
  return -1;
}
