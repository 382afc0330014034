import { describe, expect, it } from 'vitest';
import { rates, statsPart } from '../../../main/services/host-stats';
import { HostStatsSchema } from '../../../main/api/schemas';

describe('host statistics from two samples', () => {
  it('turns cumulative busy and CPU ns into percentages over the interval', () => {
    const a = { nowNs: 1e9, pcpuBusyNs: [0, 5e8], pcpuPool: [0, 0], domids: [0, 3], domainCpuNs: [1e9, 0] };
    const b = { nowNs: 2e9, pcpuBusyNs: [2.5e8, 1.5e9], pcpuPool: [0, 0], domids: [0, 3, 4], domainCpuNs: [1.1e9, 1.5e9, 7e8] };
    const r = rates('h', a, b);
    expect(r.intervalNs).toBe(1e9);
    expect(r.pcpuBusyPct).toEqual([25, 100]);
    // 150% = one and a half pCPUs; a domain new since the last sample starts from its current time
    expect(r.domids).toEqual([0, 3, 4]);
    expect(r.domainCpuPct).toEqual([10, 150, 0]);
    expect(HostStatsSchema.parse(r)).toEqual(r);
  });

  it('pairs the domains by domid when one went and another came between the samples', () => {
    const a = { nowNs: 0, pcpuBusyNs: [], pcpuPool: [], domids: [0, 5, 7], domainCpuNs: [0, 2e8, 4e8] };
    const b = { nowNs: 1e9, pcpuBusyNs: [], pcpuPool: [], domids: [0, 7, 9], domainCpuNs: [1e8, 9e8, 3e9] };
    expect(rates('h', a, b).domainCpuPct).toEqual([10, 50, 0]);
  });

  it('pairs by position when the domains are the same, in the same order', () => {
    const a = { nowNs: 0, pcpuBusyNs: [], pcpuPool: [], domids: [0, 1, 2], domainCpuNs: [0, 1e8, 2e8] };
    const b = { nowNs: 1e9, pcpuBusyNs: [], pcpuPool: [], domids: [0, 1, 2], domainCpuNs: [5e8, 3e8, 2e8] };
    expect(rates('h', a, b).domainCpuPct).toEqual([50, 20, 0]);
  });

  it('reports 0 when the host time did not move', () => {
    const s = { nowNs: 5, pcpuBusyNs: [1], pcpuPool: [0], domids: [0], domainCpuNs: [1] };
    expect(rates('h', s, s)).toMatchObject({ intervalNs: 0, pcpuBusyPct: [0], domids: [0], domainCpuPct: [0] });
  });

  it('gives a subscriber only the part it asked for', () => {
    const s = rates('h', { nowNs: 0, pcpuBusyNs: [0], pcpuPool: [0], domids: [0], domainCpuNs: [0] }, { nowNs: 1e9, pcpuBusyNs: [5e8], pcpuPool: [0], domids: [0], domainCpuNs: [2e8] });
    expect(statsPart(s, {})).toBe(s);
    expect(statsPart(s, { pcpus: false })).toMatchObject({ pcpuBusyPct: [], pcpuPool: [], domids: [0], domainCpuPct: [20] });
    expect(statsPart(s, { domains: false })).toMatchObject({ pcpuBusyPct: [50], pcpuPool: [0], domids: [], domainCpuPct: [] });
  });
});
