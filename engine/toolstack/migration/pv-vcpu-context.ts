/**
 * X86_PV_VCPU_BASIC's body: {u32 vcpu_id, u32 reserved} and the vCPU's
 * vcpu_guest_context_x86_64_t (public/arch-x86/xen-x86_64.h / xen.h: fpu_ctxt[512],
 * flags, user_regs, trap_ctxt[256], ldt, gdt_frames[16], kernel_ss/sp, ctrlreg[8],
 * debugreg[8], callbacks, vm_assist, fs/gs bases: 5168 bytes). libxc writes one per
 * online vCPU (xg_sr_save_x86_pv.c write_one_vcpu_basic). The simulator has no vCPU
 * registers: the context carries flags VGCF_online | VGCF_in_kernel and zeros.
 */
import { streamError } from './stream-error';

export const VCPU_GUEST_CONTEXT_X86_64_SIZE = 5168;
const VGCF_IN_KERNEL = 1 << 2;
const VGCF_ONLINE = 1 << 5;
const FLAGS_OFFSET = 512;

export function encodePvVcpuBasic(vcpuId: number): Uint8Array {
  const out = new Uint8Array(8 + VCPU_GUEST_CONTEXT_X86_64_SIZE);
  const v = new DataView(out.buffer);
  v.setUint32(0, vcpuId, true);
  v.setBigUint64(8 + FLAGS_OFFSET, BigInt(VGCF_ONLINE | VGCF_IN_KERNEL), true);
  return out;
}

export function decodePvVcpuBasic(body: Uint8Array, offset: number): { vcpuId: number; online: boolean } {
  if (body.length !== 8 + VCPU_GUEST_CONTEXT_X86_64_SIZE) {
    throw streamError(`X86_PV_VCPU_BASIC: ${body.length - 8} bytes of context, expected ${VCPU_GUEST_CONTEXT_X86_64_SIZE} (a 64-bit guest)`, offset);
  }
  const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
  if (v.getUint32(4, true) !== 0) throw streamError('X86_PV_VCPU_BASIC: reserved field set', offset);
  return { vcpuId: v.getUint32(0, true), online: (Number(v.getBigUint64(8 + FLAGS_OFFSET, true)) & VGCF_ONLINE) !== 0 };
}
