/**
 * Changing a running domain of the embedded host the way `xl vcpu-pin`, `xl mem-max`,
 * `xl mem-set` and `xl vcpu-set` do, through the hypercall entry and the host's xenstore
 * like the rest of the toolstack:
 *   - libxl_set_vcpuaffinity[_all] (tools/libs/light/libxl_sched.c) over
 *     XEN_DOMCTL_setvcpuaffinity: a null mask leaves that affinity as it is; `all` pins
 *     every vCPU, all or nothing;
 *   - libxl_domain_setmaxmem (tools/libs/light/libxl_mem.c): never below memory/target
 *     (memory_dynamic_max), then XEN_DOMCTL_max_mem;
 *   - libxl_set_memory_target(relative=0, enforce=1) (libxl_mem.c), as xl mem-set calls
 *     it: the target may not pass memory/static-max, dom0 not below LIBXL_MIN_DOM0_MEM;
 *     max_pages becomes the target (enforce), then memory/target and /vm/<uuid>/memory
 *     are written; the guest's balloon driver does the rest;
 *   - libxl_set_vcpuonline (libxl_domain.c) for PV and PVH guests: 1..max vCPUs, written
 *     to cpu/N/availability in one transaction; the guest brings them up or down. (For
 *     HVM with qemu-xen libxl hotplugs through QMP device_add; XenDeck's HVM guests take
 *     the xenstore path too.)
 * libxl adds LIBXL_MAXMEM_CONSTANT (1 MiB, libxl_x86.c) to every max_pages it sets; the
 * embedded host leaves it out everywhere (create too), so `xl list -l` shows the sizes given.
 * vcpu-pin and mem-max emit no toolstack event (the embedded host announces the others).
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
  const done: number[] = [];
  try {
    for (const v of vcpus) {
      xen.hypercall({ op: 'domctl.setvcpuaffinity', domid, vcpu: v, ...(hard ? { hard } : {}), ...(soft ? { soft } : {}) });
      done.push(v);
    }
  } catch (e) {
    // put back what changed before the failing vCPU: a failed operation changes nothing
    // (the failing one changed nothing: EINVAL, or EBUSY while its affinity is broken,
    // when setting it again would fail the same way)
    for (const b of before) {
      if (done.includes(b.vcpu)) xen.hypercall({ op: 'domctl.setvcpuaffinity', domid, vcpu: b.vcpu, hard: expandMask(b.hardAffinity, nrCpus), soft: expandMask(b.softAffinity, nrCpus) });
    }
    throw ToolstackError.from(e);
  }
}

export function setMaxMemory(host: EmbeddedHost, ref: DomainRef, maxKiB: number): void {
  const domid = host.resolve(ref);
  const d = call(() => host.xen.hypercall({ op: 'domctl.getdomaininfo', domid }));
  const target = readKiB(host, domid, 'memory/target') ?? d.totPages * PAGE_KIB;
  if (maxKiB < target) {
    throw new ToolstackError('EINVAL', 'memory_static_max must be greater than or or equal to memory_dynamic_max', `the domain's memory target is ${target / 1024} MiB (xl mem-set lowers it)`);
  }
  call(() => host.xen.hypercall({ op: 'domctl.max_mem', domid, maxKiB }));
}

/** LIBXL_MIN_DOM0_MEM (libxl_internal.h): 128 MiB. */
export const LIBXL_MIN_DOM0_MEM_KIB = 128 * 1024;

export function setMemoryTarget(host: EmbeddedHost, domid: number, targetKiB: number): void {
  if (!Number.isInteger(targetKiB) || targetKiB < 0) throw new ToolstackError('EINVAL', `invalid memory target ${targetKiB} KiB`);
  const d = call(() => host.xen.hypercall({ op: 'domctl.getdomaininfo', domid }));
  if (domid === 0) {
    fillDom0MemoryInfo(host, d.totPages, d.maxPages);
    if (targetKiB < LIBXL_MIN_DOM0_MEM_KIB) throw new ToolstackError('EINVAL', `New target ${targetKiB} for dom0 is below the minimum threshold`, `dom0 keeps at least ${LIBXL_MIN_DOM0_MEM_KIB / 1024} MiB (LIBXL_MIN_DOM0_MEM)`);
  }
  const staticMax = readKiB(host, domid, 'memory/static-max');
  if (staticMax === undefined) throw new ToolstackError('EINVAL', `Cannot get memory info from /local/domain/${domid}/memory/static-max`);
  if (targetKiB > staticMax) {
    throw new ToolstackError('EINVAL', 'memory_dynamic_max must be less than or equal to memory_static_max', `the domain's static maximum is ${staticMax / 1024} MiB (xl.cfg maxmem)`);
  }
  call(() => host.xen.hypercall({ op: 'domctl.max_mem', domid, maxKiB: targetKiB }));
  host.xenstore.write({ [`/local/domain/${domid}/memory/target`]: String(targetKiB), [`/vm/${d.uuid}/memory`]: String(Math.floor(targetKiB / 1024)) });
}

export function setOnlineVcpus(host: EmbeddedHost, domid: number, count: number): void {
  const d = call(() => host.xen.hypercall({ op: 'domctl.getdomaininfo', domid }));
  const max = d.maxVcpuId + 1;
  if (!Number.isInteger(count) || count <= 0) throw new ToolstackError('EINVAL', 'Requested 0 VCPUs!');
  if (count > max) throw new ToolstackError('EINVAL', `Requested ${count} VCPUs, however maxcpus is ${max}!`, `maxvcpus in the domain's xl.cfg sets the most it can have`);
  const nodes: Record<string, string> = {};
  for (let i = 0; i < max; i++) nodes[`/local/domain/${domid}/cpu/${i}/availability`] = i < count ? 'online' : 'offline';
  host.xenstore.write(nodes);
}

/**
 * libxl__fill_dom0_memory_info: dom0 was not built by libxl, so its memory/target and
 * memory/static-max are written from what Xen says the first time they are needed
 * (static-max: dom0's max_pages, or the host's memory when Xen sets no limit).
 */
function fillDom0MemoryInfo(host: EmbeddedHost, totPages: number, maxPages: number): void {
  const nodes: Record<string, string> = {};
  if (readKiB(host, 0, 'memory/target') === undefined) nodes['/local/domain/0/memory/target'] = String(totPages * PAGE_KIB);
  if (readKiB(host, 0, 'memory/static-max') === undefined) {
    const total = host.xen.hypercall({ op: 'sysctl.physinfo' }).totalPages;
    nodes['/local/domain/0/memory/static-max'] = String(Math.min(maxPages, total) * PAGE_KIB);
  }
  if (Object.keys(nodes).length > 0) host.xenstore.write(nodes);
}

function readKiB(host: EmbeddedHost, domid: number, node: string): number | undefined {
  const v = host.xenstore.read(`/local/domain/${domid}/${node}`);
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
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
