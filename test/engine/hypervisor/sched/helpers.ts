import { Xen } from '../../../../engine/hypervisor/xen';
import type { SchedulerName } from '../../../../engine/hypervisor/sched/scheduler';
import type { WorkloadSpec } from '../../../../engine/hypervisor/sched/workload';
import type { TopologySpec } from '../../../../engine/hypervisor/topology';
import { SECONDS } from '../../../../engine/hypervisor/clock';

export const topo = (sockets: number, cores: number, threads = 1): TopologySpec => ({
  sockets,
  coresPerSocket: cores,
  threadsPerCore: threads,
  memoryMiB: 64 * 1024,
  x2apic: true,
});

export function boot(sched: SchedulerName, t: TopologySpec = topo(1, 2), seed = 1): Xen {
  return Xen.boot({ seed, topology: t, sched, dom0MaxVcpus: 1 });
}

/** A pool of its own on `cpus` (taken from Pool-0), scheduled by `sched`. */
export function poolOn(x: Xen, name: string, sched: SchedulerName, cpus: number[]): number {
  x.hypercall({ op: 'sysctl.cpupool_op.rmcpu', poolId: 0, cpus });
  return x.hypercall({ op: 'sysctl.cpupool_op.create', name, sched, cpus }).poolId;
}

export function guest(x: Xen, name: string, opts: { vcpus?: number; pool?: number; workload?: WorkloadSpec } = {}): number {
  const { domid } = x.hypercall({ op: 'domctl.createdomain', type: 'pvh', maxVcpus: opts.vcpus ?? 1, name });
  if (opts.pool !== undefined) x.hypercall({ op: 'sysctl.cpupool_op.movedomain', poolId: opts.pool, domid });
  if (opts.workload) x.hypercall({ op: 'sim.set_workload', domid, vcpu: 'all', workload: opts.workload });
  return domid;
}

export const cpuTime = (x: Xen, domid: number): number => x.hypercall({ op: 'domctl.getdomaininfo', domid }).cpuTime;

export const run = (x: Xen, s: number): void => x.clock.runFor(SECONDS(s));
