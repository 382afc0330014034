/**
 * xl's text output formats, as tools/xl/xl_info.c prints them (checked in shape against
 * captures from a real Xen 4.17 in test/fixtures/realxen).
 */
import type { DomainInfo, Physinfo } from '../hypervisor/xen';
import { PAGE_KIB } from '../hypervisor/page';
import { stateLetters } from '../toolstack/domain-summary';

/** list_domains(): the header is a literal with tabs; rows are "%-40s %5d %5lu %5d     %c%c%c%c%c%c %9.1f". */
export const XL_LIST_HEADER = 'Name                                        ID   Mem VCPUs\tState\tTime(s)';

export function xlListRow(d: DomainInfo): string {
  const state = stateLetters(d.flags);
  const memMiB = Math.floor((d.totPages * PAGE_KIB) / 1024);
  return `${d.name.padEnd(40)} ${String(d.domid).padStart(5)} ${String(memMiB).padStart(5)} ${String(d.nrOnlineVcpus).padStart(5)}     ${state} ${(d.cpuTime / 1e9).toFixed(1).padStart(9)}`;
}

export function xlList(domains: readonly DomainInfo[]): string {
  return [XL_LIST_HEADER, ...[...domains].sort((a, b) => a.domid - b.domid).map(xlListRow)].join('\n') + '\n';
}

export interface XlInfoFields {
  host: string;
  physinfo: Physinfo;
  xenMajor: number;
  xenMinor: number;
  xenExtra: string;
  scheduler: string;
  commandline: string;
  /** pCPUs in no cpupool (libxl_get_freecpus); 0 when not given. */
  freeCpus?: number;
}

/** `xl info`: "%-23s: %s" lines in xl's order (output_xeninfo / output_physinfo). */
export function xlInfo(i: XlInfoFields): string {
  const p = i.physinfo;
  const mib = (pages: number): number => Math.floor((pages * PAGE_KIB) / 1024);
  const rows: [string, string | number][] = [
    ['host', i.host],
    ['release', 'xendeck-simulated'],
    ['version', 'XenDeck embedded host'],
    ['machine', 'x86_64'],
    ['nr_cpus', p.nrCpus],
    ['max_cpu_id', p.maxCpuId],
    ['nr_nodes', p.nrNodes],
    ['cores_per_socket', p.coresPerSocket],
    ['threads_per_core', p.threadsPerCore],
    ['cpu_mhz', (p.cpuKhz / 1000).toFixed(3)],
    ['virt_caps', p.capabilities.filter((c) => c === 'pv' || c === 'hvm').join(' ')],
    ['total_memory', mib(p.totalPages)],
    ['free_memory', mib(p.freePages)],
    ['sharing_freed_memory', 0],
    ['sharing_used_memory', 0],
    ['outstanding_claims', 0],
    ['free_cpus', i.freeCpus ?? 0],
    ['xen_major', i.xenMajor],
    ['xen_minor', i.xenMinor],
    ['xen_extra', i.xenExtra],
    ['xen_version', `${i.xenMajor}.${i.xenMinor}${i.xenExtra}`],
    ['xen_scheduler', i.scheduler],
    ['xen_pagesize', PAGE_KIB * 1024],
    ['xen_commandline', i.commandline],
    ['xend_config_format', 4],
  ];
  return rows.map(([k, v]) => `${k.padEnd(23)}: ${v}`).join('\n') + '\n';
}
