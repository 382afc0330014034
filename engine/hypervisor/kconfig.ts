/**
 * The build configuration of a simulated hypervisor: the Kconfig symbols that gate
 * optional features, after Xen's xen/common/Kconfig, xen/common/sched/Kconfig and
 * xen/arch/x86/Kconfig (4.7 introduced Kconfig to let minimal builds compile features
 * out). A host built with a symbol off refuses the feature's hypercalls with
 * EOPNOTSUPP, as a Xen built without it does (the handler is compiled out).
 *
 * Dependencies are checked like Kconfig's `depends on`: enabling a symbol whose
 * dependency is off is an error naming both, rather than a silent drop.
 */
import { XenError } from './errno';

export interface KconfigSymbol {
  name: string;
  prompt: string;
  /** Default as Xen's Kconfig gives it on x86. */
  default: boolean;
  dependsOn?: readonly string[];
  /** The Kconfig file the symbol lives in. */
  source: string;
}

export const KCONFIG_SYMBOLS: readonly KconfigSymbol[] = [
  { name: 'PV', prompt: 'PV support', default: true, source: 'xen/arch/x86/Kconfig' },
  { name: 'HVM', prompt: 'HVM support', default: true, source: 'xen/arch/x86/Kconfig' },
  { name: 'SHADOW_PAGING', prompt: 'Shadow Paging', default: true, source: 'xen/arch/x86/Kconfig' },
  { name: 'SCHED_CREDIT', prompt: 'Credit scheduler support', default: true, source: 'xen/common/sched/Kconfig' },
  { name: 'SCHED_CREDIT2', prompt: 'Credit2 scheduler support', default: true, source: 'xen/common/sched/Kconfig' },
  { name: 'SCHED_RTDS', prompt: 'RTDS scheduler support', default: true, source: 'xen/common/sched/Kconfig' },
  { name: 'SCHED_NULL', prompt: 'Null scheduler support', default: true, source: 'xen/common/sched/Kconfig' },
  { name: 'MEM_ACCESS', prompt: 'Memory Access and VM events', default: true, dependsOn: ['HVM'], source: 'xen/common/Kconfig' },
  { name: 'LIVEPATCH', prompt: 'Live patching support', default: true, source: 'xen/common/Kconfig' },
  { name: 'KEXEC', prompt: 'kexec support', default: true, source: 'xen/common/Kconfig' },
  { name: 'GRANT_TABLE', prompt: 'Grant table support', default: true, source: 'xen/common/Kconfig' },
  { name: 'ARGO', prompt: 'Argo: hypervisor-mediated interdomain communication', default: false, source: 'xen/common/Kconfig' },
  { name: 'XSM', prompt: 'Xen Security Modules support', default: false, source: 'xen/common/Kconfig' },
  { name: 'X86_PSR', prompt: 'Platform Shared Resource (CAT/CDP/MBA) support', default: true, source: 'xen/arch/x86/Kconfig' },
];

const BY_NAME = new Map(KCONFIG_SYMBOLS.map((s) => [s.name, s]));

export class Kconfig {
  private readonly values = new Map<string, boolean>();

  /** Defaults, overridden by `overrides` ({ SCHED_RTDS: false, ... }). */
  constructor(overrides: Readonly<Record<string, boolean>> = {}) {
    for (const s of KCONFIG_SYMBOLS) this.values.set(s.name, s.default);
    for (const [name, v] of Object.entries(overrides)) {
      if (!BY_NAME.has(name)) {
        throw new XenError('EINVAL', `unknown Kconfig symbol CONFIG_${name}`, `known: ${KCONFIG_SYMBOLS.map((s) => s.name).join(', ')}`);
      }
      this.values.set(name, v);
    }
    for (const s of KCONFIG_SYMBOLS) {
      if (!this.values.get(s.name)) continue;
      for (const dep of s.dependsOn ?? []) {
        if (!this.values.get(dep)) {
          throw new XenError('EINVAL', `CONFIG_${s.name} depends on CONFIG_${dep}, which is off`);
        }
      }
    }
    if (!this.values.get('PV') && !this.values.get('HVM')) {
      throw new XenError('EINVAL', 'a build needs CONFIG_PV or CONFIG_HVM: no guest type would be left');
    }
  }

  enabled(name: string): boolean {
    const v = this.values.get(name);
    if (v === undefined) throw new XenError('EINVAL', `unknown Kconfig symbol CONFIG_${name}`);
    return v;
  }

  /** Gate a feature: EOPNOTSUPP when compiled out, naming the symbol. */
  require(name: string, what: string): void {
    if (!this.enabled(name)) {
      throw new XenError('EOPNOTSUPP', `${what} is not supported by this hypervisor build`, `CONFIG_${name} is not set`);
    }
  }

  /** The .config text, as Xen's build writes it (and hypfs exposes). */
  toDotConfig(): string {
    return KCONFIG_SYMBOLS.map((s) => (this.values.get(s.name) ? `CONFIG_${s.name}=y` : `# CONFIG_${s.name} is not set`)).join('\n') + '\n';
  }
}
