/**
 * What a guest kernel sees of the machine it runs on and what it may ask of Xen. The
 * embedded toolstack implements it for each domain: hardware() from
 * XEN_DOMCTL_getdomaininfo and the domain's config, shutdown() as the guest's
 * SCHEDOP_shutdown (xen/include/public/sched.h: SHUTDOWN_poweroff, _reboot, _crash),
 * after which the toolstack applies on_poweroff / on_reboot / on_crash (xl.cfg(5)).
 */
import type { Clock } from '../hypervisor/clock';
import type { ShutdownReason } from '../hypervisor/domain';
import type { RunstateTimes } from '../hypervisor/sched/metrics';
import type { WorkloadSpec } from '../hypervisor/sched/workload';
import type { XsClient } from '../xenstore/client';
import type { Dom0Tools } from './dom0-tools';
import type { GuestPhysMemory } from './kernel-image';
import type { LabNetwork } from './lab-network';

export type GuestType = 'pv' | 'pvh' | 'hvm';

export interface GuestHardware {
  domid: number;
  name: string;
  uuid: string;
  type: GuestType;
  /** Online vCPUs (what /proc/cpuinfo lists). */
  vcpus: number;
  /** Memory the domain has (tot_pages), KiB. */
  memoryKiB: number;
  cpuMhz: number;
  cpuVendor: string;
  cpuFamily: number;
  cpuModel: number;
  /** A model name for /proc/cpuinfo. */
  cpuModelName: string;
  xenVersion: string;
  /** xl.cfg's cmdline / extra, when given. */
  cmdline?: string;
  /**
   * The kernel starts with an initramfs: HVM (GRUB loads the image's initrd) or a PV/PVH
   * guest whose xl.cfg gives `ramdisk=` (./root-mount.ts: who mounts root).
   */
  initrd?: boolean;
  /** HVM boot order (xl.cfg boot=, libxl default "cda"). */
  boot?: string;
  /** The domain's vbds by device number (what xenbus will list under device/vbd). */
  vbds?: number[];
  /** The domain's vifs: MAC, the bridge they are on, the emulated model (HVM). */
  nics?: { devid: number; mac: string; bridge: string; model?: string }[];
}

export interface GuestPlatform {
  readonly clock: Clock;
  hardware(): GuestHardware;
  /** SCHEDOP_shutdown with a reason: the domain stops; the toolstack acts on it. */
  shutdown(reason: ShutdownReason): void;
  /** CPU time the domain has used, ns (runstate accounting). */
  cpuTimeNs(): number;
  /** Each vCPU's runstate times so far (VCPUOP_register_runstate_memory_area's view). */
  vcpuRunstates(): RunstateTimes[];
  /** What vCPU `vcpu` now does, for the scheduler (the guest's processes decide it). */
  setWorkload(vcpu: number, spec: WorkloadSpec): void;
  /** The guest's xenbus connection to xenstored: it acts as this domain (xs_domain_open). */
  xenbus(): Promise<XsClient>;
  /** The guest's own memory by guest-physical address (its kernel image lives there). */
  memory?(): GuestPhysMemory;
  /** The lab network's DHCP/TFTP service (network boot), when the host has one. */
  labNetwork?(): LabNetwork | undefined;
  /** Domain 0 only: Xen's tools (xl, xentop) against the host it runs on (./dom0-tools.ts). */
  dom0Tools?(): Dom0Tools | undefined;
}
