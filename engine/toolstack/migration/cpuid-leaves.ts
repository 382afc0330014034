/**
 * A domain's CPUID policy as the X86_CPUID_POLICY record carries it: an array of
 * xen_cpuid_leaf_t {leaf, subleaf, eax, ebx, ecx, edx} (public/arch-x86/xen.h), what
 * x86_cpuid_copy_to_buffer produces. The feature bits sit where the Intel SDM / AMD APM
 * put them (and Xen's cpufeatureset.h names them); leaf 0 carries the vendor string and
 * leaf 1's EAX the family / model signature. Only leaves the simulated policy has are
 * written; XEN_CPUID_NO_SUBLEAF (~0) marks leaves without subleaves.
 */
import type { CpuFeature, CpuPolicy } from '../../hypervisor/cpuid-policy';
import { streamError } from './stream-error';

export const XEN_CPUID_NO_SUBLEAF = 0xffffffff;
type Reg = 'eax' | 'ebx' | 'ecx' | 'edx';

/** feature -> [leaf, subleaf, register, bit] (cpufeatureset.h word / bit). */
const BITS: Partial<Record<CpuFeature, [number, number, Reg, number]>> = {
  sse3: [1, XEN_CPUID_NO_SUBLEAF, 'ecx', 0],
  vmx: [1, XEN_CPUID_NO_SUBLEAF, 'ecx', 5],
  ssse3: [1, XEN_CPUID_NO_SUBLEAF, 'ecx', 9],
  sse4_1: [1, XEN_CPUID_NO_SUBLEAF, 'ecx', 19],
  sse4_2: [1, XEN_CPUID_NO_SUBLEAF, 'ecx', 20],
  xsave: [1, XEN_CPUID_NO_SUBLEAF, 'ecx', 26],
  avx: [1, XEN_CPUID_NO_SUBLEAF, 'ecx', 28],
  pse: [1, XEN_CPUID_NO_SUBLEAF, 'edx', 3],
  sse: [1, XEN_CPUID_NO_SUBLEAF, 'edx', 25],
  sse2: [1, XEN_CPUID_NO_SUBLEAF, 'edx', 26],
  avx2: [7, 0, 'ebx', 5],
  pku: [7, 0, 'ecx', 3],
  xsaveopt: [0xd, 1, 'eax', 0],
  xsaves: [0xd, 1, 'eax', 3],
  svm: [0x80000001, XEN_CPUID_NO_SUBLEAF, 'ecx', 2],
  page1gb: [0x80000001, XEN_CPUID_NO_SUBLEAF, 'edx', 26],
  itsc: [0x80000007, XEN_CPUID_NO_SUBLEAF, 'edx', 8],
};

interface Leaf {
  leaf: number;
  subleaf: number;
  eax: number;
  ebx: number;
  ecx: number;
  edx: number;
}

/** The vendor string in EBX, EDX, ECX order (CPUID leaf 0). */
function vendorRegs(vendor: string): [number, number, number] {
  const b = new TextEncoder().encode(vendor.padEnd(12, ' ').slice(0, 12));
  const dv = new DataView(b.buffer);
  return [dv.getUint32(0, true), dv.getUint32(4, true), dv.getUint32(8, true)];
}

/** Family / model as CPUID.1:EAX encodes them (extended family above 0xf, extended model). */
function signature(family: number, model: number): number {
  const base = Math.min(family, 0xf);
  const extFamily = family > 0xf ? family - 0xf : 0;
  return ((extFamily & 0xff) << 20) | (((model >> 4) & 0xf) << 16) | (base << 8) | ((model & 0xf) << 4);
}

export function encodeCpuidPolicy(p: CpuPolicy): Uint8Array {
  const leaves = new Map<string, Leaf>();
  const get = (leaf: number, subleaf: number): Leaf => {
    const k = `${leaf}:${subleaf}`;
    let l = leaves.get(k);
    if (!l) leaves.set(k, (l = { leaf, subleaf, eax: 0, ebx: 0, ecx: 0, edx: 0 }));
    return l;
  };
  const [ebx, edx, ecx] = vendorRegs(p.vendor);
  Object.assign(get(0, XEN_CPUID_NO_SUBLEAF), { eax: 0xd, ebx, ecx, edx });
  get(1, XEN_CPUID_NO_SUBLEAF).eax = signature(p.family, p.model);
  get(7, 0);
  get(0xd, 1);
  get(0x80000000, XEN_CPUID_NO_SUBLEAF).eax = 0x80000008;
  get(0x80000001, XEN_CPUID_NO_SUBLEAF);
  get(0x80000007, XEN_CPUID_NO_SUBLEAF);
  for (const f of p.features) {
    const bit = BITS[f];
    if (!bit) continue;
    const l = get(bit[0], bit[1]);
    l[bit[2]] = (l[bit[2]] | (1 << bit[3])) >>> 0;
  }
  const out = new Uint8Array(leaves.size * 24);
  const dv = new DataView(out.buffer);
  [...leaves.values()].forEach((l, i) => {
    [l.leaf, l.subleaf, l.eax, l.ebx, l.ecx, l.edx].forEach((v, j) => dv.setUint32(i * 24 + j * 4, v >>> 0, true));
  });
  return out;
}

export interface DecodedCpuid {
  vendor: string;
  family: number;
  model: number;
  /** Guest-visible features whose bits are set. */
  features: CpuFeature[];
}

export function decodeCpuidPolicy(body: Uint8Array, offset: number): DecodedCpuid {
  if (body.length === 0 || body.length % 24 !== 0) throw streamError(`X86_CPUID_POLICY: length ${body.length} is not a multiple of 24`, offset);
  const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const leaves = new Map<string, Leaf>();
  for (let i = 0; i < body.length; i += 24) {
    const [leaf, subleaf, eax, ebx, ecx, edx] = [0, 1, 2, 3, 4, 5].map((j) => dv.getUint32(i + j * 4, true)) as [number, number, number, number, number, number];
    leaves.set(`${leaf}:${subleaf}`, { leaf, subleaf, eax, ebx, ecx, edx });
  }
  const l0 = leaves.get(`0:${XEN_CPUID_NO_SUBLEAF}`);
  const l1 = leaves.get(`1:${XEN_CPUID_NO_SUBLEAF}`);
  if (!l0 || !l1) throw streamError('X86_CPUID_POLICY: leaves 0 and 1 are missing', offset);
  const vb = new Uint8Array(12);
  const vv = new DataView(vb.buffer);
  vv.setUint32(0, l0.ebx, true);
  vv.setUint32(4, l0.edx, true);
  vv.setUint32(8, l0.ecx, true);
  const baseFamily = (l1.eax >> 8) & 0xf;
  const family = baseFamily === 0xf ? baseFamily + ((l1.eax >> 20) & 0xff) : baseFamily;
  const model = (((l1.eax >> 16) & 0xf) << 4) | ((l1.eax >> 4) & 0xf);
  const features: CpuFeature[] = [];
  for (const [f, [leaf, subleaf, reg, bit]] of Object.entries(BITS) as [CpuFeature, [number, number, Reg, number]][]) {
    const l = leaves.get(`${leaf}:${subleaf}`);
    if (l && (l[reg] >>> bit) & 1) features.push(f);
  }
  return { vendor: new TextDecoder().decode(vb), family, model, features };
}
