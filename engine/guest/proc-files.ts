/**
 * The /proc files and system-information output the guest shell prints, formatted as
 * Linux 6.1 and procps / BusyBox print them: /proc/cpuinfo (one block per online vCPU,
 * with the "hypervisor" CPUID flag every Xen guest sees), free (from the domain's
 * memory), uptime, /proc/version and /proc/meminfo.
 */
import type { GuestHardware } from './guest-platform';
import { KERNEL_BUILDER, KERNEL_VERSION, kernelRelease } from './kernel-release';

const FLAGS =
  'fpu de tsc msr pae mce cx8 apic sep mca cmov pat clflush mmx fxsr sse sse2 ht syscall nx lm constant_tsc rep_good nopl nonstop_tsc cpuid pni pclmulqdq ssse3 fma cx16 sse4_1 sse4_2 movbe popcnt aes xsave avx f16c rdrand hypervisor lahf_lm abm';

export function cpuinfo(hw: GuestHardware): string {
  const blocks: string[] = [];
  for (let i = 0; i < hw.vcpus; i++) {
    blocks.push(
      [
        `processor\t: ${i}`,
        `vendor_id\t: ${hw.cpuVendor}`,
        `cpu family\t: ${hw.cpuFamily}`,
        `model\t\t: ${hw.cpuModel}`,
        `model name\t: ${hw.cpuModelName}`,
        'stepping\t: 2',
        `cpu MHz\t\t: ${hw.cpuMhz.toFixed(3)}`,
        'cache size\t: 46080 KB',
        'physical id\t: 0',
        `siblings\t: ${hw.vcpus}`,
        `core id\t\t: ${i}`,
        `cpu cores\t: ${hw.vcpus}`,
        `apicid\t\t: ${i * 2}`,
        `initial apicid\t: ${i * 2}`,
        'fpu\t\t: yes',
        'fpu_exception\t: yes',
        'cpuid level\t: 13',
        'wp\t\t: yes',
        `flags\t\t: ${FLAGS}`,
        'bugs\t\t: cpu_meltdown spectre_v1 spectre_v2 spec_store_bypass l1tf mds swapgs itlb_multihit mmio_stale_data',
        `bogomips\t: ${(hw.cpuMhz * 2).toFixed(2)}`,
        'clflush size\t: 64',
        'cache_alignment\t: 64',
        'address sizes\t: 46 bits physical, 48 bits virtual',
        'power management:',
        '',
      ].join('\n'),
    );
  }
  return `${blocks.join('\n')}\n`;
}

/** The kernel keeps some memory for itself; what is left is MemTotal. */
export function memTotalKiB(hw: GuestHardware): number {
  return Math.max(0, hw.memoryKiB - Math.min(Math.floor(hw.memoryKiB * 0.06), 40_000));
}

export function memoryFigures(hw: GuestHardware): { total: number; used: number; free: number; shared: number; cache: number; available: number } {
  const total = memTotalKiB(hw);
  const used = Math.min(total, 38_000 + 4_000 * hw.vcpus);
  const cache = Math.min(total - used, 41_000);
  const free = total - used - cache;
  return { total, used, free, shared: 392, cache, available: free + cache - 2_000 };
}

/** procps-ng free(1), KiB. */
export function free(hw: GuestHardware): string {
  const m = memoryFigures(hw);
  const r = (n: number): string => String(n).padStart(12);
  return [
    '               total        used        free      shared  buff/cache   available',
    `Mem:    ${r(m.total)}${r(m.used)}${r(m.free)}${r(m.shared)}${r(m.cache)}${r(Math.max(0, m.available))}`,
    `Swap:   ${r(0)}${r(0)}${r(0)}`,
    '',
  ].join('\n');
}

export function meminfo(hw: GuestHardware): string {
  const m = memoryFigures(hw);
  const line = (k: string, v: number): string => `${`${k}:`.padEnd(16)}${String(v).padStart(8)} kB`;
  return [line('MemTotal', m.total), line('MemFree', m.free), line('MemAvailable', Math.max(0, m.available)), line('Buffers', 2_048), line('Cached', m.cache - 2_048), line('SwapTotal', 0), line('SwapFree', 0), ''].join('\n');
}

const two = (n: number): string => String(n).padStart(2, '0');

/** BusyBox uptime: " 00:05:12 up 5 min,  0 users,  load average: 0.00, 0.00, 0.00". */
export function uptime(nowNs: number, upNs: number, load: readonly [number, number, number]): string {
  const t = Math.floor(nowNs / 1e9) % 86_400;
  const clock = `${two(Math.floor(t / 3600))}:${two(Math.floor(t / 60) % 60)}:${two(t % 60)}`;
  const up = Math.floor(upNs / 1e9);
  const days = Math.floor(up / 86_400);
  const h = Math.floor(up / 3600) % 24;
  const min = Math.floor(up / 60) % 60;
  const d = days > 0 ? `${days} day${days === 1 ? '' : 's'}, ` : '';
  const hm = h > 0 ? `${h}:${two(min)}` : `${min} min`;
  return ` ${clock} up ${d}${hm},  0 users,  load average: ${load.map((l) => l.toFixed(2)).join(', ')}\n`;
}

export function procVersion(hw: GuestHardware): string {
  return `Linux version ${kernelRelease(hw.type)} ${KERNEL_BUILDER} ${KERNEL_VERSION}\n`;
}

export function unameAll(hw: GuestHardware): string {
  return `Linux ${hw.name} ${kernelRelease(hw.type)} ${KERNEL_VERSION} x86_64 GNU/Linux`;
}
