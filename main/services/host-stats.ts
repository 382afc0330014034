/**
 * Host statistics at 1 Hz: one sampler per watched host, shared by every subscriber,
 * turning two cumulative samples into rates — each pCPU's busy % and each domain's CPU %
 * (100 = one pCPU) over the host's own time (simulated ns for an embedded host).
 * It stops sampling a host when its last subscriber goes.
 */
import type { Lab } from './lab';
import { PeriodicSampler } from './sampler';
import type { HostSample } from '../../engine/toolstack/types';

export interface HostStats {
  hostId: string;
  nowNs: number;
  intervalNs: number;
  /** Busy % of each pCPU over the interval (empty when the host does not report it). */
  pcpuBusyPct: number[];
  pcpuPool: number[];
  /** CPU % per domain over the interval; 100 = one pCPU fully used. */
  domainCpuPct: { domid: number; pct: number }[];
}

export function rates(hostId: string, a: HostSample, b: HostSample): HostStats {
  const dt = b.nowNs - a.nowNs;
  const pct = (x: number): number => (dt > 0 ? Math.round((x / dt) * 1000) / 10 : 0);
  const before = new Map(a.domainCpuNs.map((d) => [d.domid, d.cpuNs]));
  return {
    hostId,
    nowNs: b.nowNs,
    intervalNs: dt,
    pcpuBusyPct: b.pcpuBusyNs.map((busy, i) => pct(busy - (a.pcpuBusyNs[i] ?? busy))),
    pcpuPool: b.pcpuPool,
    domainCpuPct: b.domainCpuNs.map((d) => ({ domid: d.domid, pct: pct(d.cpuNs - (before.get(d.domid) ?? d.cpuNs)) })),
  };
}

/** The 1 Hz host statistics of the `stats` topic. */
export class HostStatsService extends PeriodicSampler<HostSample, HostStats> {
  constructor(
    private readonly lab: Lab,
    periodMs = 1000,
  ) {
    super((hostId) => lab.host(hostId).sample(), rates, periodMs);
  }

  override subscribe(hostId: string, listener: (s: HostStats) => void): () => void {
    this.lab.host(hostId); // an unknown or offline host is refused now, not silently never sampled
    return super.subscribe(hostId, listener);
  }
}
