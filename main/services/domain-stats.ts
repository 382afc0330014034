/**
 * One domain's scheduling figures once a second, for its live charts: CPU % (100 = one
 * pCPU), the share of the interval its vCPUs spent in each runstate, and the wake-up to
 * run latency p99 (a cumulative percentile, as the scheduler keeps it).
 */
import type { DomainSample } from '../../engine/toolstack/types';
import { NotImplementedError } from '../../engine/toolstack/toolstack-error';
import type { Lab } from './lab';
import { PeriodicSampler } from './sampler';

export interface DomainStats {
  hostId: string;
  domid: number;
  nowNs: number;
  cpuPct: number;
  /** % of (interval × vCPUs) in each runstate. */
  runstatePct: { running: number; runnable: number; blocked: number; offline: number };
  wakeP99Us: number;
  deadlineMisses: number;
}

export function domainRates(hostId: string, domid: number, a: DomainSample, b: DomainSample): DomainStats {
  const dt = b.nowNs - a.nowNs;
  const pct = (x: number, of: number): number => (of > 0 ? Math.round((x / of) * 1000) / 10 : 0);
  const d = (k: keyof DomainSample['runstateNs']): number => b.runstateNs[k] - a.runstateNs[k];
  const total = d('running') + d('runnable') + d('blocked') + d('offline');
  return {
    hostId,
    domid,
    nowNs: b.nowNs,
    cpuPct: pct(b.cpuNs - a.cpuNs, dt),
    runstatePct: { running: pct(d('running'), total), runnable: pct(d('runnable'), total), blocked: pct(d('blocked'), total), offline: pct(d('offline'), total) },
    wakeP99Us: Math.round(b.wakeP99Ns / 100) / 10,
    deadlineMisses: b.deadlineMisses,
  };
}

const key = (hostId: string, domid: number): string => `${hostId}/${domid}`;
const parse = (k: string): [string, number] => {
  const i = k.lastIndexOf('/');
  return [k.slice(0, i), Number(k.slice(i + 1))];
};

export class DomainStatsService {
  private readonly sampler: PeriodicSampler<DomainSample, DomainStats>;

  constructor(
    private readonly lab: Lab,
    periodMs = 1000,
  ) {
    this.sampler = new PeriodicSampler(
      (k) => {
        const [h, domid] = parse(k);
        return lab.host(h).domainSample(domid);
      },
      (k, a, b) => {
        const [h, domid] = parse(k);
        return domainRates(h, domid, a, b);
      },
      periodMs,
    );
  }

  /** Refuses now (not silently never) a host that is not there or cannot give these figures. */
  subscribe(hostId: string, domid: number, listener: (s: DomainStats) => void): () => void {
    if (this.lab.host(hostId).kind === 'remote') throw new NotImplementedError('runstate and latency charts of a real host');
    return this.sampler.subscribe(key(hostId, domid), listener);
  }

  close(): void {
    this.sampler.close();
  }
}
