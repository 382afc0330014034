/**
 * The current host's 1 Hz statistics, kept while a view needs them: the pCPUs' busy % for
 * the dashboard's heat map, every domain's CPU % for the domain list. Each part is its own
 * `stats` subscription asking only for that part, so the list does not receive 4095 pCPU
 * figures a second, nor the dashboard 10,000 domain figures.
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { TopicItem } from '../../../main/api/contract';
import { api } from '../api';
import { DomainCpuColumns } from './domain-cpu';

export type HostStats = TopicItem<'stats'>;
type Part = 'pcpus' | 'domains';

export const useStatsStore = defineStore('stats', () => {
  /** The last pCPU item (its domain columns are empty). */
  const latest = shallowRef<HostStats | null>(null);
  const hostId = ref<string | null>(null);
  /** Bumped when a second's domain CPU % arrived: what reads cpuOf() runs again, nothing else. */
  const cpuVersion = ref(0);
  const cpu = new DomainCpuColumns();
  const watches: Record<Part, { hostId: string | null; users: number; stop?: () => void }> = {
    pcpus: { hostId: null, users: 0 },
    domains: { hostId: null, users: 0 },
  };

  function cpuOf(domid: number): number | undefined {
    void cpuVersion.value;
    return cpu.get(domid);
  }

  function receive(part: Part, s: HostStats): void {
    if (part === 'pcpus') latest.value = s;
    else {
      cpu.update(s.domids, s.domainCpuPct);
      cpuVersion.value++;
    }
  }

  function start(part: Part, id: string): void {
    const w = watches[part];
    w.stop?.();
    w.hostId = id;
    if (part === 'pcpus') latest.value = null;
    else {
      cpu.clear();
      cpuVersion.value++;
    }
    w.stop = api().subscribe('stats', { hostId: id, pcpus: part === 'pcpus', domains: part === 'domains' }, (items) => {
      const s = items.at(-1);
      if (s && w.hostId === id) receive(part, s);
    });
  }

  /** Watches one part of a host's statistics; the returned function stops watching. */
  function watch(id: string, part: Part): () => void {
    const w = watches[part];
    if (w.hostId !== id) start(part, id);
    hostId.value = id;
    w.users++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      w.users--;
      if (w.users === 0) {
        w.stop?.();
        w.stop = undefined;
        w.hostId = null;
        if (watches.pcpus.hostId === null && watches.domains.hostId === null) hostId.value = null;
      }
    };
  }

  /** The pCPUs' busy % of a host (the heat map). */
  const watchPcpus = (id: string): (() => void) => watch(id, 'pcpus');
  /** Every domain's CPU % of a host (the domain list). */
  const watchDomains = (id: string): (() => void) => watch(id, 'domains');

  return { latest, hostId, cpuVersion, cpuOf, watchPcpus, watchDomains };
});
