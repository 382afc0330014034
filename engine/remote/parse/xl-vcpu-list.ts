// `xl vcpu-list [dom...]` (tools/xl/xl_vcpu.c: print_vcpuinfo): header
// "%-32s %5s %5s %5s %5s %9s %s", rows "%-32s %5u %5u" then, for an online vCPU,
// "%5u %3c%c- " (pcpu, r/-, b/-), for an offline one "    -   --p ", then
// "%9.1f  " seconds and the hard / soft affinity cpumaps as ranges ("all", "0-3").
import { ParseError } from '../errors';
import type { RemoteVcpu } from '../types';

const ROW = /^(.+?)\s+(\d+)\s+(\d+)\s+(\d+|-)\s+([r-])([b-])([p-])\s+(\d+(?:\.\d+)?)\s+(\S+) \/ (\S+)\s*$/;

export function parseXlVcpuList(text: string): RemoteVcpu[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines.shift();
  if (header === undefined || !/^Name\s+ID\s+VCPU\s+CPU\s+State\s+Time\(s\)\s+Affinity \(Hard \/ Soft\)/.test(header)) {
    throw new ParseError('xl vcpu-list', `no header line in ${JSON.stringify(text.slice(0, 80))}`);
  }
  return lines.map((line) => {
    const m = ROW.exec(line);
    if (!m) throw new ParseError('xl vcpu-list', `unexpected row ${JSON.stringify(line)}`);
    const online = m[4] !== '-';
    return {
      domain: (m[1] as string).trimEnd(),
      domid: Number(m[2]),
      vcpu: Number(m[3]),
      cpu: online ? Number(m[4]) : null,
      online,
      running: m[5] === 'r',
      blocked: m[6] === 'b',
      timeS: Number(m[8]),
      hardAffinity: m[9] as string,
      softAffinity: m[10] as string,
    };
  });
}

/**
 * Expands an xl cpumap string ("all", "0-3,6", "none") to CPU numbers; "all" needs the
 * host's CPU count. xl prints ranges (tools/libs/util/libxlu_cpumap... print_bitmap).
 */
export function expandCpumap(map: string, nrCpus: number): number[] {
  if (map === 'all') return Array.from({ length: nrCpus }, (_, i) => i);
  if (map === 'none' || map === '') return [];
  const cpus: number[] = [];
  for (const part of map.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new ParseError('cpumap', `bad range ${JSON.stringify(part)}`);
    const lo = Number(m[1]);
    const hi = m[2] !== undefined ? Number(m[2]) : lo;
    if (hi < lo) throw new ParseError('cpumap', `reversed range ${JSON.stringify(part)}`);
    for (let c = lo; c <= hi; c++) cpus.push(c);
  }
  return cpus;
}
