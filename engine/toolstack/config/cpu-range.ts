/**
 * parse_cpurange() / update_cpumap_range() of tools/xl/xl_parse.c: a comma-separated list
 * of "N", "A-B", "all", "node:N" / "nodes:A-B" (every pCPU of those NUMA nodes), each
 * optionally prefixed "^" to take pCPUs out again, applied left to right.
 * Errors are xl's: "Can't combine \"^\" and \"all\"." and "Invalid pcpu range: %s.".
 */
export interface CpuRangeContext {
  nrCpus: number;
  /** pCPUs of each NUMA node. */
  nodeCpus: number[][];
}

export type CpuRangeResult = { ok: true; cpus: number[] } | { ok: false; message: string };

export function parseCpuRange(spec: string, c: CpuRangeContext): CpuRangeResult {
  const set = new Set<number>();
  for (const part of spec.split(',').filter((p) => p !== '')) {
    let s = part;
    const not = s.startsWith('^');
    if (not) s = s.slice(1);
    const nodes = s.startsWith('node:') || s.startsWith('nodes:');
    if (nodes) s = s.slice(s.indexOf(':') + 1);
    if (s === 'all') {
      if (not) return { ok: false, message: 'Can\'t combine "^" and "all".' };
      for (let i = 0; i < c.nrCpus; i++) set.add(i);
      continue;
    }
    const m = /^(\d+)(?:-(\d+))?$/.exec(s);
    const a = m ? Number(m[1]) : NaN;
    const b = m ? Number(m[2] ?? m[1]) : NaN;
    if (!m || b < a) return { ok: false, message: `Invalid pcpu range: ${part}.` };
    for (let i = a; i <= b; i++) {
      const cpus = nodes ? (c.nodeCpus[i] ?? []) : [i];
      for (const cpu of cpus) {
        if (not) set.delete(cpu);
        else set.add(cpu);
      }
    }
  }
  return { ok: true, cpus: [...set].sort((x, y) => x - y) };
}

/** print_bitmap's cpu list form (cpupool-list -c): "0,1,2". */
export function cpuList(cpus: readonly number[]): string {
  return cpus.join(',');
}
