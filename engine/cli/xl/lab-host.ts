/**
 * The host of a lab: the embedded host, plus the domain changes `xl` makes that the
 * toolstack façade does not carry yet (vcpu-pin, mem-max: engine/toolstack/domain-tuning.ts).
 */
import { setMaxMemory, setVcpuAffinity } from '../../toolstack/domain-tuning';
import { EmbeddedHost } from '../../toolstack/embedded-host';
import type { KeptConfig } from '../../toolstack/embedded-host';
import type { DomainRef } from '../../toolstack/host-api';
import type { XlHost } from './context';

export class LabHost extends EmbeddedHost implements XlHost {
  async keptConfig(ref: DomainRef): Promise<Readonly<KeptConfig> | undefined> {
    return this.configOf(ref);
  }

  async setVcpuAffinity(ref: DomainRef, vcpu: number | 'all', hard: number[] | null, soft: number[] | null): Promise<void> {
    setVcpuAffinity(this, ref, vcpu, hard, soft);
  }

  async setMaxMemory(ref: DomainRef, maxKiB: number): Promise<void> {
    setMaxMemory(this, ref, maxKiB);
  }
}
