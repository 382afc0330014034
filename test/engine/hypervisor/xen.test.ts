import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Xen, PAGE_KIB } from '../../../engine/hypervisor/xen';
import { XenError } from '../../../engine/hypervisor/errno';
import { findPreset } from '../../../engine/hypervisor/host-presets';
import { createHash } from 'node:crypto';
import { errno } from './errno-of';

const lab = () => Xen.boot({ seed: 7, topology: findPreset('small-lab')!.topology, cpuMhz: findPreset('small-lab')!.cpuMhz, dom0MemMiB: 1024 });

describe('Xen host', () => {
  it('boots dom0 with dom0_mem and prints (XEN) lines for xl dmesg', () => {
    const x = lab();
    const d0 = x.hypercall({ op: 'domctl.getdomaininfo', domid: 0 });
    expect(d0.name).toBe('Domain-0');
    expect(d0.totPages * PAGE_KIB).toBe(1024 * 1024);
    expect(d0.nrOnlineVcpus).toBe(4);
    const dmesg = x.hypercall({ op: 'sysctl.readconsole' }).text;
    expect(dmesg).toMatch(/^\(XEN\) Xen version 4\.17/);
    expect(dmesg).toContain('(XEN) Brought up 8 CPUs\n');
    const pi = x.hypercall({ op: 'sysctl.physinfo' });
    expect(pi).toMatchObject({ nrCpus: 8, threadsPerCore: 2, coresPerSocket: 4, nrNodes: 1, cpuKhz: 3_000_000 });
    expect(pi.totalPages - pi.freePages).toBe(d0.totPages);
  });

  it('creates, populates with superpages, pauses and destroys a domain, freeing every frame', () => {
    const x = lab();
    const free0 = x.hypercall({ op: 'sysctl.physinfo' }).freePages;
    const { domid } = x.hypercall({ op: 'domctl.createdomain', type: 'pv', maxVcpus: 2, name: 'vm1' });
    expect(domid).toBe(1);
    x.hypercall({ op: 'domctl.max_mem', domid, maxKiB: 512 * 1024 });
    x.hypercall({ op: 'memory_op.populate_physmap', domid, pages: (512 * 1024) / PAGE_KIB });
    expect(x.hypercall({ op: 'domctl.getdomaininfo', domid }).totPages).toBe(131072);
    x.hypercall({ op: 'domctl.pausedomain', domid });
    expect(x.hypercall({ op: 'domctl.getdomaininfo', domid }).flags.paused).toBe(true);
    x.hypercall({ op: 'domctl.destroydomain', domid });
    expect(errno(() => x.hypercall({ op: 'domctl.getdomaininfo', domid }))).toBe('ESRCH');
    expect(x.hypercall({ op: 'sysctl.physinfo' }).freePages).toBe(free0);
  });

  it('refuses bad calls with Xen errno and changes nothing', () => {
    const x = lab();
    const before = JSON.stringify(x.hypercall({ op: 'sysctl.getdomaininfolist' }));
    expect(errno(() => x.hypercall({ op: 'domctl.pausedomain', domid: 42 }))).toBe('ESRCH');
    expect(errno(() => x.hypercall({ op: 'domctl.unpausedomain', domid: 0 }))).toBe('EINVAL');
    expect(errno(() => x.hypercall({ op: 'domctl.createdomain', type: 'hvm', maxVcpus: 129 }))).toBe('EINVAL');
    expect(errno(() => x.hypercall({ op: 'domctl.setvcpuaffinity', domid: 0, vcpu: 0, hard: [8] }))).toBe('EINVAL');
    expect(errno(() => x.hypercall({ op: 'memory_op.populate_physmap', domid: 0, pages: 1e12 }))).toBe('ENOMEM');
    expect(errno(() => x.hypercall({ op: 'domctl.destroydomain', domid: 0 }))).toBe('EINVAL');
    expect(JSON.stringify(x.hypercall({ op: 'sysctl.getdomaininfolist' }))).toBe(before);
  });

  it('refuses HVM guests on a build without CONFIG_HVM (EOPNOTSUPP)', () => {
    const x = Xen.boot({ seed: 1, topology: findPreset('small-lab')!.topology, kconfig: { HVM: false, MEM_ACCESS: false } });
    expect(errno(() => x.hypercall({ op: 'domctl.createdomain', type: 'hvm', maxVcpus: 1 }))).toBe('EOPNOTSUPP');
    expect(x.hypercall({ op: 'domctl.createdomain', type: 'pv', maxVcpus: 1 }).domid).toBe(1);
  });

  it('keeps frames accounted and domids unique over random call sequences, and replays from its seed', () => {
    const run = (seed: number, ops: [number, number][]): string => {
      const x = Xen.boot({ seed, topology: findPreset('small-lab')!.topology });
      const h = createHash('sha256');
      for (const [kind, arg] of ops) {
        try {
          const live = x.hypercall({ op: 'sysctl.getdomaininfolist' }).map((d) => d.domid);
          const target = live[arg % live.length]!;
          if (kind === 0) {
            const r = x.hypercall({ op: 'domctl.createdomain', type: 'pvh', maxVcpus: 1 + (arg % 4) });
            x.hypercall({ op: 'memory_op.populate_physmap', domid: r.domid, pages: 1 + arg * 97 });
            h.update(r.uuid);
          } else if (kind === 1) x.hypercall({ op: 'domctl.destroydomain', domid: target });
          else if (kind === 2) x.hypercall({ op: 'domctl.pausedomain', domid: target });
          else x.hypercall({ op: 'memory_op.decrease_reservation', domid: target, pages: arg });
        } catch (e) {
          expect(e).toBeInstanceOf(XenError);
          h.update((e as XenError).code);
        }
        const list = x.hypercall({ op: 'sysctl.getdomaininfolist' });
        const pi = x.hypercall({ op: 'sysctl.physinfo' });
        expect(list.reduce((a, d) => a + d.totPages, 0) + pi.freePages).toBe(pi.totalPages);
        expect(new Set(list.map((d) => d.domid)).size).toBe(list.length);
      }
      return h.digest('hex');
    };
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 5000 })), { maxLength: 40 }), (ops) => {
        expect(run(11, ops)).toBe(run(11, ops));
      }),
      { numRuns: 40 },
    );
  });
});
