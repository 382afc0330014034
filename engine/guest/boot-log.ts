/**
 * The boot a Xen user sees on a guest's console, in stages, each at a simulated time
 * after the domain was unpaused.
 *
 * PV and PVH: the kernel prints from its first instruction (Linux-on-Xen messages:
 * "Hypervisor detected: Xen PV", "Booting paravirtualized kernel on Xen", the Xen
 * physical RAM map, grant tables, the FIFO event channel ABI, xen_netfront's driver
 * init), then init and a getty on hvc0. The PV devices' lines (blkfront, netfront)
 * come from the xenbus handshake as it happens (./xenbus-frontend.ts), not from here. HVM: the firmware first (hvmloader and
 * SeaBIOS, then GRUB on the emulated UART), then the kernel ("Xen HVM") with its
 * console on ttyS0. Kernel lines carry printk's "[%5lu.%06lu] " timestamp, counted
 * from the kernel's start; they are also what `dmesg` shows.
 */
import { MILLISECS, type STime } from '../hypervisor/clock';
import type { GuestHardware } from './guest-platform';
import type { NetbootPlan } from './ipxe';
import { consoleDevice, defaultCmdline, KERNEL_BUILDER, KERNEL_VERSION, kernelRelease, OS_NAME } from './kernel-release';

export interface BootLine {
  /** Simulated ns after the domain started. */
  at: STime;
  text: string;
  /** A kernel message (timestamped, kept for dmesg); otherwise firmware or userspace text. */
  kmsg: boolean;
  /** A kernel message's text and printk time (ns since the kernel started), to stamp it again when the boot was held. */
  printk?: { ns: STime; message: string };
}

/** printk's timestamp prefix. */
export function printkTime(ns: STime): string {
  const us = Math.floor(ns / 1000);
  return `[${String(Math.floor(us / 1e6)).padStart(5)}.${String(us % 1e6).padStart(6, '0')}]`;
}

const hex16 = (n: number): string => `0x${n.toString(16).padStart(16, '0')}`;

function firmware(hw: GuestHardware): string[] {
  return [
    'SeaBIOS (version 1.16.2-debian-1.16.2-1)',
    '',
    `Machine UUID ${hw.uuid}`,
    'Booting from Hard Disk...',
    'GRUB loading.',
    'Welcome to GRUB!',
    '',
    "  Booting `Debian GNU/Linux'",
    '',
    `Loading Linux ${kernelRelease(hw.type)} ...`,
    'Loading initial ramdisk ...',
  ];
}

