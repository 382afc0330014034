/** Routes of the shell. Views other than the dashboard load on first visit (their own chunks). History mode works in both transports (app:// and serve fall back to index.html). */
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import DashboardView from './views/DashboardView.vue';

const routes: RouteRecordRaw[] = [
  { path: '/', redirect: '/dashboard' },
  { path: '/index.html', redirect: '/dashboard' },
  { path: '/dashboard', component: DashboardView, meta: { title: 'Dashboard' } },
  { path: '/hosts', component: () => import('./views/HostsView.vue'), meta: { title: 'Hosts' } },
  { path: '/hosts/:id', component: () => import('./views/HostDetailView.vue'), meta: { title: 'Host' } },
  { path: '/domains', component: () => import('./views/DomainsView.vue'), meta: { title: 'Domains' } },
  { path: '/domains/new', component: () => import('./views/CreateDomainView.vue'), meta: { title: 'Create a domain' } },
  { path: '/domains/:domid(\\d+)', component: () => import('./views/DomainDetailView.vue'), meta: { title: 'Domain' } },
  { path: '/consoles', component: () => import('./views/ConsolesView.vue'), meta: { title: 'Consoles' } },
  { path: '/migration', component: () => import('./views/ComingView.vue'), props: { title: 'Migration', what: 'Live migration with a stream verify-stream-v2 accepts', issue: 'save/restore and migration' } },
  { path: '/security', component: () => import('./views/ComingView.vue'), props: { title: 'Security', what: 'VMI alerts (vm_event, mem_access, altp2m)', issue: 'VMI' } },
  { path: '/events', component: () => import('./views/EventsView.vue'), meta: { title: 'Events' } },
  { path: '/settings', component: () => import('./views/SettingsView.vue'), meta: { title: 'Settings' } },
  { path: '/:rest(.*)*', redirect: '/dashboard' },
];

export const router = createRouter({ history: createWebHistory(), routes });
