/**
 * The HVM_CONTEXT record's body: Xen's HVM save records (public/arch-x86/hvm/save.h,
 * hvm_save_one / XEN_DOMCTL_gethvmcontext), each a descriptor {u16 typecode, u16
 * instance, u32 length} and its struct: HEADER (1) {magic 0x54381286, version 1,
 * changeset, CPUID.1:EAX, guest TSC kHz}, one CPU (2) struct hvm_hw_cpu per vCPU, END (0).
 * Each hvm_hw_cpu carries the registers the guest model gives (engine/guest/
 * vcpu-registers.ts) at their offsets in the struct — rax, rdx, rsi, rsp, rip, rflags,
 * and cr0 / cr3 / cr4 of a 64-bit Linux kernel (paging, protected mode, PAE) — and zeros
 * for what the model has no value for.
 */
import type { CpuPolicy } from '../../hypervisor/cpuid-policy';
import type { VcpuRegisters } from '../../guest/vcpu-registers';
import { streamError } from './stream-error';

export const HVM_SAVE_MAGIC = 0x54381286;
export const HVM_SAVE_VERSION = 1;
const HVM_SAVE_CODE_END = 0;
const HVM_SAVE_CODE_HEADER = 1;
const HVM_SAVE_CODE_CPU = 2;
/** sizeof(struct hvm_save_header) and sizeof(struct hvm_hw_cpu) on x86-64 (Xen 4.17). */
const HEADER_SIZE = 24;
const HW_CPU_SIZE = 1032;
/** Offsets in struct hvm_hw_cpu (public/arch-x86/hvm/save.h): fpu_regs[512], then the GPRs. */
const CPU = { rax: 512, rdx: 536, rsi: 552, rsp: 568, rip: 640, rflags: 648, cr0: 656, cr3: 672, cr4: 680 } as const;
/** CR0 PG | AM | WP | NE | ET | MP | PE and CR4 PSE | PAE | MCE | PGE | OSFXSR | OSXMMEXCPT: a running x86-64 Linux. */
const LINUX_CR0 = 0x8005_0033n;
const LINUX_CR4 = 0x6f0n;

/** The HVM params libxc saves when non-zero (xg_sr_save_x86_hvm.c write_hvm_params). */
export const HVM_PARAMS_SAVED: readonly number[] = [1, 5, 6, 27, 28, 29, 37, 17, 19, 9, 12, 34, 32, 33, 36, 38];

export function encodeHvmContext(vcpuIds: readonly number[], policy: CpuPolicy, tscKhz: number, regs?: (vcpu: number) => VcpuRegisters | undefined): Uint8Array {
  const out = new Uint8Array(8 + HEADER_SIZE + vcpuIds.length * (8 + HW_CPU_SIZE) + 8);
  const v = new DataView(out.buffer);
  let at = 0;
  const desc = (code: number, instance: number, length: number): void => {
    v.setUint16(at, code, true);
    v.setUint16(at + 2, instance, true);
    v.setUint32(at + 4, length, true);
    at += 8;
  };
  desc(HVM_SAVE_CODE_HEADER, 0, HEADER_SIZE);
  v.setUint32(at, HVM_SAVE_MAGIC, true);
  v.setUint32(at + 4, HVM_SAVE_VERSION, true);
  v.setUint32(at + 16, cpuidSignature(policy), true);
  v.setUint32(at + 20, tscKhz, true);
  at += HEADER_SIZE;
  for (const id of vcpuIds) {
    desc(HVM_SAVE_CODE_CPU, id, HW_CPU_SIZE);
    const r = regs?.(id);
    if (r) {
      const put = (off: number, val: bigint): void => v.setBigUint64(at + off, val, true);
      put(CPU.rax, r.rax);
      put(CPU.rdx, r.rdx);
      put(CPU.rsi, r.rsi);
      put(CPU.rsp, r.rsp);
      put(CPU.rip, r.rip);
      put(CPU.rflags, r.rflags);
      put(CPU.cr0, LINUX_CR0);
      put(CPU.cr3, r.cr3);
      put(CPU.cr4, LINUX_CR4);
    }
    at += HW_CPU_SIZE;
  }
  desc(HVM_SAVE_CODE_END, 0, 0);
  return out;
}

/** Walks the save records: checks the header's magic and version, returns the vCPU instances. */
export function decodeHvmContext(body: Uint8Array, offset: number): { vcpuIds: number[]; tscKhz: number; regs: Map<number, VcpuRegisters> } {
  const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const vcpuIds: number[] = [];
  const regs = new Map<number, VcpuRegisters>();
  let tscKhz = 0;
  let sawHeader = false;
  for (let at = 0; ; ) {
    if (at + 8 > body.length) throw streamError('HVM_CONTEXT: save records end without an END record', offset);
    const code = v.getUint16(at, true);
    const instance = v.getUint16(at + 2, true);
    const length = v.getUint32(at + 4, true);
    at += 8;
    if (at + length > body.length) throw streamError(`HVM_CONTEXT: save record ${code} runs past the record`, offset);
    if (code === HVM_SAVE_CODE_END) break;
    if (code === HVM_SAVE_CODE_HEADER) {
      if (length !== HEADER_SIZE || v.getUint32(at, true) !== HVM_SAVE_MAGIC) throw streamError('HVM_CONTEXT: bad save header magic', offset);
      if (v.getUint32(at + 4, true) !== HVM_SAVE_VERSION) throw streamError(`HVM_CONTEXT: save header version ${v.getUint32(at + 4, true)}, expected ${HVM_SAVE_VERSION}`, offset);
      tscKhz = v.getUint32(at + 20, true);
      sawHeader = true;
    } else if (code === HVM_SAVE_CODE_CPU) {
      if (length !== HW_CPU_SIZE) throw streamError(`HVM_CONTEXT: CPU record of ${length} bytes, expected ${HW_CPU_SIZE}`, offset);
      vcpuIds.push(instance);
      const q = (off: number): bigint => v.getBigUint64(at + off, true);
      regs.set(instance, { rax: q(CPU.rax), rdx: q(CPU.rdx), rsi: q(CPU.rsi), rsp: q(CPU.rsp), rip: q(CPU.rip), rflags: q(CPU.rflags), cr3: q(CPU.cr3), gsBaseKernel: 0n });
    }
    at += length;
  }
  if (!sawHeader) throw streamError('HVM_CONTEXT: no save header', offset);
  return { vcpuIds, tscKhz, regs };
}

function cpuidSignature(p: CpuPolicy): number {
  const base = Math.min(p.family, 0xf);
  return (((p.family > 0xf ? p.family - 0xf : 0) & 0xff) << 20) | (((p.model >> 4) & 0xf) << 16) | (base << 8) | ((p.model & 0xf) << 4);
}
