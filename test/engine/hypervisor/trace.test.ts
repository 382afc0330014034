import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Xen } from '../../../engine/hypervisor/xen';
import { MILLISECS } from '../../../engine/hypervisor/clock';
import { XenError } from '../../../engine/hypervisor/errno';
import { findPreset } from '../../../engine/hypervisor/host-presets';
import { TraceHash, type XenEvent } from '../../../engine/hypervisor/trace';

const boot = (seed: number): Xen => Xen.boot({ seed, topology: findPreset('small-lab')!.topology });

describe('the hypervisor event stream', () => {
  it('records domain life-cycle changes as they happen, with shutdown reasons', () => {
    const x = boot(3);
    const seen: XenEvent[] = [];
    x.events.subscribe((e) => seen.push(e));
    const { domid, uuid } = x.hypercall({ op: 'domctl.createdomain', type: 'pv', maxVcpus: 2, name: 'web1' });
    x.hypercall({ op: 'domctl.pausedomain', domid });
    x.hypercall({ op: 'domctl.pausedomain', domid });
    x.hypercall({ op: 'domctl.unpausedomain', domid });
    x.clock.runFor(MILLISECS(5));
    x.hypercall({ op: 'domctl.shutdown', domid, reason: 'crash' });
    x.hypercall({ op: 'domctl.destroydomain', domid });
    expect(seen).toEqual([
      { kind: 'domain.created', at: 0, domid, uuid, name: 'web1', type: 'pv', maxVcpus: 2 },
      { kind: 'domain.state', at: 0, domid, state: 'paused', pauseCount: 1 },
      { kind: 'domain.state', at: 0, domid, state: 'paused', pauseCount: 2 },
      { kind: 'domain.state', at: 0, domid, state: 'paused', pauseCount: 1 },
      { kind: 'domain.state', at: MILLISECS(5), domid, state: 'shutdown', pauseCount: 1, reason: 'crash' },
      { kind: 'domain.destroyed', at: MILLISECS(5), domid },
    ]);
  });

  it('a failed call emits nothing', () => {
    const x = boot(3);
    const seen: XenEvent[] = [];
    x.events.subscribe((e) => seen.push(e));
    expect(() => x.hypercall({ op: 'domctl.unpausedomain', domid: 0 })).toThrow(XenError);
    expect(() => x.hypercall({ op: 'domctl.pausedomain', domid: 42 })).toThrow(XenError);
    expect(seen).toEqual([]);
  });

  it('summarises runstates per period: each domain accounts for every vCPU for the whole period', () => {
    const x = boot(5);
    const { domid } = x.hypercall({ op: 'domctl.createdomain', type: 'pvh', maxVcpus: 3 });
    x.hypercall({ op: 'sim.set_workload', domid, vcpu: 'all', workload: { kind: 'io', burnUs: 1000, blockUs: 3000 } });
    const seen: XenEvent[] = [];
    const stop = x.events.subscribe((e) => seen.push(e), { sampleEvery: MILLISECS(10) });
    x.clock.runFor(MILLISECS(35));
    const sums = seen.filter((e): e is Extract<XenEvent, { kind: 'runstate.summary' }> => e.kind === 'runstate.summary');
    expect(sums.map((s) => s.at)).toEqual([MILLISECS(10), MILLISECS(20), MILLISECS(30)]);
    for (const s of sums) {
      const d = s.domains.find((r) => r.domid === domid)!;
      const total = d.ns.running + d.ns.runnable + d.ns.blocked + d.ns.offline;
      expect(total).toBe(3 * MILLISECS(10));
      expect(d.ns.running).toBeGreaterThan(0);
      expect(d.ns.blocked).toBeGreaterThan(0);
    }
    const stats = seen.filter((e): e is Extract<XenEvent, { kind: 'host.stats' }> => e.kind === 'host.stats');
    expect(stats).toHaveLength(3);
    expect(stats[0]!.nrDomains).toBe(2);
    expect(stats[0]!.busyNs).toBeLessThanOrEqual(stats[0]!.nrCpus * MILLISECS(10));
    stop();
    const n = seen.length;
    x.clock.runFor(MILLISECS(50));
    expect(seen.length).toBe(n);
    expect(x.events.active).toBe(false);
  });

  it('replays: the same seed and calls give the same event-trace hash; another seed does not', () => {
    const run = (seed: number, ops: [number, number][]): string => {
      const x = boot(seed);
      const hash = new TraceHash();
      x.events.subscribe((e) => hash.add(e), { sampleEvery: MILLISECS(2) });
      for (const [kind, arg] of ops) {
        const live = x.hypercall({ op: 'sysctl.getdomaininfolist' }).map((d) => d.domid);
        const target = live[arg % live.length]!;
        try {
          if (kind === 0) {
            const { domid } = x.hypercall({ op: 'domctl.createdomain', type: 'pvh', maxVcpus: 1 + (arg % 3) });
            x.hypercall({ op: 'sim.set_workload', domid, vcpu: 'all', workload: arg % 2 ? { kind: 'cpu' } : { kind: 'latency', idleUs: 300 + arg, burstUs: 50 } });
          } else if (kind === 1) x.hypercall({ op: 'domctl.destroydomain', domid: target });
          else if (kind === 2) x.hypercall({ op: 'domctl.pausedomain', domid: target });
          else if (kind === 3) x.hypercall({ op: 'domctl.unpausedomain', domid: target });
          else x.hypercall({ op: 'domctl.shutdown', domid: target, reason: 'poweroff' });
        } catch (e) {
          expect(e).toBeInstanceOf(XenError);
        }
        x.clock.runFor(MILLISECS(1 + (arg % 4)));
      }
      return `${hash.hex}/${hash.count}`;
    };
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 999 })), { minLength: 1, maxLength: 25 }), (ops) => {
        expect(run(7, ops)).toBe(run(7, ops));
      }),
      { numRuns: 25 },
    );
    const ops: [number, number][] = [[0, 1], [0, 2], [2, 1]];
    expect(run(7, ops)).not.toBe(run(8, ops));
  });
});
