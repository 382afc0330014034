// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { DomainSummary, VcpuSummary } from '../../engine/toolstack/types';

const requests: { method: string; params: unknown }[] = [];
let answer: (method: string) => unknown = () => ({});
vi.mock('../../renderer/src/api', () => ({
  api: () => ({
    request: (method: string, params: unknown) => {
      requests.push({ method, params });
      return Promise.resolve(answer(method));
    },
  }),
}));

const { default: VcpuRunstateBars } = await import('../../renderer/src/components/domains/VcpuRunstateBars.vue');
const { default: Credit2Runqueues } = await import('../../renderer/src/components/hosts/Credit2Runqueues.vue');
const { default: DomainMemoryEditor } = await import('../../renderer/src/components/domains/DomainMemoryEditor.vue');
const { default: RtdsVcpuTable } = await import('../../renderer/src/components/domains/RtdsVcpuTable.vue');
const { default: RtdsDomainForm } = await import('../../renderer/src/components/domains/RtdsDomainForm.vue');
const { default: VcpuCountForm } = await import('../../renderer/src/components/domains/VcpuCountForm.vue');

const DOM: DomainSummary = {
  domid: 3, uuid: 'u', name: 'web1', type: 'pvh', state: '-b----', shutdownReason: null,
  memoryMiB: 256, maxMemoryMiB: 512, targetMemoryMiB: 256, onlineVcpus: 2, maxVcpus: 4, cpuTimeS: 1, cpupool: 'Pool-0',
};

function vcpu(n: number, rs?: VcpuSummary['runstateNs']): VcpuSummary {
  return { domid: 3, name: 'web1', vcpu: n, cpu: 0, online: true, runstate: 'running', cpuTimeS: 0, hardAffinity: 'all', softAffinity: 'all', ...(rs ? { runstateNs: rs } : {}) };
}

beforeEach(() => {
  requests.length = 0;
  answer = () => ({});
});

describe('VcpuRunstateBars', () => {
  it('shows each vCPU\'s share of the last interval by runstate', () => {
    const prev = [vcpu(0, { running: 100, runnable: 0, blocked: 900, offline: 0 }), vcpu(1, { running: 0, runnable: 0, blocked: 0, offline: 1000 })];
    const now = [vcpu(0, { running: 850, runnable: 50, blocked: 1100, offline: 0 }), vcpu(1, { running: 0, runnable: 0, blocked: 0, offline: 2000 })];
    const w = mount(VcpuRunstateBars, { props: { vcpus: now, previous: prev } });
    expect(w.find('[data-vcpu="0"]').attributes('aria-label')).toBe('vCPU 0: running 75%, runnable 5%, blocked 20%, offline 0%');
    expect(w.find('[data-vcpu="1"]').attributes('aria-label')).toBe('vCPU 1: running 0%, runnable 0%, blocked 0%, offline 100%');
  });

  it('says so when the host gives no runstate times', () => {
    const w = mount(VcpuRunstateBars, { props: { vcpus: [vcpu(0)] } });
    expect(w.text()).toContain('does not report runstate times');
  });
});

describe('Credit2Runqueues', () => {
  it('shows the boot-time arrangement read-only and each runqueue\'s pCPUs as a CPU list', () => {
    const w = mount(Credit2Runqueues, {
      props: {
        pools: [
          { name: 'Pool-0', info: { sched: 'credit2', params: { ratelimitUs: 1000 }, runqueues: { arrangement: 'socket', maxCpusRunqueue: 16, runqueues: [{ id: 0, cpus: [0, 1, 2, 3, 6] }, { id: 1, cpus: [8, 9] }] } } },
          { name: 'remote', info: { sched: 'credit2', params: {} } },
        ],
      },
    });
    expect(w.text()).toContain('credit2_runqueue=socket — one runqueue per socket, at most 16 pCPUs each');
    expect(w.findAll('[data-runqueue-pool="Pool-0"] tbody tr').map((r) => r.text())).toEqual(['050-3,6', '128-9']);
    expect(w.find('input, select').exists()).toBe(false);
    expect(w.find('[data-runqueue-pool="remote"]').text()).toContain('does not report its runqueues');
  });
});

