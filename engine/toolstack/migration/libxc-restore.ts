/**
 * libxc's restore side of stream v2 (tools/libs/guest/xg_sr_restore.c and
 * _x86_pv.c / _x86_hvm.c): checks the headers against the domain being restored, then
 * handles each record as it comes — PAGE_DATA populates the listed pfns (XALLOC ones
 * too, without data; XTAB ones are left unpopulated) and writes the data pages, the
 * policy records become the domain's CPUID policy, vCPU and TSC records are collected
 * for the toolstack — until END. Anything libxc would refuse is refused here with the
 * offset: an unknown mandatory record, a v3-only record in a v2 stream, page data whose
 * length does not match its pfn list, pages before STATIC_DATA_END, HVM_PARAMS after
 * HVM_CONTEXT, a record of the wrong guest type.
 */
import { PAGE_SIZE } from '../../hypervisor/page';
import type { ByteReader } from './byte-stream';
import { decodeCpuidPolicy, type DecodedCpuid } from './cpuid-leaves';
import { decodeHvmContext } from './hvm-context';
import { PFINFO, pfinfoHasData, readDomainHeader, readImageHeader, readRecord, REC, REC_OPTIONAL, recName, view, type DomainHeader, type RawRecord } from './libxc-format';
import { decodePvVcpuBasic } from './pv-vcpu-context';
import type { VcpuRegisters } from '../../guest/vcpu-registers';
import { streamError } from './stream-error';

export interface RestoreTarget {
  /** The domain header was read: refuse a stream for another kind of guest. */
  header(h: DomainHeader): void;
  /** Populate those of these pfns that are not populated yet (ascending within a batch). */
  populate(pfns: readonly number[]): void;
  /** Write one page of data at pfn (already populated). */
  writePage(pfn: number, data: Uint8Array): void;
  cpuid(policy: DecodedCpuid): void;
}

export interface RestoredState {
  header: DomainHeader;
  version: number;
  pages: number;
  dataPages: number;
  /** vCPUs the stream carried state for (PV: online vCPUs; HVM: every vCPU). */
  vcpus: { id: number; online: boolean; regs?: VcpuRegisters }[];
  tsc?: { mode: number; khz: number; nsec: number; incarnation: number };
  hvmParams: Map<number, bigint>;
  /** Whether the stream ended at a CHECKPOINT record (more follows) rather than END. */
  checkpoint: boolean;
}

export function readLibxcStream(r: ByteReader, target: RestoreTarget, progress?: (pages: number) => void): RestoredState {
  const version = readImageHeader(r);
  const header = readDomainHeader(r);
  target.header(header);
  const st: RestoredState = { header, version, pages: 0, dataPages: 0, vcpus: [], hvmParams: new Map(), checkpoint: false };
  let staticEnd = version < 3; // a v2 stream has no STATIC_DATA_END (inferred at the first page data)
  let hvmContext = false;
  for (;;) {
    const rec = readRecord(r, 'libxc');
    const only = (want: 'pv' | 'hvm'): void => {
      if (header.type !== want) throw streamError(`${recName(rec.type)} record in an x86 ${header.type.toUpperCase()} stream`, rec.offset);
    };
    const v3 = (): void => {
      if (version < 3) throw streamError(`${recName(rec.type)} record in a version ${version} stream`, rec.offset);
    };
    const len = (n: number): void => {
      if (rec.body.length !== n) throw streamError(`${recName(rec.type)}: length ${rec.body.length}, expected ${n}`, rec.offset);
    };
    switch (rec.type) {
      case REC.END:
        len(0);
        return st;
      case REC.CHECKPOINT:
        len(0);
        st.checkpoint = true;
        return st;
      case REC.PAGE_DATA:
        if (!staticEnd) throw streamError('PAGE_DATA before STATIC_DATA_END', rec.offset);
        pageData(rec, target, st);
        progress?.(st.pages);
        break;
      case REC.X86_PV_INFO: {
        only('pv');
        len(8);
        const b = rec.body;
        if (b[0] !== 8) throw streamError(`X86_PV_INFO: guest width ${b[0]}, only 64-bit (8) guests are supported`, rec.offset);
        if (b[1] !== 4) throw streamError(`X86_PV_INFO: ${b[1]} levels of page tables, expected 4`, rec.offset);
        break;
      }
      case REC.X86_PV_P2M_FRAMES:
        only('pv');
        if (rec.body.length < 8 || rec.body.length % 8 !== 0) throw streamError(`X86_PV_P2M_FRAMES: length ${rec.body.length} is not 8 + a multiple of 8`, rec.offset);
        staticEnd = true;
        break;
      case REC.X86_PV_VCPU_BASIC:
        only('pv');
      {
        const c = decodePvVcpuBasic(rec.body, rec.offset);
        st.vcpus.push({ id: c.vcpuId, online: true, regs: c.regs });
      }
        break;
      case REC.X86_PV_VCPU_EXTENDED:
      case REC.X86_PV_VCPU_XSAVE:
      case REC.X86_PV_VCPU_MSRS:
        only('pv');
        if (rec.body.length < 8) throw streamError(`${recName(rec.type)}: shorter than its vCPU header`, rec.offset);
        break; // state the simulator does not model
      case REC.SHARED_INFO:
        only('pv');
        len(PAGE_SIZE);
        break;
      case REC.X86_TSC_INFO: {
        len(24);
        const v = view(rec.body);
        if (v.getUint32(20, true) !== 0) throw streamError('X86_TSC_INFO: reserved field set', rec.offset);
        st.tsc = { mode: v.getUint32(0, true), khz: v.getUint32(4, true), nsec: Number(v.getBigUint64(8, true)), incarnation: v.getUint32(16, true) };
        break;
      }
      case REC.HVM_PARAMS: {
        only('hvm');
        if (hvmContext) throw streamError('HVM_PARAMS after HVM_CONTEXT', rec.offset);
        const v = view(rec.body);
        if (rec.body.length < 8) throw streamError('HVM_PARAMS: shorter than its header', rec.offset);
        const count = v.getUint32(0, true);
        len(8 + count * 16);
        for (let i = 0; i < count; i++) st.hvmParams.set(Number(v.getBigUint64(8 + i * 16, true)), v.getBigUint64(16 + i * 16, true));
        break;
      }
      case REC.HVM_CONTEXT: {
        only('hvm');
        if (rec.body.length === 0) throw streamError('HVM_CONTEXT: empty', rec.offset);
        hvmContext = true;
        const ctx = decodeHvmContext(rec.body, rec.offset);
        st.vcpus = ctx.vcpuIds.map((id) => ({ id, online: true, ...(ctx.regs.has(id) ? { regs: ctx.regs.get(id)! } : {}) }));
        break;
      }
      case REC.STATIC_DATA_END:
        v3();
        len(0);
        staticEnd = true;
        break;
      case REC.X86_CPUID_POLICY:
        v3();
        target.cpuid(decodeCpuidPolicy(rec.body, rec.offset));
        break;
      case REC.X86_MSR_POLICY:
        v3();
        if (rec.body.length === 0 || rec.body.length % 16 !== 0) throw streamError(`X86_MSR_POLICY: length ${rec.body.length} is not a multiple of 16`, rec.offset);
        break;
      case REC.VERIFY:
        len(0);
        break;
      case REC.TOOLSTACK:
        throw streamError('TOOLSTACK record: obsolete (Xen 4.6-4.8 streams), not accepted', rec.offset);
      default:
        if (rec.type & REC_OPTIONAL) break; // optional records may be skipped
        throw streamError(`unknown mandatory libxc record type 0x${rec.type.toString(16)}`, rec.offset);
    }
  }
}

