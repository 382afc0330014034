/**
 * Host statistics at 1 Hz: one sampler per watched host, shared by every subscriber,
 * turning two cumulative samples into rates — each pCPU's busy % and each domain's CPU %
 * (100 = one pCPU) over the host's own time (simulated ns for an embedded host).
 * It stops sampling a host when its last subscriber goes.
 *
 * The domain figures are columns (domids[i] used domainCpuPct[i] %), not one object per
 * domain: with 10,000 domains an item is two flat number arrays, cheap to serialise, send
 * and parse every second; a subscriber that shows only one part asks for that part.
 */
import type { Lab } from './lab';
import { PeriodicSampler } from './sampler';
import type { HostSample } from '../../engine/toolstack/types';

export interface HostStats {
  hostId: string;
  nowNs: number;
  intervalNs: number;
  /** Busy % of each pCPU over the interval (empty when the host does not report it or it was not asked for). */
  pcpuBusyPct: number[];
  pcpuPool: number[];
  /** The domains, in the host's order (empty when not asked for). */
  domids: number[];
  /** CPU % of domids[i] over the interval; 100 = one pCPU fully used. */
  domainCpuPct: number[];
}

/** What a subscriber wants of each item (both by default). */
export interface HostStatsParts {
  pcpus?: boolean;
  domains?: boolean;
}

export function rates(hostId: string, a: HostSample, b: HostSample): HostStats {
  const dt = b.nowNs - a.nowNs;
  const pct = (x: number): number => (dt > 0 ? Math.round((x / dt) * 1000) / 10 : 0);
  // the same domains in the same order (the usual second) pair up by position; otherwise by domid
  const same = a.domids.length === b.domids.length && a.domids.every((d, i) => d === b.domids[i]);
  const before = same ? undefined : new Map(a.domids.map((d, i) => [d, a.domainCpuNs[i]!]));
  return {
    hostId,
    nowNs: b.nowNs,
    intervalNs: dt,
    pcpuBusyPct: b.pcpuBusyNs.map((busy, i) => pct(busy - (a.pcpuBusyNs[i] ?? busy))),
    pcpuPool: b.pcpuPool,
    domids: b.domids,
    domainCpuPct: b.domainCpuNs.map((ns, i) => pct(ns - ((before ? before.get(b.domids[i]!) : a.domainCpuNs[i]) ?? ns))),
  };
}

/** The part of an item a subscriber asked for (the other part's columns left empty). */
export function statsPart(s: HostStats, parts: HostStatsParts): HostStats {
  const pcpus = parts.pcpus ?? true;
  const domains = parts.domains ?? true;
  if (pcpus && domains) return s;
  return { ...s, ...(pcpus ? {} : { pcpuBusyPct: [], pcpuPool: [] }), ...(domains ? {} : { domids: [], domainCpuPct: [] }) };
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
