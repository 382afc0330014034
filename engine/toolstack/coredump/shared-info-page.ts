/**
 * A PV domain's shared info page as a dump reader finds it in .xen_shared_info
 * (xen/include/public/xen.h struct shared_info, x86_64 layout): vcpu_info[32] (64 bytes
 * each: upcall pending/mask, evtchn_pending_sel, arch cr2, and struct vcpu_time_info),
 * evtchn_pending[64], evtchn_mask[64], the wallclock fields, then arch_shared_info
 * (max_pfn, pfn_to_mfn_frame_list_list, nmi_reason, p2m_cr3, p2m_vaddr, p2m_generation).
 *
 * The simulator keeps no such page for a guest, so the toolstack fills in what Xen keeps
 * in it that XenDeck does know: each online vCPU's time info (system time now, the TSC
 * stamp and the tsc_to_system_mul / tsc_shift scale of xen/arch/x86/time.c
 * set_time_scale) and arch.max_pfn. The wallclock (wc_*) stays 0: the engine has no
 * wall clock. Event channels stay clear: XenDeck's guests have none in Xen's sense.
 */
import { PAGE_SIZE } from './xc-core-format';

const VCPU_INFO_SIZE = 64;
const MAX_VIRT_CPUS = 32;
const TIME_OFFSET = 32;
const ARCH_OFFSET = 2048 + 512 + 512 + 16;

/** set_time_scale(): ns = ((tsc << shift) * mul) >> 32, with mul in [2^31, 2^32). */
export function timeScale(tscKhz: number): { mul: number; shift: number } {
  let shift = 0;
  let mul = (2 ** 32 * 1e6) / tscKhz;
  while (mul >= 2 ** 32) {
    mul /= 2;
    shift++;
  }
  while (mul < 2 ** 31) {
    mul *= 2;
    shift--;
  }
  return { mul: Math.floor(mul), shift };
}

export function encodeSharedInfo(s: { nowNs: number; tscKhz: number; onlineVcpus: readonly number[]; maxPfn: number }): Uint8Array {
  const out = new Uint8Array(PAGE_SIZE);
  const v = new DataView(out.buffer);
  const { mul, shift } = timeScale(s.tscKhz);
  const tsc = BigInt(Math.floor((s.nowNs * s.tscKhz) / 1e6));
  for (const id of s.onlineVcpus) {
    if (id >= MAX_VIRT_CPUS) continue; // later vCPUs have their vcpu_info registered elsewhere
    const t = id * VCPU_INFO_SIZE + TIME_OFFSET;
    v.setUint32(t, 2, true); // version: even, an update is not in progress
    v.setBigUint64(t + 8, tsc, true);
    v.setBigUint64(t + 16, BigInt(s.nowNs), true);
    v.setUint32(t + 24, mul, true);
    v.setInt8(t + 28, shift);
  }
  v.setBigUint64(ARCH_OFFSET, BigInt(s.maxPfn), true);
  return out;
}
