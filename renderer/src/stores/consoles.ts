/**
 * The consoles the user has open, as tabs: which host and domain each shows and which
 * is in front. Kept in a store so the tabs (and their terminals' subscriptions) survive
 * going to another view and back. A tab follows its domain by name: when a domain is
 * restarted (on_reboot="restart" gives it a new domid) the tab moves to the new one.
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';

export interface ConsoleTab {
  key: string;
  hostId: string;
  domid: number;
  name: string;
}

export const useConsolesStore = defineStore('consoles', () => {
  const tabs = ref<ConsoleTab[]>([]);
  const activeKey = ref<string | null>(null);
  let serial = 0;

  const active = computed(() => tabs.value.find((t) => t.key === activeKey.value) ?? null);

  function open(hostId: string, domid: number, name: string): ConsoleTab {
    let tab = tabs.value.find((t) => t.hostId === hostId && t.domid === domid);
    if (!tab) {
      tab = { key: `c${++serial}`, hostId, domid, name };
      tabs.value.push(tab);
    }
    activeKey.value = tab.key;
    return tab;
  }

  function close(key: string): void {
    const i = tabs.value.findIndex((t) => t.key === key);
    if (i < 0) return;
    tabs.value.splice(i, 1);
    if (activeKey.value === key) activeKey.value = tabs.value[Math.min(i, tabs.value.length - 1)]?.key ?? null;
  }

  /** A domain of this name came (back) with another domid: tabs showing the old one follow. */
  function follow(hostId: string, name: string, domid: number, alive: (domid: number) => boolean): void {
    for (const t of tabs.value) {
      if (t.hostId === hostId && t.name === name && t.domid !== domid && !alive(t.domid)) t.domid = domid;
    }
  }

  return { tabs, activeKey, active, open, close, follow };
});
