/**
 * The registers of a simulated guest's vCPU at the moment it was suspended, as the save
 * stream carries them (X86_PV_VCPU_BASIC's vcpu_guest_context, HVM_CONTEXT's
 * hvm_hw_cpu) and as the guest finds them again when it resumes.
 *
 * The guest model runs no instructions, so the registers are the ones a Linux guest's
 * vCPU has at that point, placed in our kernel image (docs/guest-kernel-layout.md):
 *
 *   vCPU 0  is inside xen_suspend() (drivers/xen/manage.c), at the return from
 *           HYPERVISOR_suspend(): rip = `xen_suspend_resume`, rax = the hypercall's
 *           result as the image carries it, 0: "resumed in a new domain" (when the
 *           suspend is cancelled instead — xl save -c — libxc's xc_domain_resume makes
 *           it 1 in the original domain, which simply goes on);
 *   other   are parked in stop_machine(): rip = `multi_cpu_stop`;
 *   all     rsp = the top of that vCPU's kernel stack (16 KiB each), rflags = 0x246
 *           (IF, ZF, reserved bit 1), cr3 = the kernel's page-table root (swapper_pg_dir),
 *           gs_base_kernel = the vCPU's per-CPU area, and the guest's resume area
 *           (./resume-state.ts) in rsi: where it reads its own state back from.
 */
import { kva, PHYSICAL_START } from './kernel-image';

export interface VcpuRegisters {
  rip: bigint;
  rsp: bigint;
  rflags: bigint;
  rax: bigint;
  rdx: bigint;
  rsi: bigint;
  cr3: bigint;
  gsBaseKernel: bigint;
}

/** Guest-physical addresses of the symbols the registers point at (beyond the image's own map). */
export const RESUME_SYMBOLS = {
  /** xen_suspend's return from HYPERVISOR_suspend (in .text, after the exception stubs). */
  xenSuspendResume: PHYSICAL_START + 0xa000,
  /** multi_cpu_stop, where the other vCPUs wait. */
  multiCpuStop: PHYSICAL_START + 0xa100,
  /** swapper_pg_dir (after the resume area). */
  swapperPgDir: PHYSICAL_START + 0x6_0000,
} as const;

/** Kernel stacks (THREAD_SIZE 16 KiB) and per-CPU areas, one per vCPU, above the image. */
const STACKS = 0x0300_0000;
const THREAD_SIZE = 0x4000;
const PER_CPU = 0x0400_0000;
const PER_CPU_SIZE = 0x1_0000;

export function modelledRegisters(vcpu: number, resumeAreaGpa: number): VcpuRegisters {
  return {
    rip: kva(vcpu === 0 ? RESUME_SYMBOLS.xenSuspendResume : RESUME_SYMBOLS.multiCpuStop),
    rsp: kva(STACKS + (vcpu + 1) * THREAD_SIZE - 8),
    rflags: 0x246n,
    rax: 0n,
    rdx: 0n,
    rsi: kva(resumeAreaGpa),
    cr3: BigInt(RESUME_SYMBOLS.swapperPgDir),
    gsBaseKernel: kva(PER_CPU + vcpu * PER_CPU_SIZE),
  };
}

/** What the resumed kernel checks: vCPU 0 stopped in xen_suspend, pointing at its resume area. */
export function resumeAreaOf(vcpu0: VcpuRegisters): number | undefined {
  if (vcpu0.rip !== kva(RESUME_SYMBOLS.xenSuspendResume) || vcpu0.rax !== 0n) return undefined;
  const gpa = vcpu0.rsi - kva(0);
  return gpa > 0n && gpa < 1n << 40n ? Number(gpa) : undefined;
}
