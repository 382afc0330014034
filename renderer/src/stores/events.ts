/**
 * Every toolstack event of every host since this window opened (the last 2000), with the
 * wall time it arrived, and the notifications shown for failures: each carries the
 * error's code, message and hint, as the api gives them.
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { ToolstackEvent } from '../../../engine/toolstack/types';
import { api, ApiRequestError } from '../api';

export interface LoggedEvent {
  at: number;
  event: ToolstackEvent;
}

export interface Notification {
  id: number;
  kind: 'error' | 'info';
  title: string;
  message: string;
  code?: string;
  hint?: string;
}

const KEEP = 2000;

export function describeEvent(e: ToolstackEvent): string {
  switch (e.kind) {
    case 'domain.created':
      return `created ${e.domain.name} (domid ${e.domain.domid})`;
    case 'domain.changed':
      return `${e.domain.name} (domid ${e.domain.domid}) is now ${e.domain.state}${e.domain.shutdownReason ? ` (${e.domain.shutdownReason})` : ''}`;
    case 'domain.destroyed':
      return `destroyed ${e.name} (domid ${e.domid})`;
    case 'host.log':
      return e.message;
    case 'domain.progress':
      return `${e.op} of domid ${e.domid}: ${e.done} of ${e.total} pages`;
  }
}

export const useEventsStore = defineStore('events', () => {
  const log = shallowRef<LoggedEvent[]>([]);
  const notifications = ref<Notification[]>([]);
  let nextId = 1;
  let started = false;

  function start(): void {
    if (started) return;
    started = true;
    api().subscribe('events', {}, (items, dropped) => {
      const now = Date.now();
      const fresh = items.map((event) => ({ at: now, event }));
      log.value = [...fresh.reverse(), ...log.value].slice(0, KEEP);
      if (dropped > 0) notify({ kind: 'info', title: 'Events', message: `${dropped} events were dropped while this window was busy` });
    });
  }

  function notify(n: Omit<Notification, 'id'>): void {
    const id = nextId++;
    notifications.value = [...notifications.value, { ...n, id }].slice(-5);
    if (n.kind === 'info') setTimeout(() => dismiss(id), 6000);
  }

  /** A failed operation as a notification: what was tried, and the api's code, message and hint. */
  function failed(what: string, e: unknown): void {
    if (e instanceof ApiRequestError) notify({ kind: 'error', title: what, message: e.message, code: e.code, ...(e.hint ? { hint: e.hint } : {}) });
    else notify({ kind: 'error', title: what, message: e instanceof Error ? e.message : String(e) });
  }

  function dismiss(id: number): void {
    notifications.value = notifications.value.filter((n) => n.id !== id);
  }

  return { log, notifications, start, notify, failed, dismiss };
});
