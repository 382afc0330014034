/**
 * cpus= / cpus_soft= applied while the domain is built (libxl__build_pre,
 * tools/libs/light/libxl_dom.c): each vCPU's hard and soft map from the config go to
 * XEN_DOMCTL_setvcpuaffinity, vCPU by vCPU; vCPUs the config gave no map keep "all".
 * Xen reads the bitmap up to its own pCPU count (xenctl_bitmap_to_cpumask), so bits past
 * the host's last pCPU are dropped; a hard map left with no pCPU of the domain's pool is
 * Xen's EINVAL, and the create fails.
 */
import type { Xen } from '../hypervisor/xen';
import type { DomainBuildInfoJson } from './types';

export function applyVcpuAffinity(xen: Xen, domid: number, b: DomainBuildInfoJson['b_info']): void {
  const n = xen.topology.nrCpus;
  const hard = b.vcpu_hard_affinity ?? [];
  const soft = b.vcpu_soft_affinity ?? [];
  for (let v = 0; v < b.max_vcpus; v++) {
    const h = hard[v]?.filter((c) => c < n);
    const s = soft[v]?.filter((c) => c < n);
    if (h === undefined && s === undefined) continue;
    xen.hypercall({ op: 'domctl.setvcpuaffinity', domid, vcpu: v, ...(h ? { hard: h } : {}), ...(s ? { soft: s } : {}) });
  }
}
