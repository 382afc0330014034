/**
 * `xl cpupool-list [-c]`: main_cpupoollist() of tools/xl/xl_cpupool.c. "%-19s" of the
 * name, then "%3d %9s       y       %4d" (pCPUs, scheduler, domains; Active is always y)
 * or, with -c, the pCPUs comma-separated.
 */
import type { CpupoolSummary } from '../../../toolstack/types';

export function cpupoolList(pools: readonly CpupoolSummary[], cpus: boolean): string {
  let s = 'Name'.padEnd(19) + (cpus ? 'CPU list\n' : 'CPUs   Sched     Active   Domain count\n');
  for (const p of pools) {
    s += p.name.padEnd(19);
    s += cpus ? p.cpus.join(',') : `${String(p.cpus.length).padStart(3)} ${p.sched.padStart(9)}       y       ${String(p.nDomains).padStart(4)}`;
    s += '\n';
  }
  return s;
}
