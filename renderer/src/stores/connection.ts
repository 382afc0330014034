/** The link to the services: its state and what the other end is (status bar). */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { Result } from '../../../main/api/contract';
import { api } from '../api';
import type { LinkState } from '../api/link';

export const useConnectionStore = defineStore('connection', () => {
  const state = ref<LinkState>(api().state);
  const info = ref<Result<'app.info'> | null>(null);
  const lastError = ref<string | null>(null);

  async function refreshInfo(): Promise<void> {
    try {
      info.value = await api().request('app.info', {});
      lastError.value = null;
    } catch (e) {
      lastError.value = e instanceof Error ? e.message : String(e);
    }
  }

  api().onState((s) => {
    state.value = s;
    if (s === 'open') void refreshInfo();
  });
  void refreshInfo();

  return { state, info, lastError, refreshInfo };
});
