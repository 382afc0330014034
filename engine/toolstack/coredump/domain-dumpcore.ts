/**
 * xc_domain_dumpcore over the simulated host (tools/libs/guest/xg_core.c), what
 * libxl_domain_core_dump runs for `xl dump-core` and for on_crash="coredump-destroy" /
 * "coredump-restart". Its steps, in libxc's order:
 *
 * - the vCPU contexts (XEN_DOMCTL_getvcpucontext per vCPU up to max_vcpu_id; a vCPU
 *   never brought up has none and is left out, as the call fails for it). The simulator
 *   has no registers: a context carries its flags (VGCF_online, VGCF_in_kernel for PV)
 *   and zeros;
 * - the memory map: one range [0, nr_gpfns) (xg_core_x86.c), walked pfn by pfn. A PV
 *   guest's pages come with their machine frame from its p2m (.xen_p2m); an HVM / PVH
 *   guest's pfns skip the VGA hole (0xa0-0xbf) and the MMIO hole below 4 GiB (from
 *   HVM_BELOW_4G_MMIO_START) and pfns that are not populated (.xen_pfn);
 * - nr_pages is tot_pages when the dump begins: more pages are dropped, fewer are padded
 *   with zero pages and invalid table entries;
 * - the shared info page for PV (for an HVM guest libxc's mapping of the shared info
 *   frame by its mfn does not reach it, and the section is optional).
 *
 * The file is created with mode 0600 (O_CREAT|O_TRUNC, S_IRUSR|S_IWUSR). Pages that
 * were never written are all zeros: they are left as holes of a sparse file, which reads
 * back byte for byte as libxc's explicit zeros.
 */
import type { VcpuRegisters } from '../../guest/vcpu-registers';
import { encodeVcpuGuestContext } from '../migration/pv-vcpu-context';
import { closeSync, ftruncateSync, openSync, unlinkSync, writeSync } from 'node:fs';
import type { Xen } from '../../hypervisor/xen';
import { XEN_VERSION } from '../../hypervisor/xen';
import { ToolstackError } from '../toolstack-error';
import { strerror } from '../strerror';
import { encodeSharedInfo } from './shared-info-page';
import { encodeFrameTable, encodeHeaders, encodeNotes, PAGE_SIZE, planCore, VCPU_CONTEXT_SIZE, type XenVersionInfo } from './xc-core-format';

export interface CoreDumpResult {
  file: string;
  bytes: number;
  /** xch_nr_pages and how many of them held data (the rest read as zeros). */
  pages: number;
  dataPages: number;
  vcpus: number;
}


/** xen/include/public/hvm/e820.h HVM_BELOW_4G_MMIO_START, in pfns; and the VGA hole. */
const MMIO_HOLE_START_PFN = 0xf0000000 / PAGE_SIZE;
const FOUR_GIB_PFN = 2 ** 32 / PAGE_SIZE;
const VGA_HOLE = [0xa0, 0xc0] as const;

/** xc_core_arch_gpfn_may_present (xg_core_x86.c). */
function gpfnMayBePresent(pfn: number): boolean {
  return !((pfn >= VGA_HOLE[0] && pfn < VGA_HOLE[1]) || (pfn >= MMIO_HOLE_START_PFN && pfn < FOUR_GIB_PFN));
}

/** What __HYPERVISOR_xen_version tells a dom0 tool on this host. */
export function xenVersionInfo(xen: Xen): XenVersionInfo {
  const caps = xen.hypercall({ op: 'sysctl.physinfo' }).capabilities;
  // XENVER_capabilities: "xen-3.0-x86_64 hvm-3.0-x86_32 ..." for what the build runs
  const words = [...(caps.includes('pv') ? ['xen-3.0-x86_64', 'xen-3.0-x86_32p'] : []), ...(caps.includes('hvm') ? ['hvm-3.0-x86_32', 'hvm-3.0-x86_32p', 'hvm-3.0-x86_64'] : [])];
  return {
    major: XEN_VERSION.major,
    minor: XEN_VERSION.minor,
    extra: XEN_VERSION.extra,
    compiler: 'XenDeck simulated host',
    compileBy: 'xendeck',
    compileDomain: '',
    compileDate: '',
    capabilities: words.join(' '),
    changeset: 'unavailable',
    // XENVER_platform_parameters: HYPERVISOR_VIRT_START of a 64-bit guest
    virtStart: 0xffff800000000000n,
  };
}

