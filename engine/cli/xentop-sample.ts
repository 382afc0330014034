/**
 * libxenstat as xentop uses it: what it reads of the host (xenstat_get_node: the domains
 * from XEN_SYSCTL_getdomaininfolist, each one's vbds and vifs, its vCPUs; the host's
 * physinfo) and the CPU share each domain used since the previous sample (get_cpu_pct:
 * ns / 10 over the µs elapsed on the host's clock; 0 without a previous sample).
 * Also xentop's options, as both of its modes read them.
 */
import type { Physinfo, DomainInfo } from '../hypervisor/xen';
import type { DomainDevices, VcpuSummary } from '../toolstack/types';
import type { XentopRow, XentopView } from './xentop-fields';

/** What xentop reads of the host (libxenstat over libxc and dom0's sysfs). */
export interface XentopHost {
  /** XEN_SYSCTL_getdomaininfolist, and the host's clock (ns) when it was read. */
  domainInfoList(): Promise<{ nowNs: number; domains: DomainInfo[] }>;
  physinfo(): Promise<Physinfo>;
  domainDevices(domid: number): Promise<DomainDevices>;
  vcpuList(domid: number): Promise<VcpuSummary[]>;
  /** xenstat_node_xen_version: XENVER_version and XENVER_extraversion, "4.17.0-xendeck". */
  summary(): Promise<{ xenVersion: string }>;
}

export interface XentopOptions {
  batch: boolean;
  /** `delay`, an unsigned int: atoi's negative values wrap. */
  delayS: number;
  iterations: number | undefined;
  fullName: boolean;
  repeatHeader: boolean;
  showVcpus: boolean;
  showNetworks: boolean;
  showVbds: boolean;
}

/** One xenstat_get_node: every domain with its devices (and vCPUs when shown), CPU% against the previous sample. */
export class XentopSampler {
  private prev: { nowNs: number; cpu: Map<number, number> } | undefined;

  constructor(private readonly host: XentopHost) {}

  async sample(withVcpus: boolean): Promise<{ rows: XentopRow[]; phys: Physinfo; nowNs: number }> {
    const [list, phys] = await Promise.all([this.host.domainInfoList(), this.host.physinfo()]);
    const prev = this.prev;
    const rows: XentopRow[] = await Promise.all(
      list.domains.map(async (info) => {
        const devices = await this.host.domainDevices(info.domid).catch((): DomainDevices => ({ disks: [], nics: [] }));
        const vcpus = withVcpus ? await this.host.vcpuList(info.domid).catch(() => []) : undefined;
        const before = prev?.cpu.get(info.domid);
        const elapsedUs = prev ? (list.nowNs - prev.nowNs) / 1000 : 0;
        // get_cpu_pct: no previous sample of the domain (or no time passed), 0
        const cpuPct = before === undefined || elapsedUs <= 0 ? 0 : (info.cpuTime - before) / 10 / elapsedUs;
        return { info, devices, cpuPct, ...(vcpus ? { vcpus } : {}) };
      }),
    );
    this.prev = { nowNs: list.nowNs, cpu: new Map(list.domains.map((d) => [d.domid, d.cpuTime])) };
    return { rows, phys, nowNs: list.nowNs };
  }
}

export function initialView(o: XentopOptions): XentopView {
  return { fullName: o.fullName, repeatHeader: o.repeatHeader, showVcpus: o.showVcpus, showNetworks: o.showNetworks, showVbds: o.showVbds, sortField: 0, firstDomainIndex: 0, nameWidth: 10 };
}