function kernel(hw: GuestHardware): [number, string][] {
  const rel = kernelRelease(hw.type);
  const cmdline = hw.cmdline ?? defaultCmdline(hw.type);
  const memTop = hw.memoryKiB * 1024 - 1;
  const availK = Math.max(0, hw.memoryKiB - Math.min(hw.memoryKiB, 40_000));
  const hv = hw.type === 'pv' ? 'Xen PV' : hw.type === 'pvh' ? 'Xen PVH' : 'Xen HVM';
  const lines: [number, string][] = [
    [0, `Linux version ${rel} ${KERNEL_BUILDER} ${KERNEL_VERSION}`],
    [0, `Command line: ${cmdline}`],
  ];
  if (hw.type === 'pv') {
    lines.push([0, 'ACPI in unprivileged domain disabled'], [0, 'Released 0 page(s)']);
  }
  lines.push(
    [0, 'BIOS-provided physical RAM map:'],
    [0, `${hw.type === 'hvm' ? 'BIOS-e820' : 'Xen'}: [mem ${hex16(0)}-${hex16(0x9ffff)}] usable`],
    [0, `${hw.type === 'hvm' ? 'BIOS-e820' : 'Xen'}: [mem ${hex16(0xa0000)}-${hex16(0xfffff)}] reserved`],
    [0, `${hw.type === 'hvm' ? 'BIOS-e820' : 'Xen'}: [mem ${hex16(0x100000)}-${hex16(memTop)}] usable`],
    [0, 'NX (Execute Disable) protection: active'],
    [0, `Hypervisor detected: ${hv}`],
  );
  if (hw.type === 'hvm') {
    lines.push([0, `Xen version ${hw.xenVersion}.`], [0, 'Netfront and the Xen platform PCI driver have been compiled for this kernel: unplug emulated NICs.']);
  }
  lines.push(
    [0, `tsc: Detected ${hw.cpuMhz.toFixed(3)} MHz processor`],
    [0, `Booting paravirtualized kernel on ${hw.type === 'hvm' ? 'Xen HVM' : hv}`],
    [0, `setup_percpu: NR_CPUS:8192 nr_cpumask_bits:${hw.vcpus} nr_cpu_ids:${hw.vcpus} nr_node_ids:1`],
    [0, `Kernel command line: ${cmdline}`],
    [0, `Memory: ${availK}K/${hw.memoryKiB}K available (12288K kernel code, 2113K rwdata, 7744K rodata, 2880K init, 2264K bss, ${hw.memoryKiB - availK}K reserved, 0K cma-reserved)`],
    [2, 'Xen: using vcpuop timer interface'],
    [2, 'installing Xen timer for CPU 0'],
    [6, `smpboot: CPU0: ${hw.cpuModelName} (family: 0x${hw.cpuFamily.toString(16)}, model: 0x${hw.cpuModel.toString(16)}, stepping: 0x2)`],
  );
  if (hw.vcpus > 1) {
    lines.push([10, 'x86: Booting SMP configuration:'], [10, `.... node  #0, CPUs:    ${Array.from({ length: hw.vcpus - 1 }, (_, i) => ` #${i + 1}`).join('')}`]);
    for (let i = 1; i < Math.min(hw.vcpus, 8); i++) lines.push([12 + i, `installing Xen timer for CPU ${i}`]);
  }
  lines.push(
    [24, `smp: Brought up 1 node, ${hw.vcpus} CPU${hw.vcpus === 1 ? '' : 's'}`],
    [80, 'xen:grant_table: Grant tables using version 1 layout'],
    [80, 'Grant table initialized'],
    [96, 'xen:events: Using FIFO-based ABI'],
    [110, 'xen:balloon: Initialising balloon driver'],
    [160, 'Serial: 8250/16550 driver, 4 ports, IRQ sharing enabled'],
    [230, 'xen_netfront: Initialising Xen virtual ethernet driver'],
    // with an initramfs the kernel runs its /init, which mounts root and execs /sbin/init
    [520, `Run ${hw.initrd ? '/init' : '/sbin/init'} as init process`],
    [900, 'systemd-journald[180]: Received client request to flush runtime journal.'],
  );
  return lines;
}

/** The whole boot, to the getty's login prompt (which the guest prints itself). */
export function bootLog(hw: GuestHardware, opts: { firmware?: boolean; net?: NetbootPlan } = {}): { lines: BootLine[]; loginAt: STime | undefined } {
  const lines: BootLine[] = [];
  let kernelStart: STime = 0;
  const net = opts.net;
  // a kexec'd kernel starts at its entry point: no firmware runs first
  if (hw.type === 'hvm' && opts.firmware !== false && net) {
    // SeaBIOS's banner, then the NIC's iPXE ROM (./ipxe.ts); if the network gave no kernel, the next boot device
    const fw = firmware(hw);
    fw.slice(0, 3).forEach((text, i) => lines.push({ at: MILLISECS(20 + i * 60), text, kmsg: false }));
    for (const l of net.lines) lines.push({ at: l.at, text: l.text, kmsg: false });
    if (net.netbooted && net.kernelAt !== undefined) kernelStart = net.kernelAt;
    else if (hw.boot?.includes('c')) {
      const from = (net.lines.at(-1)?.at ?? 0) + MILLISECS(20);
      fw.slice(3).forEach((text, i) => lines.push({ at: from + MILLISECS(i * 60), text, kmsg: false }));
      kernelStart = from + MILLISECS(800);
    } else {
      const at = (net.lines.at(-1)?.at ?? 0) + MILLISECS(20);
      lines.push({ at, text: 'No bootable device.  Retrying in 60 seconds.', kmsg: false });
      return { lines, loginAt: undefined };
    }
  } else if (hw.type === 'hvm' && opts.firmware !== false) {
    firmware(hw).forEach((text, i) => lines.push({ at: MILLISECS(20 + i * 60), text, kmsg: false }));
    kernelStart = MILLISECS(1000);
  }
  for (const [ms, text] of kernel(hw)) {
    const rel = MILLISECS(ms);
    lines.push({ at: kernelStart + rel, text: `${printkTime(rel)} ${text}`, kmsg: true, printk: { ns: rel, message: text } });
  }
  const loginAt = kernelStart + MILLISECS(1400);
  lines.push({ at: loginAt - MILLISECS(50), text: '', kmsg: false }, { at: loginAt - MILLISECS(50), text: `${OS_NAME} ${hw.name} ${consoleDevice(hw.type)}`, kmsg: false }, { at: loginAt - MILLISECS(50), text: '', kmsg: false });
  return { lines, loginAt };
}

/** When xenbus_probe runs (its initcall), ns after the kernel started. */
export const XENBUS_PROBE_AT = MILLISECS(200);

/** Where the kernel's printk clock starts, ns after the domain started. */
export function kernelStartNs(hw: GuestHardware, net?: NetbootPlan): STime {
  if (net?.netbooted && net.kernelAt !== undefined) return net.kernelAt;
  if (net && hw.type === 'hvm') return (net.lines.at(-1)?.at ?? 0) + MILLISECS(20) + MILLISECS(800);
  return hw.type === 'hvm' ? MILLISECS(1000) : 0;
}

/** An HVM guest whose boot order starts with the network. */
export function bootsFromNetwork(hw: GuestHardware): boolean {
  return hw.type === 'hvm' && (hw.boot ?? 'cda').startsWith('n');
}
