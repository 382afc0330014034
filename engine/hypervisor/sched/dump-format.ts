/**
 * The printk formats of debug-key 'r' (xen/common/vsprintf.c, Xen 4.17), shared by
 * schedule_dump() and the schedulers' dumps (*-dump.ts): "%*pbl" and "%*pb" cpumasks,
 * "%pv" vCPUs, "CPU[%02d]", and the topology masks the per-pCPU lines print
 * (cpu_sibling_mask, cpu_core_mask).
 */
import { CpuMask, rangeList } from '../cpumask';
import type { Topology } from '../topology';

/** "%*pbl" (print_bitmap_list): ascending ranges joined by commas, "" for none. */
export function pbl(cpus: Iterable<number>): string {
  // a CpuMask iterates in ascending order already
  return rangeList(cpus instanceof CpuMask ? cpus : [...cpus].sort((a, b) => a - b));
}

/**
 * "%*pb" (print_bitmap_string) of a mask nr_cpu_ids bits wide: 32-bit chunks in
 * lower-case hex, most significant first, joined by commas; the first chunk holds the
 * bits above the last whole 32 and is as many digits as its bits need.
 */
export function pb(cpus: Iterable<number>, nrBits: number): string {
  const words = new Uint32Array(Math.ceil(nrBits / 32));
  for (const c of cpus) words[c >>> 5]! |= 1 << (c & 31);
  const chunks: string[] = [];
  let bits = nrBits % 32 || 32;
  for (let w = words.length - 1; w >= 0; w--) {
    chunks.push(words[w]!.toString(16).padStart(Math.ceil(bits / 4), '0'));
    bits = 32;
  }
  return chunks.join(',');
}

/** "CPU[%02d]". */
export const cpuTag = (cpu: number): string => `CPU[${String(cpu).padStart(2, '0')}]`;

/** "%3d" (the dumps' list counters). */
export const d3 = (n: number): string => String(n).padStart(3);

/** What a dump needs to name a vCPU (a unit of sched-gran=cpu is one vCPU). */
export interface VcpuName {
  readonly domid: number;
  readonly vcpuId: number;
}

/** "%pv" (print_vcpu): d<domid>v<vcpu>; the idle vCPU of a pCPU is d[IDLE]v<cpu>; NULL is "NULL". */
export function pv(v: VcpuName | null, idleCpu?: number): string {
  if (v) return `d${v.domid}v${v.vcpuId}`;
  return idleCpu === undefined ? 'NULL' : `d[IDLE]v${idleCpu}`;
}

/** per_cpu(cpu_sibling_mask, cpu): the hyperthreads of its core (the pCPU included). */
export function siblingCpus(topo: Topology, cpu: number): number[] {
  const t = topo.threadsPerCore;
  const first = cpu - (cpu % t);
  return Array.from({ length: t }, (_, i) => first + i);
}

/** per_cpu(cpu_core_mask, cpu): every pCPU of its socket (package). */
export function coreCpus(topo: Topology, cpu: number): number[] {
  const per = topo.coresPerSocket * topo.threadsPerCore;
  const first = topo.cpuSocket[cpu]! * per;
  return Array.from({ length: per }, (_, i) => first + i);
}

/** "sibling={%*pbl}, core={%*pbl}", as credit, credit2 and null print a pCPU. */
export const cpuMasks = (topo: Topology, cpu: number): string => `sibling={${pbl(siblingCpus(topo, cpu))}}, core={${pbl(coreCpus(topo, cpu))}}`;

/**
 * An integer field Xen holds (s_time_t, int) from the engine's number: floating-point
 * credits and loads print as C's conversion to an integer would (toward zero).
 */
export const int = (x: number): number => Math.trunc(x);
