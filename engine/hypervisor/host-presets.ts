/**
 * Named host models to start a simulated host from. Figures follow the real parts:
 * Xeon E5-2699 v3 (Haswell-EP, 18 cores, HT), Xeon Platinum 8180 (Skylake-SP, 28 cores,
 * HT), and a large x2APIC box just under Xen's x86 limit (SUPPORT.md: 4096 host CPUs),
 * the size the 4.1 release notes' x2APIC work was about.
 */
import type { CpuFeature } from './cpuid-policy';
import type { TopologySpec } from './topology';

export interface HostPreset {
  id: string;
  label: string;
  vendor: 'GenuineIntel' | 'AuthenticAMD';
  family: number;
  model: number;
  cpuMhz: number;
  topology: TopologySpec;
  /** The CPU's features, by Xen's names (cpuid-policy.ts). */
  features: CpuFeature[];
}

const SSE: CpuFeature[] = ['sse', 'sse2', 'sse3', 'ssse3', 'sse4_1', 'sse4_2'];

export const HOST_PRESETS: readonly HostPreset[] = [
  {
    id: 'haswell-ep-2s',
    label: '2-socket Xeon E5-2699 v3 (Haswell-EP), 72 pCPUs, 256 GiB',
    vendor: 'GenuineIntel',
    family: 6,
    model: 0x3f,
    cpuMhz: 2300,
    topology: { sockets: 2, coresPerSocket: 18, threadsPerCore: 2, memoryMiB: 256 * 1024, x2apic: false },
    features: [...SSE, 'avx', 'avx2', 'xsave', 'xsaveopt', 'itsc', 'vmx', 'ept', 'pse', 'page1gb', 'posted-interrupts', 'cat'],
  },
  {
    id: 'skylake-sp-4s',
    label: '4-socket Xeon Platinum 8180 (Skylake-SP), 224 pCPUs, 1.5 TiB',
    vendor: 'GenuineIntel',
    family: 6,
    model: 0x55,
    cpuMhz: 2500,
    topology: { sockets: 4, coresPerSocket: 28, threadsPerCore: 2, memoryMiB: 1536 * 1024, x2apic: true },
    features: [...SSE, 'avx', 'avx2', 'xsave', 'xsaveopt', 'xsaves', 'pku', 'itsc', 'tsc-scaling', 'vmx', 'ept', 'pse', 'page1gb', 'posted-interrupts', 'cat', 'cdp'],
  },
  {
    id: 'x2apic-4095',
    label: 'x2APIC box, 4095 pCPUs (63 sockets x 65 cores), 16 TiB',
    vendor: 'GenuineIntel',
    family: 6,
    model: 0x8f,
    cpuMhz: 2000,
    topology: { sockets: 63, coresPerSocket: 65, threadsPerCore: 1, nodes: 63, memoryMiB: 16 * 1024 * 1024, x2apic: true },
    features: [...SSE, 'avx', 'avx2', 'xsave', 'xsaveopt', 'xsaves', 'pku', 'itsc', 'tsc-scaling', 'vmx', 'ept', 'pse', 'page1gb', 'posted-interrupts', 'cat', 'cdp'],
  },
  {
    id: 'small-lab',
    label: 'Lab host: 1 socket, 4 cores, 2 threads, 16 GiB',
    vendor: 'GenuineIntel',
    family: 6,
    model: 0x9e,
    cpuMhz: 3000,
    topology: { sockets: 1, coresPerSocket: 4, threadsPerCore: 2, memoryMiB: 16 * 1024, x2apic: false },
    features: [...SSE, 'avx', 'avx2', 'xsave', 'xsaveopt', 'xsaves', 'itsc', 'tsc-scaling', 'vmx', 'ept', 'pse', 'page1gb', 'posted-interrupts'],
  },
];

export function findPreset(id: string): HostPreset | undefined {
  return HOST_PRESETS.find((p) => p.id === id);
}
