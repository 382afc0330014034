/** Routes of the shell. History mode works in both transports (app:// and serve fall back to index.html). */
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import ComingView from './views/ComingView.vue';
import CreateDomainView from './views/CreateDomainView.vue';
import DashboardView from './views/DashboardView.vue';
import DomainDetailView from './views/DomainDetailView.vue';
import DomainsView from './views/DomainsView.vue';
import EventsView from './views/EventsView.vue';
import HostDetailView from './views/HostDetailView.vue';
import HostsView from './views/HostsView.vue';
import SettingsView from './views/SettingsView.vue';

const routes: RouteRecordRaw[] = [
  { path: '/', redirect: '/dashboard' },
  { path: '/index.html', redirect: '/dashboard' },
  { path: '/dashboard', component: DashboardView, meta: { title: 'Dashboard' } },
  { path: '/hosts', component: HostsView, meta: { title: 'Hosts' } },
  { path: '/hosts/:id', component: HostDetailView, meta: { title: 'Host' } },
  { path: '/domains', component: DomainsView, meta: { title: 'Domains' } },
  { path: '/domains/new', component: CreateDomainView, meta: { title: 'Create a domain' } },
  { path: '/domains/:domid(\\d+)', component: DomainDetailView, meta: { title: 'Domain' } },
  { path: '/consoles', component: ComingView, props: { title: 'Consoles', what: 'Guest consoles in xterm (xl console)', issue: 'issue 7' } },
  { path: '/migration', component: ComingView, props: { title: 'Migration', what: 'Live migration with a stream verify-stream-v2 accepts', issue: 'save/restore and migration' } },
  { path: '/security', component: ComingView, props: { title: 'Security', what: 'VMI alerts (vm_event, mem_access, altp2m)', issue: 'VMI' } },
  { path: '/events', component: EventsView, meta: { title: 'Events' } },
  { path: '/settings', component: SettingsView, meta: { title: 'Settings' } },
  { path: '/:rest(.*)*', redirect: '/dashboard' },
];

export const router = createRouter({ history: createWebHistory(), routes });
