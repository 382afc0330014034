/**
 * vCPU hotplug in the guest, as Linux's drivers/xen/cpu_hotplug.c does it:
 *
 * - The toolstack writes ~/cpu/N/availability = "online" | "offline" (`xl vcpu-set`:
 *   libxl_set_vcpuonline, libxl__set_vcpuonline_xenstore). The guest watches ~/cpu; for
 *   each changed vCPU, vcpu_hotplug() reads the node and brings the CPU up (add_cpu →
 *   xen_cpu_up → VCPUOP_up) or takes it down (remove_cpu → VCPUOP_down). Any other
 *   value is "XENBUS: unknown state(%s) on CPU%d".
 * - At boot (setup_vcpu_hotplug_event → xen_init_vcpu_hotplug → ... ) the kernel only
 *   keeps the vCPUs whose availability is online, so `vcpus = 2, maxvcpus = 4` boots
 *   with two.
 * - x86 Linux cannot take CPU 0 offline (cpu0 is not hotpluggable without
 *   CONFIG_BOOTPARAM_HOTPLUG_CPU0): remove_cpu(0) fails with -EBUSY and the handler
 *   ignores it, so vCPU 0 stays online whatever the node says.
 *
 * The watch runs in the guest's xenwatch thread: handled at once, or when the domain is
 * unpaused if it is paused.
 */

export interface VcpuHotplugPlatform {
  /** VCPUOP_up / VCPUOP_down for vCPU n. */
  up(vcpu: number): void;
  down(vcpu: number): void;
  /** Whether vCPU n is up now (XEN_DOMCTL_getvcpuinfo's online). */
  isUp(vcpu: number): boolean;
  maxVcpus: number;
  /** Run now, or once the domain is unpaused. */
  whenRunning(fn: () => void): void;
  /** printk. */
  log(line: string): void;
}

export class VcpuHotplug {
  constructor(private readonly platform: VcpuHotplugPlatform) {}

  /** The watch on ~/cpu fired for these vCPUs' availability nodes (value per vCPU). */
  availabilityChanged(nodes: ReadonlyMap<number, string>): void {
    this.platform.whenRunning(() => {
      for (const [vcpu, value] of [...nodes].sort((a, b) => a[0] - b[0])) this.hotplug(vcpu, value);
    });
  }

  /** vcpu_hotplug() → vcpu_online(): one vCPU's node. */
  private hotplug(vcpu: number, value: string): void {
    const p = this.platform;
    if (vcpu < 0 || vcpu >= p.maxVcpus) return; // no such CPU in cpu_possible_mask
    if (value === 'online') {
      if (!p.isUp(vcpu)) p.up(vcpu);
    } else if (value === 'offline') {
      if (vcpu === 0 || !p.isUp(vcpu)) return; // remove_cpu(0): -EBUSY, ignored
      p.down(vcpu);
      p.log(`smpboot: CPU ${vcpu} is now offline`);
    } else {
      p.log(`XENBUS: unknown state(${value}) on CPU${vcpu}`);
    }
  }
}
