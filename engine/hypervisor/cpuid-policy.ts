/**
 * CPUID policies, as Xen keeps them (xen/arch/x86/cpu-policy.c, docs/misc/cpuid.pandoc):
 * the host's featureset, the most a PV or an HVM guest may see (pv_max / hvm_max: the
 * host's, less what that kind of guest cannot use), and one policy per domain, set by
 * the toolstack at build time and only ever a subset of the max for its type
 * (XEN_DOMCTL_set_cpu_policy: EINVAL otherwise, naming nothing — we name the feature).
 *
 * Feature names are Xen's (xen/include/public/arch-x86/cpufeatureset.h, lower case), plus
 * the VMX/SVM capabilities the issue lists (ept, npt, posted interrupts, TSC scaling),
 * which Xen reports in physinfo's virt caps rather than CPUID.
 */
import { XenError } from './errno';

export const CPU_FEATURES = [
  'sse', 'sse2', 'sse3', 'ssse3', 'sse4_1', 'sse4_2', 'avx', 'avx2',
  'xsave', 'xsaveopt', 'xsaves', 'pku', 'itsc', 'tsc-scaling',
  'vmx', 'svm', 'ept', 'npt', 'pse', 'page1gb', 'posted-interrupts', 'cat', 'cdp',
] as const;
export type CpuFeature = (typeof CPU_FEATURES)[number];

/** What a guest never sees: the virtualisation extensions (no nested virt here) and host-side capabilities. */
const HOST_ONLY: readonly CpuFeature[] = ['vmx', 'svm', 'ept', 'npt', 'posted-interrupts', 'tsc-scaling', 'cat', 'cdp'];
/** PV guests run without hardware paging assistance: no 1G pages, no PKU (Xen hides them from PV). */
const NOT_PV: readonly CpuFeature[] = ['page1gb', 'pku'];

export interface CpuPolicy {
  vendor: 'GenuineIntel' | 'AuthenticAMD';
  family: number;
  model: number;
  features: CpuFeature[];
  tscKhz: number;
}

export function isCpuFeature(s: string): s is CpuFeature {
  return (CPU_FEATURES as readonly string[]).includes(s);
}

export class CpuPolicies {
  readonly host: CpuPolicy;
  readonly pvMax: CpuPolicy;
  readonly hvmMax: CpuPolicy;

  constructor(host: CpuPolicy) {
    this.host = { ...host, features: order(host.features) };
    const drop = (extra: readonly CpuFeature[]): CpuPolicy => ({ ...this.host, features: this.host.features.filter((f) => !HOST_ONLY.includes(f) && !extra.includes(f)) });
    this.pvMax = drop(NOT_PV);
    this.hvmMax = drop([]);
  }

  maxFor(type: 'pv' | 'pvh' | 'hvm'): CpuPolicy {
    return type === 'pv' ? this.pvMax : this.hvmMax;
  }

  /** The policy a domain gets: its max, less what the toolstack turned off. */
  derive(type: 'pv' | 'pvh' | 'hvm', features?: readonly string[]): CpuPolicy {
    const max = this.maxFor(type);
    if (features === undefined) return { ...max, features: [...max.features] };
    for (const f of features) {
      if (!isCpuFeature(f)) throw new XenError('EINVAL', `unknown CPUID feature ${JSON.stringify(f)}`);
      if (!max.features.includes(f)) throw new XenError('EINVAL', `CPUID feature ${f} is not available to ${type.toUpperCase()} guests on this host`);
    }
    return { ...max, features: order(features as CpuFeature[]) };
  }
}

function order(fs: readonly CpuFeature[]): CpuFeature[] {
  return CPU_FEATURES.filter((f) => fs.includes(f));
}
