/**
 * The api methods beyond the toolstack façade that `xl` and the GUI need (physinfo,
 * vcpu-pin, mem-max, the kept config). The embedded host answers them from its
 * hypervisor; a real host runs xl on dom0 for physinfo, vcpu-pin and mem-max, and keeps
 * no configs (its own files are the configs), which it says with ENOSYS.
 */
import { setMaxMemory, setVcpuAffinity } from '../../engine/toolstack/domain-tuning';
import { EmbeddedHost, type KeptConfig } from '../../engine/toolstack/embedded-host';
import type { DomainRef, ToolstackHost } from '../../engine/toolstack/host-api';
import { RemoteToolstackHost } from '../../engine/toolstack/remote-toolstack-host';
import { NotImplementedError } from '../../engine/toolstack/toolstack-error';
import type { Physinfo } from '../../engine/hypervisor/xen';

function embedded(host: ToolstackHost, what: string): EmbeddedHost {
  if (host instanceof EmbeddedHost) return host;
  throw new NotImplementedError(`${what} on a real host`);
}

export async function physinfoOf(host: ToolstackHost): Promise<Physinfo> {
  if (host instanceof RemoteToolstackHost) return host.physinfo();
  return embedded(host, 'physinfo').physinfo();
}

export async function keptConfigOf(host: ToolstackHost, ref: DomainRef): Promise<KeptConfig | null> {
  const k = embedded(host, 'the kept domain config').configOf(ref);
  return k ? { ...k } : null;
}

export async function pinVcpus(host: ToolstackHost, ref: DomainRef, vcpu: number | 'all', hard: number[] | null, soft: number[] | null): Promise<void> {
  if (host instanceof RemoteToolstackHost) return host.setVcpuAffinity(ref, vcpu, hard, soft);
  setVcpuAffinity(embedded(host, 'vcpu-pin'), ref, vcpu, hard, soft);
}

export async function maxMemory(host: ToolstackHost, ref: DomainRef, maxKiB: number): Promise<void> {
  if (host instanceof RemoteToolstackHost) return host.setMaxMemory(ref, maxKiB);
  setMaxMemory(embedded(host, 'mem-max'), ref, maxKiB);
}
