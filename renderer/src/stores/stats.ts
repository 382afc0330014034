/** The current host's 1 Hz statistics (pCPU busy %, domain CPU %), kept while a view needs them. */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { TopicItem } from '../../../main/api/contract';
import { api } from '../api';

export type HostStats = TopicItem<'stats'>;

export const useStatsStore = defineStore('stats', () => {
  const latest = shallowRef<HostStats | null>(null);
  const domainPct = shallowRef(new Map<number, number>());
  const hostId = ref<string | null>(null);
  let users = 0;
  let stop: (() => void) | undefined;

  function watchHost(id: string): () => void {
    if (hostId.value !== id) {
      stop?.();
      hostId.value = id;
      latest.value = null;
      stop = api().subscribe('stats', { hostId: id }, (items) => {
        const s = items.at(-1);
        if (!s) return;
        latest.value = s;
        domainPct.value = new Map(s.domainCpuPct.map((d) => [d.domid, d.pct]));
      });
    }
    users++;
    return () => {
      users--;
      if (users === 0) {
        stop?.();
        stop = undefined;
        hostId.value = null;
      }
    };
  }

  return { latest, domainPct, hostId, watchHost };
});
