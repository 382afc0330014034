/**
 * Host statistics at 1 Hz: one sampler per watched host, shared by every subscriber,
 * turning two cumulative samples into rates — each pCPU's busy % and each domain's CPU %
 * (100 = one pCPU) over the host's own time (simulated ns for an embedded host).
 * It stops sampling a host when its last subscriber goes.
 */
import type { Lab } from './lab';
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

interface Watch {
  listeners: Set<(s: HostStats) => void>;
  timer: ReturnType<typeof setInterval>;
  last: HostSample | undefined;
  busy: boolean;
}

export class HostStatsService {
  private readonly watches = new Map<string, Watch>();

  constructor(
    private readonly lab: Lab,
    private readonly periodMs = 1000,
  ) {}

  subscribe(hostId: string, listener: (s: HostStats) => void): () => void {
    this.lab.host(hostId);
    let w = this.watches.get(hostId);
    if (!w) {
      const watch: Watch = { listeners: new Set(), timer: setInterval(() => void this.tick(hostId, watch), this.periodMs), last: undefined, busy: false };
      this.watches.set(hostId, watch);
      void this.tick(hostId, watch);
      w = watch;
    }
    w.listeners.add(listener);
    const mine = w;
    return () => {
      mine.listeners.delete(listener);
      if (mine.listeners.size === 0) {
        clearInterval(mine.timer);
        this.watches.delete(hostId);
      }
    };
  }

  close(): void {
    for (const w of this.watches.values()) clearInterval(w.timer);
    this.watches.clear();
  }

  private async tick(hostId: string, w: Watch): Promise<void> {
    if (w.busy) return; // a slow host: skip a beat rather than pile up
    w.busy = true;
    try {
      const s = await this.lab.host(hostId).sample();
      if (w.last) {
        const r = rates(hostId, w.last, s);
        for (const l of w.listeners) l(r);
      }
      w.last = s;
    } catch {
      w.last = undefined; // the host went away or failed: start over on the next beat
    } finally {
      w.busy = false;
    }
  }
}