function pageData(rec: RawRecord, target: RestoreTarget, st: RestoredState): void {
  const v = view(rec.body);
  if (rec.body.length < 8) throw streamError('PAGE_DATA: shorter than its header', rec.offset);
  const count = v.getUint32(0, true);
  if (count === 0) throw streamError('PAGE_DATA: zero pfns', rec.offset);
  if (v.getUint32(4, true) !== 0) throw streamError('PAGE_DATA: reserved field set', rec.offset);
  if (rec.body.length < 8 + count * 8) throw streamError(`PAGE_DATA: ${count} pfns announced, the record is too short for them`, rec.offset);
  const pfns: number[] = [];
  const types: number[] = [];
  let withData = 0;
  for (let i = 0; i < count; i++) {
    const lo = v.getUint32(8 + i * 8, true);
    const hi = v.getUint32(12 + i * 8, true);
    const type = hi >>> 28;
    if ((hi >>> 20) & 0xff) throw streamError(`PAGE_DATA: reserved bits set in pfn[${i}]`, rec.offset);
    if (type >= 5 && type <= 8) throw streamError(`PAGE_DATA: invalid page type 0x${type.toString(16)} in pfn[${i}]`, rec.offset);
    if (type === PFINFO.BROKEN) throw streamError(`PAGE_DATA: pfn[${i}] is a broken page`, rec.offset);
    // bits 0-51: the pfn
    pfns.push((hi & 0xfffff) * 2 ** 32 + lo);
    types.push(type);
    if (pfinfoHasData(type)) withData++;
  }
  if (rec.body.length !== 8 + count * 8 + withData * PAGE_SIZE) {
    throw streamError(`PAGE_DATA: ${rec.body.length} bytes, expected ${8 + count * 8 + withData * PAGE_SIZE} for ${count} pfns with ${withData} pages of data`, rec.offset);
  }
  if (types.some((t) => t !== PFINFO.NOTAB && t !== PFINFO.XALLOC && t !== PFINFO.XTAB)) {
    throw streamError('PAGE_DATA: page-table pages (L1-L4TAB) need a guest with real page tables, which the simulator does not run', rec.offset);
  }
  const wanted = pfns.filter((_, i) => types[i] !== PFINFO.XTAB);
  if (wanted.length > 0) target.populate(wanted);
  let at = 8 + count * 8;
  pfns.forEach((pfn, i) => {
    if (!pfinfoHasData(types[i]!)) return;
    target.writePage(pfn, rec.body.subarray(at, at + PAGE_SIZE));
    at += PAGE_SIZE;
  });
  st.pages += count;
  st.dataPages += withData;
}
