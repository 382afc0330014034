// `xl info [-n]` (tools/xl/xl_info.c: print_info, output_physinfo, output_xeninfo,
// output_topologyinfo, output_numainfo): "key : value" lines with the key padded to 23
// columns ("%-23s: "), and with -n three tables (cpu_topology, device topology,
// numa_info) whose rows are not key lines.
import { ParseError } from '../errors';
import type { CpuTopology, NumaNode, RemotePhysinfo } from '../types';

const FIELD = /^([a-z_0-9]+) *: ?(.*)$/;

/** A field line has its colon in column 23 (or later, for a key of 23+ characters). */
function fieldLine(line: string): [string, string] | undefined {
  const m = FIELD.exec(line);
  if (!m || m[1] === undefined || m[2] === undefined) return undefined;
  const colon = line.indexOf(':');
  if (colon !== Math.max(23, m[1].length)) return undefined;
  return [m[1], m[2]];
}

export function parseXlInfo(text: string): RemotePhysinfo {
  const fields: Record<string, string> = {};
  const cpuTopology: CpuTopology[] = [];
  const numaInfo: NumaNode[] = [];
  let table: string | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const f = fieldLine(line);
    if (f) {
      fields[f[0]] = f[1].trimEnd();
      table = f[1].trim() === '' ? f[0] : undefined;
      continue;
    }
    if (table === 'cpu_topology') {
      const m = /^\s*(\d+):\s+(\d+)\s+(\d+)\s+(\d+)\s*$/.exec(line);
      if (m) cpuTopology.push({ cpu: Number(m[1]), core: Number(m[2]), socket: Number(m[3]), node: Number(m[4]) });
    } else if (table === 'numa_info') {
      const m = /^\s*(\d+):\s+(\d+)\s+(\d+)\s+([\d\s]+)$/.exec(line);
      if (m && m[4] !== undefined) {
        numaInfo.push({
          node: Number(m[1]),
          memsizeMiB: Number(m[2]),
          memfreeMiB: Number(m[3]),
          distances: m[4].trim().split(/\s+/).map(Number),
        });
      }
    } else if (table === undefined) {
      throw new ParseError('xl info', `unexpected line ${JSON.stringify(line)}`);
    }
  }
  const str = (k: string): string => {
    const v = fields[k];
    if (v === undefined) throw new ParseError('xl info', `no ${k} field`);
    return v;
  };
  const num = (k: string): number => {
    const v = Number(str(k));
    if (!Number.isFinite(v)) throw new ParseError('xl info', `${k} is not a number: ${JSON.stringify(fields[k])}`);
    return v;
  };
  const words = (k: string): string[] => str(k).split(/\s+/).filter((w) => w !== '');
  const info: RemotePhysinfo = {
    host: str('host'),
    release: str('release'),
    version: str('version'),
    machine: str('machine'),
    nrCpus: num('nr_cpus'),
    maxCpuId: num('max_cpu_id'),
    nrNodes: num('nr_nodes'),
    coresPerSocket: num('cores_per_socket'),
    threadsPerCore: num('threads_per_core'),
    cpuMhz: num('cpu_mhz'),
    hwCaps: str('hw_caps').split(':'),
    virtCaps: words('virt_caps'),
    totalMemoryMiB: num('total_memory'),
    freeMemoryMiB: num('free_memory'),
    sharingFreedMemoryMiB: num('sharing_freed_memory'),
    sharingUsedMemoryMiB: num('sharing_used_memory'),
    outstandingClaimsMiB: num('outstanding_claims'),
    freeCpus: num('free_cpus'),
    xenMajor: num('xen_major'),
    xenMinor: num('xen_minor'),
    xenExtra: str('xen_extra'),
    xenVersion: str('xen_version'),
    xenCaps: words('xen_caps'),
    xenScheduler: str('xen_scheduler'),
    xenPagesize: num('xen_pagesize'),
    platformParams: str('platform_params'),
    xenChangeset: str('xen_changeset'),
    xenCommandline: str('xen_commandline'),
    ccCompiler: str('cc_compiler'),
    ccCompileBy: str('cc_compile_by'),
    ccCompileDomain: str('cc_compile_domain'),
    ccCompileDate: str('cc_compile_date'),
    buildId: str('build_id'),
    xendConfigFormat: num('xend_config_format'),
    fields,
  };
  if ('cpu_topology' in fields) info.cpuTopology = cpuTopology;
  if ('numa_info' in fields) info.numaInfo = numaInfo;
  return info;
}
