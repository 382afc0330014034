// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import type { DomainSummary } from '../../engine/toolstack/types';

const push = vi.fn();
vi.mock('vue-router', () => ({ useRouter: () => ({ push }) }));
const { default: DomainRow } = await import('../../renderer/src/components/domains/DomainRow.vue');

const DOM: DomainSummary = {
  domid: 7, uuid: 'uuid-7', name: 'web7', type: 'pvh', state: '-b----', shutdownReason: null,
  memoryMiB: 256, maxMemoryMiB: 512, targetMemoryMiB: 256, onlineVcpus: 2, maxVcpus: 4, cpuTimeS: 12.345, cpupool: 'Pool-0',
};
const props = { d: DOM, index: 4, start: 120, selected: false, focused: false, actions: false, cpuPct: 3.25 as number | undefined };

describe('DomainRow', () => {
  it('shows xl list\'s columns, the CPU % of the last second and its place in the grid', () => {
    const w = mount(DomainRow, { props });
    const cells = w.findAll('[role=gridcell]').map((c) => c.text());
    expect(cells.slice(1, 10)).toEqual(['web7', '7', '256', '2', 'blocked -b----', '12.3', '3.3', 'PVH', 'Pool-0']);
    expect(w.attributes('aria-rowindex')).toBe('6');
    expect(w.attributes('style')).toContain('translateY(120px)');
  });

  it('leaves CPU % empty before the first second of figures', () => {
    const w = mount(DomainRow, { props: { ...props, cpuPct: undefined } });
    expect(w.findAll('[role=gridcell]')[7]!.text()).toBe('');
  });

  it('offers the actions only on the row under the pointer or the keyboard, and says which domain they act on', async () => {
    const w = mount(DomainRow, { props });
    expect(w.findAll('button')).toHaveLength(0);
    await w.setProps({ actions: true });
    expect(w.findAll('button').map((b) => b.text())).toEqual(['Console', 'Pause', 'Shutdown', 'Reboot', 'Destroy']);
    await w.findAll('button')[1]!.trigger('click');
    expect(w.emitted('act')).toEqual([[7, 'pause']]);
    await w.setProps({ d: { ...DOM, state: '--p---' } });
    expect(w.findAll('button')[1]!.text()).toBe('Unpause');
  });

  it('selects, opens and takes the focus for its own domain', async () => {
    const w = mount(DomainRow, { props });
    await w.find('input[type=checkbox]').trigger('change');
    await w.find('a').trigger('click');
    await w.trigger('click');
    expect(w.emitted('select')).toEqual([[7, true]]);
    expect(w.emitted('open')).toEqual([[7]]);
    expect(w.emitted('focus')).toEqual([[4], [4]]); // the link's click reaches the row too, as a click anywhere on it
  });

  it('has no checkbox for dom0', () => {
    const w = mount(DomainRow, { props: { ...props, d: { ...DOM, domid: 0, name: 'Domain-0' } } });
    expect(w.find('input[type=checkbox]').exists()).toBe(false);
  });
});
