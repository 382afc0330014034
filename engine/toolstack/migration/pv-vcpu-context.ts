/**
 * X86_PV_VCPU_BASIC's body: {u32 vcpu_id, u32 reserved} and the vCPU's
 * vcpu_guest_context_x86_64_t (public/arch-x86/xen.h, xen-x86_64.h: fpu_ctxt[512],
 * flags, user_regs (struct cpu_user_regs, 200 bytes), trap_ctxt[256], ldt, gdt_frames[16],
 * kernel_ss/sp, ctrlreg[8], debugreg[8], callbacks, vm_assist, fs/gs bases: 5168 bytes).
 * libxc writes one per online vCPU (xg_sr_save_x86_pv.c write_one_vcpu_basic), with
 * flags VGCF_online | VGCF_in_kernel and the registers the guest model gives
 * (engine/guest/vcpu-registers.ts): rax, rdx, rsi, rip, rflags, rsp, the flat 64-bit
 * kernel selectors (FLAT_KERNEL_CS64 0xe033, FLAT_KERNEL_SS64 0xe02b), kernel_ss/sp,
 * ctrlreg[3] (the page-table root, a pfn << 12 as libxc normalises it) and
 * gs_base_kernel. What the model has no value for stays zero.
 */
import type { VcpuRegisters } from '../../guest/vcpu-registers';
import { streamError } from './stream-error';

export const VCPU_GUEST_CONTEXT_X86_64_SIZE = 5168;
const VGCF_IN_KERNEL = 1 << 2;
const VGCF_ONLINE = 1 << 5;
const FLAT_KERNEL_CS64 = 0xe033;
const FLAT_KERNEL_SS64 = 0xe02b;
/** Offsets in vcpu_guest_context (x86-64). */
const FLAGS = 512;
const USER_REGS = 520;
const KERNEL_SS = 4968;
const KERNEL_SP = 4976;
const CTRLREG = 4984;
const GS_BASE_KERNEL = 5152;
/** Offsets in struct cpu_user_regs (x86-64). */
const REG = { rax: 80, rdx: 96, rsi: 104, rip: 128, cs: 136, rflags: 144, rsp: 152, ss: 160 } as const;

export function encodePvVcpuBasic(vcpuId: number, regs?: VcpuRegisters): Uint8Array {
  const out = new Uint8Array(8 + VCPU_GUEST_CONTEXT_X86_64_SIZE);
  new DataView(out.buffer).setUint32(0, vcpuId, true);
  out.set(encodeVcpuGuestContext(regs, true), 8);
  return out;
}

/**
 * One vcpu_guest_context_x86_64_t: what XEN_DOMCTL_getvcpucontext gives a dom0 tool, so
 * the same bytes go into a save stream (above) and into a core dump's .xen_prstatus
 * (xc_domain_dumpcore). `inKernel`: VGCF_in_kernel, set for a PV guest's kernel context.
 */
export function encodeVcpuGuestContext(regs: VcpuRegisters | undefined, inKernel: boolean): Uint8Array {
  const out = new Uint8Array(VCPU_GUEST_CONTEXT_X86_64_SIZE);
  const v = new DataView(out.buffer);
  v.setBigUint64(FLAGS, BigInt(VGCF_ONLINE | (inKernel ? VGCF_IN_KERNEL : 0)), true);
  if (regs) {
    const u = USER_REGS;
    v.setBigUint64(u + REG.rax, regs.rax, true);
    v.setBigUint64(u + REG.rdx, regs.rdx, true);
    v.setBigUint64(u + REG.rsi, regs.rsi, true);
    v.setBigUint64(u + REG.rip, regs.rip, true);
    v.setUint16(u + REG.cs, FLAT_KERNEL_CS64, true);
    v.setBigUint64(u + REG.rflags, regs.rflags, true);
    v.setBigUint64(u + REG.rsp, regs.rsp, true);
    v.setUint16(u + REG.ss, FLAT_KERNEL_SS64, true);
    v.setBigUint64(KERNEL_SS, BigInt(FLAT_KERNEL_SS64), true);
    v.setBigUint64(KERNEL_SP, regs.rsp, true);
    v.setBigUint64(CTRLREG + 3 * 8, regs.cr3, true);
    v.setBigUint64(GS_BASE_KERNEL, regs.gsBaseKernel, true);
  }
  return out;
}

export function decodePvVcpuBasic(body: Uint8Array, offset: number): { vcpuId: number; online: boolean; regs: VcpuRegisters } {
  if (body.length !== 8 + VCPU_GUEST_CONTEXT_X86_64_SIZE) {
    throw streamError(`X86_PV_VCPU_BASIC: ${body.length - 8} bytes of context, expected ${VCPU_GUEST_CONTEXT_X86_64_SIZE} (a 64-bit guest)`, offset);
  }
  const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
  if (v.getUint32(4, true) !== 0) throw streamError('X86_PV_VCPU_BASIC: reserved field set', offset);
  return { vcpuId: v.getUint32(0, true), ...decodeVcpuGuestContext(body.subarray(8)) };
}

/** The flags and modelled registers of one vcpu_guest_context_x86_64_t (a stream record's or a core's). */
export function decodeVcpuGuestContext(ctx: Uint8Array): { online: boolean; inKernel: boolean; regs: VcpuRegisters } {
  const v = new DataView(ctx.buffer, ctx.byteOffset, ctx.byteLength);
  const u = USER_REGS;
  const q = (at: number): bigint => v.getBigUint64(at, true);
  const flags = Number(q(FLAGS));
  return {
    online: (flags & VGCF_ONLINE) !== 0,
    inKernel: (flags & VGCF_IN_KERNEL) !== 0,
    regs: { rax: q(u + REG.rax), rdx: q(u + REG.rdx), rsi: q(u + REG.rsi), rip: q(u + REG.rip), rflags: q(u + REG.rflags), rsp: q(u + REG.rsp), cr3: q(CTRLREG + 3 * 8), gsBaseKernel: q(GS_BASE_KERNEL) },
  };
}
