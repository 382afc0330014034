import { describe, expect, it } from 'vitest';
import { domainRates } from '../../../main/services/domain-stats';

describe('domain statistics from two samples', () => {
  it('gives CPU %, runstate shares of the vCPU time and the latency in µs', () => {
    const a = { nowNs: 0, cpuNs: 0, runstateNs: { running: 0, runnable: 0, blocked: 0, offline: 0 }, wakeP99Ns: 0, deadlineMisses: 0 };
    const b = { nowNs: 1e9, cpuNs: 1.5e9, runstateNs: { running: 1.5e9, runnable: 0.25e9, blocked: 0.25e9, offline: 0 }, wakeP99Ns: 123_456, deadlineMisses: 2 };
    expect(domainRates('h', 3, a, b)).toEqual({
      hostId: 'h',
      domid: 3,
      nowNs: 1e9,
      cpuPct: 150,
      runstatePct: { running: 75, runnable: 12.5, blocked: 12.5, offline: 0 },
      wakeP99Us: 123.5,
      deadlineMisses: 2,
    });
  });
});
