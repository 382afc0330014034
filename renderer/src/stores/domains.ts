/**
 * The domains of the current host, kept live: one `domain.list` on load, then the
 * `events` subscription applies created / changed / destroyed as they come (in batches).
 * A Map by domid keeps an update O(1) with thousands of domains.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef, triggerRef } from 'vue';
import type { Params } from '../../../main/api/contract';
import type { DomainSummary, ToolstackEvent } from '../../../engine/toolstack/types';
import { api } from '../api';

export type DomainAction = 'pause' | 'unpause' | 'shutdown' | 'reboot' | 'destroy';

export const useDomainsStore = defineStore('domains', () => {
  const hostId = ref<string | null>(null);
  const byDomid = shallowRef(new Map<number, DomainSummary>());
  const loading = ref(false);
  const error = ref<string | null>(null);
  // shallow: 200 events carrying domain summaries need no deep proxies, the list is replaced whole
  const events = shallowRef<ToolstackEvent[]>([]);
  let unsubscribe: (() => void) | undefined;

  /** In domid order for a fresh load, then creation order (views sort as they need). */
  const list = computed(() => [...byDomid.value.values()]);

  function apply(items: ToolstackEvent[]): void {
    const m = byDomid.value;
    for (const e of items) {
      if (e.hostId !== hostId.value) continue;
      if (e.kind === 'domain.created' || e.kind === 'domain.changed') m.set(e.domain.domid, e.domain);
      else if (e.kind === 'domain.destroyed') m.delete(e.domid);
    }
    events.value = [...items.slice(-200).reverse(), ...events.value].slice(0, 200);
    triggerRef(byDomid);
  }

  async function load(id: string): Promise<void> {
    if (hostId.value !== id) {
      unsubscribe?.();
      hostId.value = id;
      events.value = [];
      unsubscribe = api().subscribe('events', { hostId: id }, (items) => apply(items));
    }
    loading.value = true;
    try {
      const doms = await api().request('domain.list', { hostId: id });
      byDomid.value = new Map(doms.map((d) => [d.domid, d]));
      error.value = null;
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e);
    } finally {
      loading.value = false;
    }
  }

  async function act(domid: number, action: DomainAction): Promise<void> {
    if (hostId.value === null) return;
    const p: Params<'domain.pause'> = { hostId: hostId.value, domain: domid };
    switch (action) {
      case 'pause':
        await api().request('domain.pause', p);
        break;
      case 'unpause':
        await api().request('domain.unpause', p);
        break;
      case 'shutdown':
        await api().request('domain.shutdown', p);
        break;
      case 'reboot':
        await api().request('domain.shutdown', { ...p, reboot: true });
        break;
      case 'destroy':
        await api().request('domain.destroy', p);
        break;
    }
  }

  return { hostId, list, byDomid, loading, error, events, load, act };
});
