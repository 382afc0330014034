/**
 * Changing a running domain of the embedded host the way `xl vcpu-pin` and `xl mem-max`
 * do, through the hypercall entry like the rest of the toolstack:
 *   - libxl_set_vcpuaffinity[_all] (tools/libs/light/libxl_sched.c) over
 *     XEN_DOMCTL_setvcpuaffinity: a null mask leaves that affinity as it is; `all` pins
 *     every vCPU, all or nothing;
 *   - libxl_domain_setmaxmem (tools/libs/light/libxl_mem.c): never below the current
 *     target (memory_dynamic_max), then XEN_DOMCTL_max_mem.
 * They sit beside EmbeddedHost rather than in it and emit no toolstack event: so far only
 * the `xl` CLI uses them (affinity is not part of a DomainSummary; a new maximum shows in
 * the next listing).
 */
import { PAGE_KIB } from '../hypervisor/xen';
import type { EmbeddedHost } from './embedded-host';
import type { DomainRef } from './host-api';
import { ToolstackError } from './toolstack-error';

export function setVcpuAffinity(host: EmbeddedHost, ref: DomainRef, vcpu: number | 'all', hard: number[] | null, soft: number[] | null): void {
  const domid = host.resolve(ref);
  const xen = host.xen;
  const before = call(() => xen.hypercall({ op: 'domctl.getvcpuinfo', domid }));
  const n = before.length;
  if (vcpu !== 'all' && (vcpu < 0 || vcpu >= n)) throw new ToolstackError('EINVAL', `domain ${domid} has no vCPU ${vcpu}`, `it has vCPUs 0-${n - 1}`);
  const vcpus = vcpu === 'all' ? before.map((v) => v.vcpu) : [vcpu];
  const nrCpus = xen.topology.nrCpus;
  try {
    for (const v of vcpus) xen.hypercall({ op: 'domctl.setvcpuaffinity', domid, vcpu: v, ...(hard ? { hard } : {}), ...(soft ? { soft } : {}) });
  } catch (e) {
    // put back what changed before the failing vCPU: a failed operation changes nothing
    for (const b of before) {
      if (vcpus.includes(b.vcpu)) xen.hypercall({ op: 'domctl.setvcpuaffinity', domid, vcpu: b.vcpu, hard: expandMask(b.hardAffinity, nrCpus), soft: expandMask(b.softAffinity, nrCpus) });
    }
    throw ToolstackError.from(e);
  }
}

export function setMaxMemory(host: EmbeddedHost, ref: DomainRef, maxKiB: number): void {
  const domid = host.resolve(ref);
  const d = call(() => host.xen.hypercall({ op: 'domctl.getdomaininfo', domid }));
  if (maxKiB < d.totPages * PAGE_KIB) {
    throw new ToolstackError('EINVAL', 'memory_static_max must be greater than or or equal to memory_dynamic_max', `the domain has ${(d.totPages * PAGE_KIB) / 1024} MiB now`);
  }
  call(() => host.xen.hypercall({ op: 'domctl.max_mem', domid, maxKiB }));
}

/** The affinity strings getvcpuinfo gives ("all", "0-3,6") back as pCPU numbers. */
export function expandMask(mask: string, nrCpus: number): number[] {
  if (mask === 'all') return Array.from({ length: nrCpus }, (_, i) => i);
  if (mask === 'none' || mask === '') return [];
  return mask.split(',').flatMap((part) => {
    const [a, b] = part.split('-').map(Number);
    return Array.from({ length: (b ?? a!) - a! + 1 }, (_, i) => a! + i);
  });
}

function call<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw ToolstackError.from(e);
  }
}
