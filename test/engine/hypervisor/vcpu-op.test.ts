import { describe, expect, it } from 'vitest';
import { MILLISECS } from '../../../engine/hypervisor/clock';
import { findPreset } from '../../../engine/hypervisor/host-presets';
import { Xen } from '../../../engine/hypervisor/xen';

const boot = (): Xen => Xen.boot({ seed: 3, topology: findPreset('small-lab')!.topology });

describe('VCPUOP_up / VCPUOP_down and decrease_reservation', () => {
  it('a vCPU taken down stops running and accounts its time as offline; up brings it back', () => {
    const x = boot();
    const { domid } = x.hypercall({ op: 'domctl.createdomain', type: 'pvh', maxVcpus: 3 });
    x.hypercall({ op: 'sim.set_workload', domid, vcpu: 'all', workload: { kind: 'cpu' } });
    x.clock.runFor(MILLISECS(10));
    x.hypercall({ op: 'vcpu_op.down', domid, vcpu: 2 });
    x.clock.runFor(MILLISECS(10));
    const v = x.hypercall({ op: 'domctl.getvcpuinfo', domid });
    expect(v.map((i) => i.online)).toEqual([true, true, false]);
    expect(v[2]!.runstate).toBe('offline');
    expect(x.hypercall({ op: 'domctl.getdomaininfo', domid }).nrOnlineVcpus).toBe(2);
    const t = v[2]!.cpuTime;
    x.clock.runFor(MILLISECS(10));
    expect(x.hypercall({ op: 'domctl.getvcpuinfo', domid })[2]!.cpuTime).toBe(t);
    x.hypercall({ op: 'vcpu_op.up', domid, vcpu: 2 });
    x.clock.runFor(MILLISECS(10));
    expect(x.hypercall({ op: 'domctl.getvcpuinfo', domid })[2]!.cpuTime).toBeGreaterThan(t);
    expect(() => x.hypercall({ op: 'vcpu_op.up', domid, vcpu: 3 })).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('decrease_reservation frees exactly what is asked, shattering superpages, and the heap gets it back', () => {
    const x = boot();
    const { domid } = x.hypercall({ op: 'domctl.createdomain', type: 'pvh', maxVcpus: 1 });
    const free0 = x.heap.freePages();
    x.hypercall({ op: 'memory_op.populate_physmap', domid, pages: 2 ** 18 }); // 1 GiB: one 1G extent
    expect(x.hypercall({ op: 'memory_op.decrease_reservation', domid, pages: 512 }).pages).toBe(512);
    expect(x.hypercall({ op: 'memory_op.decrease_reservation', domid, pages: 3 }).pages).toBe(3);
    expect(x.hypercall({ op: 'domctl.getdomaininfo', domid }).totPages).toBe(2 ** 18 - 515);
    expect(x.heap.freePages()).toBe(free0 - 2 ** 18 + 515);
    // and it grows again, then everything goes back on destroy
    x.hypercall({ op: 'memory_op.populate_physmap', domid, pages: 515 });
    expect(x.hypercall({ op: 'domctl.getdomaininfo', domid }).totPages).toBe(2 ** 18);
    x.hypercall({ op: 'domctl.destroydomain', domid });
    expect(x.heap.freePages()).toBe(free0);
  });
});
