import { describe, expect, it } from 'vitest';
import { rates } from '../../../main/services/host-stats';

describe('host statistics from two samples', () => {
  it('turns cumulative busy and CPU ns into percentages over the interval', () => {
    const a = { nowNs: 1e9, pcpuBusyNs: [0, 5e8], pcpuPool: [0, 0], domainCpuNs: [{ domid: 0, cpuNs: 1e9 }, { domid: 3, cpuNs: 0 }] };
    const b = { nowNs: 2e9, pcpuBusyNs: [2.5e8, 1.5e9], pcpuPool: [0, 0], domainCpuNs: [{ domid: 0, cpuNs: 1.1e9 }, { domid: 3, cpuNs: 1.5e9 }, { domid: 4, cpuNs: 7e8 }] };
    const r = rates('h', a, b);
    expect(r.intervalNs).toBe(1e9);
    expect(r.pcpuBusyPct).toEqual([25, 100]);
    // 150% = one and a half pCPUs; a domain new since the last sample starts from its current time
    expect(r.domainCpuPct).toEqual([{ domid: 0, pct: 10 }, { domid: 3, pct: 150 }, { domid: 4, pct: 0 }]);
  });

  it('reports 0 when the host time did not move', () => {
    const s = { nowNs: 5, pcpuBusyNs: [1], pcpuPool: [0], domainCpuNs: [{ domid: 0, cpuNs: 1 }] };
    expect(rates('h', s, s)).toMatchObject({ intervalNs: 0, pcpuBusyPct: [0], domainCpuPct: [{ domid: 0, pct: 0 }] });
  });
});