describe('DomainMemoryEditor', () => {
  it('sets the balloon target in KiB and shows how far the balloon has to go', async () => {
    answer = (m) => (m === 'domain.get' ? { ...DOM, targetMemoryMiB: 128 } : {});
    const w = mount(DomainMemoryEditor, { props: { hostId: 'lab1', domain: DOM } });
    expect(w.find('[data-test=balloon-status]').text()).toBe('at its target');
    await w.find('input[aria-label="Memory target (MiB)"]').setValue('128');
    await w.find('form').trigger('submit');
    await flushPromises();
    expect(requests[0]).toEqual({ method: 'domain.setMemoryTarget', params: { hostId: 'lab1', domain: 3, targetKiB: 128 * 1024 } });
    expect(w.find('[data-test=balloon-status]').text()).toBe('balloon giving back memory: 128 MiB to go');
    expect(w.emitted('done')?.[0]).toEqual(['memory target set to 128 MiB']);
    w.unmount();
  });

  it('a refusal is passed up with what was tried', async () => {
    const w = mount(DomainMemoryEditor, { props: { hostId: 'lab1', domain: DOM } });
    answer = () => {
      throw new Error('memory_dynamic_max must be less than or equal to memory_static_max');
    };
    await w.find('input[aria-label="Memory target (MiB)"]').setValue('4096');
    await w.find('form').trigger('submit');
    await flushPromises();
    expect(w.emitted('failed')?.[0]?.[0]).toBe('xl mem-set web1');
  });
});

describe('RtdsVcpuTable and VcpuCountForm', () => {
  it('sends only the edited vCPU, once it differs', async () => {
    const vcpus = [0, 1].map((v) => ({ vcpu: v, budget: 4000, period: 10000, extratime: true }));
    const w = mount(RtdsVcpuTable, { props: { hostId: 'lab1', domid: 3, name: 'web1', vcpus } });
    const set1 = w.findAll('button')[1]!;
    expect(set1.attributes('disabled')).toBeDefined();
    await w.find('input[aria-label="Budget of vCPU 1 (µs)"]').setValue('2500');
    await w.find('input[aria-label="Extratime of vCPU 1"]').setValue(false);
    expect(set1.attributes('disabled')).toBeUndefined();
    await set1.trigger('click');
    await flushPromises();
    expect(requests).toEqual([{ method: 'domain.setVcpuSched', params: { hostId: 'lab1', domain: 3, vcpus: [{ vcpu: 1, budget: 2500, period: 10000, extratime: false }] } }]);
  });

  // xl sched-rtds -d D -v all -p P -b B -e E: the per-vCPU set for every vCPU, since Xen's
  // domain-wide putinfo does not read extratime (rt_dom_cntl, 4.17)
  it('RtdsDomainForm sets budget, period and extratime on every vCPU, as xl sched-rtds -v all', async () => {
    const vcpus = [0, 1, 2].map((v) => ({ vcpu: v, budget: 4000, period: 10000, extratime: v !== 1 }));
    const w = mount(RtdsDomainForm, { props: { hostId: 'lab1', domid: 3, name: 'web1', vcpus } });
    expect((w.find('input[aria-label="budget (µs)"]').element as HTMLInputElement).value).toBe('4000');
    expect(w.text()).toContain('xl sched-rtds -d web1 -v all');
    await w.find('input[aria-label="budget (µs)"]').setValue('2000');
    await w.find('input[aria-label="extratime of every vCPU"]').setValue(false);
    await w.find('form').trigger('submit');
    await flushPromises();
    expect(requests).toEqual([
      { method: 'domain.setVcpuSched', params: { hostId: 'lab1', domain: 3, vcpus: [0, 1, 2].map((vcpu) => ({ vcpu, budget: 2000, period: 10000, extratime: false })) } },
    ]);
    expect(w.emitted('done')?.[0]).toEqual(['every vCPU: RTDS budget 2000 µs, period 10000 µs, extratime off']);
    answer = () => {
      throw new Error('VCPU budget must be smaller than or equal to period, but 20000 > 10000');
    };
    await w.find('input[aria-label="budget (µs)"]').setValue('20000');
    await w.find('form').trigger('submit');
    await flushPromises();
    expect(w.emitted('failed')?.[0]?.[0]).toBe('xl sched-rtds -d web1 -v all');
  });

  it('vcpu-set sends the count', async () => {
    const w = mount(VcpuCountForm, { props: { hostId: 'lab1', domain: DOM } });
    await w.find('input').setValue('4');
    await w.find('form').trigger('submit');
    await flushPromises();
    expect(requests).toEqual([{ method: 'domain.setOnlineVcpus', params: { hostId: 'lab1', domain: 3, count: 4 } }]);
    expect(w.emitted('done')?.[0]).toEqual(['4 vCPU(s) online']);
  });
});
