/** User settings kept in this browser profile: the theme. */
import { defineStore } from 'pinia';
import { ref, watch } from 'vue';

export type ThemeChoice = 'dark' | 'light' | 'system';
const KEY = 'xendeck.theme';

function resolved(t: ThemeChoice): 'dark' | 'light' {
  if (t !== 'system') return t;
  return window.matchMedia?.('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}

export const useSettingsStore = defineStore('settings', () => {
  const stored = localStorage.getItem(KEY);
  const theme = ref<ThemeChoice>(stored === 'light' || stored === 'dark' || stored === 'system' ? stored : 'dark');
  const apply = (): void => document.documentElement.setAttribute('data-theme', resolved(theme.value));
  watch(
    theme,
    (t) => {
      localStorage.setItem(KEY, t);
      apply();
    },
    { immediate: true },
  );
  return { theme };
});
