// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia';
import { computed } from 'vue';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { HostStats } from '../../main/services/host-stats';

const subs: { topic: string; params: Record<string, unknown>; onItems: (items: HostStats[]) => void; stopped: boolean }[] = [];
vi.mock('../../renderer/src/api', () => ({
  api: () => ({
    subscribe: (topic: string, params: Record<string, unknown>, onItems: (items: HostStats[]) => void) => {
      const s = { topic, params, onItems, stopped: false };
      subs.push(s);
      return () => {
        s.stopped = true;
      };
    },
  }),
}));

const { useStatsStore } = await import('../../renderer/src/stores/stats');
const { DomainCpuColumns } = await import('../../renderer/src/stores/domain-cpu');

const item = (domids: number[], domainCpuPct: number[], pcpuBusyPct: number[] = []): HostStats => ({ hostId: 'h', nowNs: 0, intervalNs: 1e9, pcpuBusyPct, pcpuPool: pcpuBusyPct.map(() => 0), domids, domainCpuPct });

beforeEach(() => {
  subs.length = 0;
  setActivePinia(createPinia());
});

describe('DomainCpuColumns', () => {
  it('answers each domain\'s CPU % from the columns of the last second', () => {
    const c = new DomainCpuColumns();
    expect(c.get(3)).toBeUndefined();
    c.update([0, 3, 7], [1.5, 12.3, 0]);
    expect([c.get(0), c.get(3), c.get(7), c.get(9)]).toEqual([1.5, 12.3, 0, undefined]);
    c.update([0, 3, 7], [2, 0.1, 99.9]);
    expect([c.get(0), c.get(3), c.get(7)]).toEqual([2, 0.1, 99.9]);
  });

  it('follows domains that came and went between two seconds', () => {
    const c = new DomainCpuColumns();
    c.update([0, 3, 7], [1, 2, 3]);
    c.update([0, 7, 8], [4, 5, 6]);
    expect([c.get(0), c.get(3), c.get(7), c.get(8)]).toEqual([4, undefined, 5, 6]);
    expect(c.size).toBe(3);
  });
});

describe('stats store', () => {
  it('asks the server for the part each view shows, one subscription per part', () => {
    const s = useStatsStore();
    const stopDomains = s.watchDomains('h');
    const stopPcpus = s.watchPcpus('h');
    expect(subs.map((x) => [x.topic, x.params])).toEqual([
      ['stats', { hostId: 'h', pcpus: false, domains: true }],
      ['stats', { hostId: 'h', pcpus: true, domains: false }],
    ]);
    stopDomains();
    expect(subs.map((x) => x.stopped)).toEqual([true, false]);
    stopPcpus();
    expect(subs[1]!.stopped).toBe(true);
    expect(s.hostId).toBeNull();
  });

  it('keeps the subscription while another view still watches the same part', () => {
    const s = useStatsStore();
    const a = s.watchDomains('h');
    const b = s.watchDomains('h');
    expect(subs).toHaveLength(1);
    a();
    a(); // releasing twice does not release the other watcher
    expect(subs[0]!.stopped).toBe(false);
    b();
    expect(subs[0]!.stopped).toBe(true);
  });

  it('a second of domain figures bumps one version counter that cpuOf readers depend on', () => {
    const s = useStatsStore();
    s.watchDomains('h');
    let runs = 0;
    const three = computed(() => (runs++, s.cpuOf(3)));
    expect(three.value).toBeUndefined();
    subs[0]!.onItems([item([0, 3], [1, 2]), item([0, 3], [5, 42.5])]);
    expect(three.value).toBe(42.5);
    expect(s.cpuOf(0)).toBe(5);
    expect(runs).toBe(2);
    expect(s.latest).toBeNull(); // the heat map's part is a separate subscription
  });

  it('keeps the last pCPU item for the heat map', () => {
    const s = useStatsStore();
    s.watchPcpus('h');
    subs[0]!.onItems([item([], [], [25, 100])]);
    expect(s.latest?.pcpuBusyPct).toEqual([25, 100]);
  });

  it('forgets the old host\'s figures when the view moves to another host', () => {
    const s = useStatsStore();
    const stop = s.watchDomains('h');
    subs[0]!.onItems([item([3], [7])]);
    stop();
    s.watchDomains('other');
    expect(s.cpuOf(3)).toBeUndefined();
    subs[0]!.onItems([item([3], [9])]); // a late batch of the stopped subscription is ignored
    expect(s.cpuOf(3)).toBeUndefined();
  });
});
