/**
 * libxc's save side of stream v2 (tools/libs/guest/xg_sr_save.c and _x86_pv.c /
 * _x86_hvm.c), over a simulated domain: the headers, the static data (PV info, CPUID
 * and MSR policy, STATIC_DATA_END), the guest's memory as PAGE_DATA batches of at most
 * MAX_BATCH_SIZE pfns, then the end-of-stream state (TSC info; for PV the shared info
 * page and each online vCPU's context; for HVM the params and the HVM context), END.
 *
 * Memory comes from the sparse frame contents through a foreign mapping: a populated
 * pfn never written is sent as XALLOC (allocate, no data: the spec's "allocate only"
 * type) rather than as a page of zeros, so a 4 GiB guest with 1 GiB written streams
 * about 1 GiB. writePages() takes any pfn list, so a live migration can send the pages
 * a log-dirty CLEAN returned, iteration after iteration.
 *
 * The caller writes the headers (libxc-format.ts), writeStaticData, writePages over the
 * pfns (all of them, or a slice at a time, or again the dirty ones), writeEndState and
 * END: toolstack/migration/domain-save.ts does it for `xl save`.
 *
 * The vCPU context records carry the registers the guest model gives (`registers`);
 * where the simulator has no such state (the shared info page, a guest-maintained p2m
 * list, a vCPU without a guest model), the records carry Xen's layout with zeros; the records
 * a receiver would find empty (EXTENDED / XSAVE / MSRS vCPU state) are left out, as
 * the spec asks of empty data records.
 */
import type { CpuPolicy } from '../../hypervisor/cpuid-policy';
import type { ForeignMemory } from '../../hypervisor/mm/foreign-memory';
import { PAGE_SIZE } from '../../hypervisor/page';
import type { ByteWriter } from './byte-stream';
import { encodeCpuidPolicy } from './cpuid-leaves';
import { MAX_BATCH_SIZE, PFINFO, REC, writeRecord } from './libxc-format';
import { encodeHvmContext, HVM_PARAMS_SAVED } from './hvm-context';
import { encodePvVcpuBasic } from './pv-vcpu-context';
import type { VcpuRegisters } from '../../guest/vcpu-registers';

export interface SaveSource {
  domid: number;
  type: 'pv' | 'pvh' | 'hvm';
  xen: { major: number; minor: number };
  cpuPolicy: CpuPolicy;
  /** vCPU ids and whether each is online. */
  vcpus: { id: number; online: boolean }[];
  /** TSC: the domain's tsc_mode (0 default), the guest TSC frequency, elapsed ns. */
  tsc: { mode: number; khz: number; nsec: number; incarnation: number };
  /** HVM params that are set (index -> value); libxc sends the non-zero ones of its list. */
  hvmParams: Map<number, bigint>;
  memory: ForeignMemory;
  /** Every populated run of pfns, ascending. */
  forEachPopulated(cb: (pfn: number, count: number) => void): void;
  /** The guest's p2m size (highest populated pfn + 1). */
  p2mSize: number;
  /** A vCPU's registers as the suspended guest left them, when it has a model. */
  registers?(vcpu: number): VcpuRegisters | undefined;
}

/** Progress callback: pages sent so far, of the total. */
export type SaveProgress = (sent: number, total: number) => void;

const MSR_INTEL_PLATFORM_INFO = 0xce;
const MSR_ARCH_CAPABILITIES = 0x10a;

/** X86_PV_INFO (PV), CPUID and MSR policies, STATIC_DATA_END (v3), and for PV the P2M frames. */
export function writeStaticData(w: ByteWriter, src: SaveSource): void {
  if (src.type === 'pv') {
    // 64-bit guest (guest_width 8) with 4-level page tables
    writeRecord(w, REC.X86_PV_INFO, Uint8Array.of(8, 4, 0, 0, 0, 0, 0, 0));
  }
  writeRecord(w, REC.X86_CPUID_POLICY, encodeCpuidPolicy(src.cpuPolicy));
  // xen_msr_entry_t {u32 idx, u32 flags, u64 val}: the MSRs Xen's policy carries, none set
  const msrs = new Uint8Array(32);
  const mv = new DataView(msrs.buffer);
  mv.setUint32(0, MSR_INTEL_PLATFORM_INFO, true);
  mv.setUint32(16, MSR_ARCH_CAPABILITIES, true);
  writeRecord(w, REC.X86_MSR_POLICY, msrs);
  writeRecord(w, REC.STATIC_DATA_END);
  if (src.type === 'pv') {
    // p2m_start_pfn, p2m_end_pfn (inclusive); the guest keeps no p2m list of its own here, so no frames follow
    const b = new Uint8Array(8);
    const v = new DataView(b.buffer);
    v.setUint32(4, Math.max(0, src.p2mSize - 1), true);
    writeRecord(w, REC.X86_PV_P2M_FRAMES, b);
  }
}

