/** The hosts of the lab and which one the views show. */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { HostSummary } from '../../../engine/toolstack/types';
import { api } from '../api';

export const useHostsStore = defineStore('hosts', () => {
  const hosts = ref<HostSummary[]>([]);
  const currentId = ref<string | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);

  const current = computed(() => hosts.value.find((h) => h.id === currentId.value) ?? null);

  async function refresh(): Promise<void> {
    loading.value = true;
    try {
      hosts.value = await api().request('host.list', {});
      if (currentId.value === null || !hosts.value.some((h) => h.id === currentId.value)) currentId.value = hosts.value[0]?.id ?? null;
      error.value = null;
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e);
    } finally {
      loading.value = false;
    }
  }

  return { hosts, currentId, current, loading, error, refresh };
});
