/**
 * A domain's NUMA node affinity as Xen computes it when the toolstack has not set one
 * (xen/common/sched/core.c domain_update_node_affinity, auto_node_affinity): the union of
 * its vCPUs' hard affinities within its cpupool's pCPUs; narrowed to the union of
 * (soft ∩ hard) when that is not empty; then every node with a pCPU in it. This is what
 * libxl_domain_get_nodeaffinity (XEN_DOMCTL_getnodeaffinity) returns for `xl list -n`.
 */
import { parseCpuRange } from './config/cpu-range';
import type { DomainRef, ToolstackHost } from './host-api';

export async function domainNodeAffinity(host: ToolstackHost, ref: DomainRef): Promise<number[]> {
  const [d, vcpus, pools, topo] = await Promise.all([host.domain(ref), host.vcpuList(ref), host.listCpupools(), host.topology()]);
  const ctx = { nrCpus: topo.cpus.length, nodeCpus: Array.from({ length: topo.nrNodes }, (_, n) => topo.cpus.filter((c) => c.node === n).map((c) => c.cpu)) };
  const cpus = (spec: string): Set<number> => {
    const r = parseCpuRange(spec, ctx);
    return new Set(r.ok ? r.cpus : []);
  };
  const online = new Set(pools.find((p) => p.name === d.cpupool)?.cpus ?? topo.cpus.map((c) => c.cpu));
  const hard = new Set<number>();
  const soft = new Set<number>();
  for (const v of vcpus) {
    const h = cpus(v.hardAffinity);
    for (const c of h) hard.add(c);
    for (const c of cpus(v.softAffinity)) if (h.has(c)) soft.add(c);
  }
  const dom = [...hard].filter((c) => online.has(c));
  const narrow = [...soft].filter((c) => dom.includes(c));
  const mask = narrow.length > 0 ? narrow : dom;
  const nodeOf = new Map(topo.cpus.map((c) => [c.cpu, c.node]));
  return [...new Set(mask.map((c) => nodeOf.get(c)!))].sort((a, b) => a - b);
}
