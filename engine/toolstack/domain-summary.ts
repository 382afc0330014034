/** DomainInfo (XEN_DOMCTL_getdomaininfo) to the toolstack's DomainSummary, in xl's units. */
import { PAGE_KIB } from '../hypervisor/page';
import type { DomainInfo } from '../hypervisor/xen';
import type { DomainSummary } from './types';

/** xl list's State column (tools/xl/xl_info.c list_domains): r b p s c d. */
export function stateLetters(f: DomainInfo['flags']): string {
  return [f.running ? 'r' : '-', f.blocked ? 'b' : '-', f.paused ? 'p' : '-', f.shutdown && !f.crashed ? 's' : '-', f.crashed ? 'c' : '-', f.dying ? 'd' : '-'].join('');
}

/** `targetKiB`: memory/target from xenstore, when the domain has one (else tot_pages). */
export function toDomainSummary(d: DomainInfo, cpupoolName: (id: number) => string, targetKiB?: number): DomainSummary {
  const mib = (pages: number): number => Math.floor((pages * PAGE_KIB) / 1024);
  return {
    domid: d.domid,
    uuid: d.uuid,
    name: d.name,
    type: d.type,
    state: stateLetters(d.flags),
    shutdownReason: d.shutdownReason ?? null,
    memoryMiB: mib(d.totPages),
    maxMemoryMiB: d.maxPages >= Number.MAX_SAFE_INTEGER ? mib(d.totPages) : mib(d.maxPages),
    targetMemoryMiB: targetKiB === undefined ? mib(d.totPages) : Math.floor(targetKiB / 1024),
    onlineVcpus: d.nrOnlineVcpus,
    maxVcpus: d.maxVcpuId + 1,
    cpuTimeS: Math.round(d.cpuTime / 1e8) / 10,
    cpupool: cpupoolName(d.cpupoolId),
  };
}