/**
 * PAGE_DATA records for `pfns`: each batch lists its pfns with their types (NOTAB with a
 * page of data, XALLOC for a page never written, XTAB for a pfn no longer populated)
 * and then the data of the NOTAB pages in the same order.
 */
export function writePages(w: ByteWriter, mem: ForeignMemory, pfns: readonly number[], progress?: SaveProgress): { pages: number; dataPages: number } {
  let dataPages = 0;
  const types = new Uint8Array(MAX_BATCH_SIZE);
  const data: Uint8Array[] = [];
  for (let at = 0; at < pfns.length; at += MAX_BATCH_SIZE) {
    const batch = pfns.slice(at, at + MAX_BATCH_SIZE);
    data.length = 0;
    batch.forEach((pfn, i) => {
      const page = mem.probe(pfn);
      types[i] = page === 'unmapped' ? PFINFO.XTAB : page === 'zero' ? PFINFO.XALLOC : PFINFO.NOTAB;
      if (typeof page !== 'string') data.push(page);
    });
    w.u32le(REC.PAGE_DATA);
    w.u32le(8 + batch.length * 8 + data.length * PAGE_SIZE);
    w.u32le(batch.length);
    w.u32le(0);
    // the pfn in bits 0-51, the type in bits 60-63: written as two little-endian halves
    batch.forEach((pfn, i) => {
      w.u32le(pfn >>> 0);
      w.u32le(((types[i]! << 28) | Math.floor(pfn / 2 ** 32)) >>> 0);
    });
    for (const page of data) w.bytes(page);
    dataPages += data.length;
    progress?.(at + batch.length, pfns.length);
  }
  return { pages: pfns.length, dataPages };
}

/** TSC info, then PV: shared info and each online vCPU's basic context; HVM: params and context. */
export function writeEndState(w: ByteWriter, src: SaveSource): void {
  const tsc = new Uint8Array(24);
  const tv = new DataView(tsc.buffer);
  tv.setUint32(0, src.tsc.mode, true);
  tv.setUint32(4, src.tsc.khz, true);
  tv.setBigUint64(8, BigInt(src.tsc.nsec), true);
  tv.setUint32(16, src.tsc.incarnation, true);
  writeRecord(w, REC.X86_TSC_INFO, tsc);
  if (src.type === 'pv') {
    writeRecord(w, REC.SHARED_INFO, new Uint8Array(PAGE_SIZE));
    for (const v of src.vcpus) {
      if (!v.online) continue; // xg_sr_save_x86_pv.c: offline vCPUs are skipped
      writeRecord(w, REC.X86_PV_VCPU_BASIC, encodePvVcpuBasic(v.id, src.registers?.(v.id)));
    }
    return;
  }
  const params = [...src.hvmParams].filter(([i, v]) => HVM_PARAMS_SAVED.includes(i) && v !== 0n).sort((a, b) => a[0] - b[0]);
  if (params.length > 0) {
    const b = new Uint8Array(8 + params.length * 16);
    const v = new DataView(b.buffer);
    v.setUint32(0, params.length, true);
    params.forEach(([i, val], k) => {
      v.setBigUint64(8 + k * 16, BigInt(i), true);
      v.setBigUint64(16 + k * 16, val, true);
    });
    writeRecord(w, REC.HVM_PARAMS, b);
  }
  writeRecord(w, REC.HVM_CONTEXT, encodeHvmContext(src.vcpus.map((v) => v.id), src.cpuPolicy, src.tsc.khz, (id) => src.registers?.(id)));
}
