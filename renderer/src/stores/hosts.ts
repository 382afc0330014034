/** The hosts of the lab (embedded and real), their reachability, and which one the views show. */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Params, Result } from '../../../main/api/contract';
import { api } from '../api';

export type HostEntry = Result<'host.list'>[number];

export const useHostsStore = defineStore('hosts', () => {
  const hosts = ref<HostEntry[]>([]);
  const currentId = ref<string | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);

  const currentEntry = computed(() => hosts.value.find((h) => h.id === currentId.value) ?? null);
  /** The summary of the current host when it is online. */
  const current = computed(() => currentEntry.value?.summary ?? null);

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

  async function addRemote(p: Params<'host.add'>): Promise<void> {
    await api().request('host.add', p);
    await refresh();
  }

  async function remove(hostId: string): Promise<void> {
    await api().request('host.remove', { hostId });
    await refresh();
  }

  return { hosts, currentId, currentEntry, current, loading, error, refresh, addRemote, remove };
});