/**
 * `registers`: a vCPU's modelled registers when the guest model has them (a suspended
 * guest's, engine/guest/vcpu-registers.ts); otherwise the context carries its flags only.
 */
export function dumpDomainCore(xen: Xen, domid: number, file: string, registers?: (vcpu: number) => VcpuRegisters | undefined): CoreDumpResult {
  let info;
  try {
    info = xen.hypercall({ op: 'domctl.getdomaininfo', domid });
  } catch (e) {
    throw ToolstackError.from(e);
  }
  const pv = info.type === 'pv';
  const online = xen.hypercall({ op: 'domctl.getvcpuinfo', domid }).filter((v) => v.online).map((v) => v.vcpu);
  if (online.length === 0) throw new ToolstackError('ENODATA', `No VCPU context could be grabbed for domain ${domid}`);
  const mem = xen.hypercall({ op: 'privcmd.map_foreign', domid });
  const nrPages = info.totPages;
  const pfns: number[] = [];
  const gmfns: number[] = [];
  mem.forEachFrame((gfn, mfn, count) => {
    for (let i = 0; i < count; i++) {
      if (!pv && !gpfnMayBePresent(gfn + i)) continue;
      // libxc drops pages past tot_pages ("exceeded nr_pages"): a live dump can race a balloon
      if (pfns.length >= nrPages) continue;
      pfns.push(gfn + i);
      gmfns.push(mfn + i);
    }
  });
  const layout = planCore({ hvm: !pv, autoTranslated: !pv, nrVcpus: online.length, nrPages, sharedInfo: pv });

  let fd: number;
  try {
    fd = openSync(file, 'w', 0o600);
  } catch (e) {
    const code = (e as { code?: string }).code === 'ENOENT' ? 'ENOENT' : 'EACCES';
    throw new ToolstackError(code, `Could not open corefile ${file}: ${strerror(code)}`, (e as Error).message);
  }
  let dataPages = 0;
  try {
    const put = (bytes: Uint8Array, at: number): void => {
      let done = 0;
      while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, at + done);
    };
    put(encodeHeaders(layout), 0);
    put(encodeNotes({ hvm: !pv, nrVcpus: online.length, nrPages }, xenVersionInfo(xen)), layout.noteOffset);
    const prstatus = new Uint8Array(VCPU_CONTEXT_SIZE * online.length);
    // the same vcpu_guest_context the save stream's X86_PV_VCPU_BASIC carries
    online.forEach((vcpu, i) => prstatus.set(encodeVcpuGuestContext(registers?.(vcpu), pv), i * VCPU_CONTEXT_SIZE));
    put(prstatus, layout.prstatusOffset);
    if (layout.sharedInfoOffset !== undefined) {
      put(encodeSharedInfo({ nowNs: xen.clock.now, tscKhz: xen.cpuKhz, onlineVcpus: online, maxPfn: mem.gfnLimit }), layout.sharedInfoOffset);
    }
    pfns.forEach((pfn, j) => {
      const page = mem.probe(pfn);
      if (typeof page === 'string') return; // zeros: a hole of the sparse file
      put(page, layout.pagesOffset + j * PAGE_SIZE);
      dataPages++;
    });
    put(encodeFrameTable(!pv, nrPages, pfns, gmfns), layout.tableOffset);
    put(layout.strtab, layout.strtabOffset);
    ftruncateSync(fd, layout.fileSize);
    closeSync(fd);
  } catch (e) {
    closeSync(fd);
    unlinkSync(file);
    throw new ToolstackError((e as { code?: string }).code === 'ENOSPC' ? 'ENOSPC' : 'EIO', `Failed to write buffer: ${(e as Error).message}`);
  }
  return { file, bytes: layout.fileSize, pages: nrPages, dataPages, vcpus: online.length };
}
