/**
 * `cpus` and `cpus_soft` (xl.cfg(5) "CPU Allocation"; tools/xl/xl_parse.c
 * parse_vcpu_affinity): a string gives every vCPU the same map, a list gives vCPU i the
 * i-th entry (vCPUs past the list keep the default; entries past max_vcpus are
 * ignored). Each entry is xl's CPU list syntax (cpu-range.ts). The maps are libxl
 * bitmaps sized for the host's CPUs rounded up to whole bytes
 * (libxl_cpu_bitmap_alloc); bits past that are dropped, as libxl_bitmap_set does.
 */
import { parseCpuRange, type CpuRangeContext } from './cpu-range';
import type { XlValue } from './xlcfg-parser';

export type AffinityParse = { ok: true; maps: number[][] } | { ok: false; message: string };

export function parseVcpuAffinity(value: XlValue, maxVcpus: number, host: CpuRangeContext): AffinityParse {
  const bits = Math.ceil(host.nrCpus / 8) * 8;
  const ctx: CpuRangeContext = { nrCpus: bits, nodeCpus: host.nodeCpus };
  const one = (spec: string): { ok: true; cpus: number[] } | { ok: false; message: string } => {
    const r = parseCpuRange(spec, ctx);
    return r.ok ? { ok: true, cpus: r.cpus.filter((c) => c < bits) } : r;
  };
  if (value.kind === 'list') {
    const maps: number[][] = [];
    for (const item of value.items.slice(0, maxVcpus)) {
      const text = item.kind === 'string' ? item.value : item.kind === 'number' ? item.text : '';
      const r = one(text);
      if (!r.ok) return r;
      maps.push(r.cpus);
    }
    return { ok: true, maps };
  }
  const text = value.kind === 'string' ? value.value : value.text;
  const r = one(text);
  if (!r.ok) return r;
  return { ok: true, maps: Array.from({ length: maxVcpus }, () => [...r.cpus]) };
}
