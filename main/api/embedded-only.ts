/**
 * The api methods only an embedded (simulated) host answers so far: what `xl` needs
 * beyond the toolstack façade (physinfo, vcpu-pin, mem-max, the kept config). A real
 * host answers them with NotImplementedError (ENOSYS) rather than pretending.
 */
import { setMaxMemory, setVcpuAffinity } from '../../engine/toolstack/domain-tuning';
import { EmbeddedHost, type KeptConfig } from '../../engine/toolstack/embedded-host';
import type { DomainRef, ToolstackHost } from '../../engine/toolstack/host-api';
import { NotImplementedError } from '../../engine/toolstack/toolstack-error';
import type { Physinfo } from '../../engine/hypervisor/xen';

function embedded(host: ToolstackHost, what: string): EmbeddedHost {
  if (host instanceof EmbeddedHost) return host;
  throw new NotImplementedError(`${what} on a real host`);
}

export async function physinfoOf(host: ToolstackHost): Promise<Physinfo> {
  return embedded(host, 'physinfo').physinfo();
}

export async function keptConfigOf(host: ToolstackHost, ref: DomainRef): Promise<KeptConfig | null> {
  const k = embedded(host, 'the kept domain config').configOf(ref);
  return k ? { ...k } : null;
}

export async function pinVcpus(host: ToolstackHost, ref: DomainRef, vcpu: number | 'all', hard: number[] | null, soft: number[] | null): Promise<void> {
  setVcpuAffinity(embedded(host, 'vcpu-pin'), ref, vcpu, hard, soft);
}

export async function maxMemory(host: ToolstackHost, ref: DomainRef, maxKiB: number): Promise<void> {
  setMaxMemory(embedded(host, 'mem-max'), ref, maxKiB);
}
