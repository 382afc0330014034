import { describe, expect, it } from 'vitest';
import { boot, cpuTime, guest, run, topo } from './helpers';
import { Xen } from '../../../../engine/hypervisor/xen';
import type { NullScheduler } from '../../../../engine/hypervisor/sched/null';
import type { Unit } from '../../../../engine/hypervisor/sched/core';
import { errno } from '../errno-of';

describe('CPU pools', () => {
  it('boots Pool-0 with every pCPU and dom0, scheduled by credit2 unless sched= says otherwise', () => {
    const x = boot('credit2', topo(1, 4));
    expect(x.hypercall({ op: 'sysctl.cpupool_op.list' })).toEqual([{ poolId: 0, name: 'Pool-0', sched: 'credit2', schedId: 6, nDom: 1, cpus: [0, 1, 2, 3] }]);
    expect(x.hypercall({ op: 'sysctl.cpupool_op.freeinfo' }).cpus).toEqual([]);
    expect(x.hypercall({ op: 'domctl.getdomaininfo', domid: 0 }).cpupoolId).toBe(0);
    expect(x.hypercall({ op: 'sysctl.readconsole' }).text).toContain('(XEN) Using scheduler: SMP Credit Scheduler rev2 (credit2)');
    const y = Xen.boot({ seed: 1, topology: topo(1, 2), sched: 'credit' });
    expect(y.hypercall({ op: 'sysctl.cpupool_op.info', poolId: 0 }).sched).toBe('credit');
    const z = Xen.boot({ seed: 1, topology: topo(1, 2), sched: 'rtds', kconfig: { SCHED_RTDS: false } });
    expect(z.hypercall({ op: 'sysctl.cpupool_op.info', poolId: 0 }).sched).toBe('credit2');
    expect(z.hypercall({ op: 'sysctl.readconsole' }).text).toContain('Could not find scheduler: rtds');
  });

  it('creates, fills, renames, empties and destroys a pool, with Xen’s refusals changing nothing', () => {
    const x = boot('credit2', topo(1, 4));
    const snapshot = (): string => JSON.stringify([x.hypercall({ op: 'sysctl.cpupool_op.list' }), x.hypercall({ op: 'sysctl.cpupool_op.freeinfo' })]);
    expect(errno(() => x.hypercall({ op: 'sysctl.cpupool_op.create', name: 'p', cpus: [3] }))).toBe('ENODEV'); // not free
    x.hypercall({ op: 'sysctl.cpupool_op.rmcpu', poolId: 0, cpus: [2, 3] });
    expect(x.hypercall({ op: 'sysctl.cpupool_op.freeinfo' }).cpus).toEqual([2, 3]);
    const { poolId } = x.hypercall({ op: 'sysctl.cpupool_op.create', name: 'rt', sched: 'rtds', cpus: [2] });
    expect(poolId).toBe(1);
    let before = snapshot();
    expect(errno(() => x.hypercall({ op: 'sysctl.cpupool_op.create', name: 'rt' }))).toBe('EEXIST');
    expect(errno(() => x.hypercall({ op: 'sysctl.cpupool_op.create', name: 'other', poolId: 1 }))).toBe('EEXIST');
    expect(errno(() => x.hypercall({ op: 'sysctl.cpupool_op.addcpu', poolId: 1, cpus: [1] }))).toBe('ENODEV');
    expect(errno(() => x.hypercall({ op: 'sysctl.cpupool_op.addcpu', poolId: 1, cpus: [9] }))).toBe('EINVAL');
    expect(errno(() => x.hypercall({ op: 'sysctl.cpupool_op.addcpu', poolId: 7, cpus: [3] }))).toBe('ENOENT');
    expect(errno(() => x.hypercall({ op: 'sysctl.cpupool_op.rmcpu', poolId: 0, cpus: [0] }))).toBe('EINVAL'); // CPU 0 of Pool-0
    expect(errno(() => x.hypercall({ op: 'sysctl.cpupool_op.rmcpu', poolId: 1, cpus: [3] }))).toBe('EINVAL'); // not in it
    expect(errno(() => x.hypercall({ op: 'sysctl.cpupool_op.rename', poolId: 1, name: 'Pool-0' }))).toBe('EEXIST');
    expect(errno(() => x.hypercall({ op: 'sysctl.cpupool_op.movedomain', poolId: 1, domid: 0 }))).toBe('EPERM');
    expect(errno(() => x.hypercall({ op: 'sysctl.cpupool_op.movedomain', poolId: 1, domid: 99 }))).toBe('ESRCH');
    expect(snapshot()).toBe(before);

    const d = guest(x, 'g', { vcpus: 2, workload: { kind: 'cpu' } });
    x.hypercall({ op: 'sysctl.cpupool_op.movedomain', poolId: 1, domid: d });
    expect(x.hypercall({ op: 'domctl.getdomaininfo', domid: d }).cpupoolId).toBe(1);
    x.hypercall({ op: 'sysctl.cpupool_op.addcpu', poolId: 1, cpus: [3] });
    x.hypercall({ op: 'sysctl.cpupool_op.rename', poolId: 1, name: 'realtime' });
    expect(x.hypercall({ op: 'sysctl.cpupool_op.info', poolId: 1 })).toEqual({ poolId: 1, name: 'realtime', sched: 'rtds', schedId: 8, nDom: 1, cpus: [2, 3] });
    run(x, 1);
    for (const v of x.hypercall({ op: 'domctl.getvcpuinfo', domid: d })) expect([2, 3]).toContain(v.cpu);
    // 4 ms every 10 ms each, extratime on: the two vCPUs use both pCPUs fully
    expect(cpuTime(x, d) / 1e9).toBeGreaterThan(1.95);

    before = snapshot();
    expect(errno(() => x.hypercall({ op: 'sysctl.cpupool_op.destroy', poolId: 1 }))).toBe('EBUSY'); // has a domain
    expect(errno(() => x.hypercall({ op: 'sysctl.cpupool_op.rmcpu', poolId: 1, cpus: [2, 3] }))).toBe('EBUSY'); // last CPUs, a domain
    expect(errno(() => x.hypercall({ op: 'sysctl.cpupool_op.destroy', poolId: 0 }))).toBe('EINVAL');
    expect(snapshot()).toBe(before);
    x.hypercall({ op: 'sysctl.cpupool_op.rmcpu', poolId: 1, cpus: [3] });
    x.hypercall({ op: 'domctl.destroydomain', domid: d });
    expect(errno(() => x.hypercall({ op: 'sysctl.cpupool_op.destroy', poolId: 1 }))).toBe('EBUSY'); // still has a CPU
    x.hypercall({ op: 'sysctl.cpupool_op.rmcpu', poolId: 1, cpus: [2] });
    expect(errno(() => x.hypercall({ op: 'sysctl.cpupool_op.movedomain', poolId: 1, domid: 0 }))).toBe('ENOENT'); // no CPUs
    x.hypercall({ op: 'sysctl.cpupool_op.destroy', poolId: 1 });
    x.hypercall({ op: 'sysctl.cpupool_op.addcpu', poolId: 0, cpus: [2, 3] });
    expect(x.hypercall({ op: 'sysctl.cpupool_op.list' })).toEqual([{ poolId: 0, name: 'Pool-0', sched: 'credit2', schedId: 6, nDom: 1, cpus: [0, 1, 2, 3] }]);
  });

  it('moves a domain between pools: its vCPUs follow, each pool keeps its own parameters', () => {
    const x = boot('credit2', topo(1, 4));
    x.hypercall({ op: 'sysctl.cpupool_op.rmcpu', poolId: 0, cpus: [2, 3] });
    const { poolId } = x.hypercall({ op: 'sysctl.cpupool_op.create', name: 'c1', sched: 'credit', cpus: [2, 3] });
    x.hypercall({ op: 'sysctl.scheduler_op', poolId, sched: 'credit', cmd: 'putinfo', params: { tsliceMs: 10, ratelimitUs: 500 } });
    x.hypercall({ op: 'sysctl.scheduler_op', poolId: 0, cmd: 'putinfo', params: { ratelimitUs: 2000 } });
    expect(x.hypercall({ op: 'sysctl.scheduler_op', poolId, cmd: 'getinfo' })).toEqual({ tsliceMs: 10, ratelimitUs: 500, vcpuMigrDelayUs: 0 });
    expect(x.hypercall({ op: 'sysctl.scheduler_op', poolId: 0, cmd: 'getinfo' })).toEqual({ ratelimitUs: 2000 });
    expect(errno(() => x.hypercall({ op: 'sysctl.scheduler_op', poolId, cmd: 'putinfo', params: { ratelimitUs: 50 } }))).toBe('EINVAL');
    expect(errno(() => x.hypercall({ op: 'sysctl.scheduler_op', poolId, cmd: 'putinfo', params: { tsliceMs: 1, ratelimitUs: 5000 } }))).toBe('EINVAL');
    expect(errno(() => x.hypercall({ op: 'sysctl.scheduler_op', poolId: 0, cmd: 'putinfo', params: { tsliceMs: 5 } }))).toBe('EINVAL');
    const d = guest(x, 'g', { vcpus: 2, workload: { kind: 'io', burnUs: 400, blockUs: 400 } });
    x.hypercall({ op: 'domctl.scheduler_op', domid: d, cmd: 'putinfo', params: { weight: 512, cap: 150 } });
    expect(x.hypercall({ op: 'domctl.scheduler_op', domid: d, cmd: 'getinfo' }).params).toEqual({ weight: 512, cap: 150 });
    expect(errno(() => x.hypercall({ op: 'domctl.scheduler_op', domid: d, cmd: 'putinfo', params: { cap: 201 } }))).toBe('EINVAL');
    expect(errno(() => x.hypercall({ op: 'domctl.scheduler_op', domid: d, cmd: 'putinfo', params: { weight: 70000 } }))).toBe('EINVAL');
    run(x, 0.5);
    x.hypercall({ op: 'sysctl.cpupool_op.movedomain', poolId, domid: d });
    // a new scheduler: its defaults
    expect(x.hypercall({ op: 'domctl.scheduler_op', domid: d, sched: 'credit', cmd: 'getinfo' }).params).toEqual({ weight: 256, cap: 0 });
    const t0 = cpuTime(x, d);
    run(x, 1);
    expect(cpuTime(x, d)).toBeGreaterThan(t0 + 0.5e9);
    for (const v of x.hypercall({ op: 'domctl.getvcpuinfo', domid: d })) expect([2, 3]).toContain(v.cpu);
    // hard affinity must meet the pool's pCPUs
    expect(errno(() => x.hypercall({ op: 'domctl.setvcpuaffinity', domid: d, vcpu: 0, hard: [0, 1] }))).toBe('EINVAL');
  });
});

describe('the null scheduler', () => {
  it('runs one vCPU per pCPU, statically; the rest wait until a pCPU frees', () => {
    const x = boot('credit2', topo(1, 4));
    x.hypercall({ op: 'sysctl.cpupool_op.rmcpu', poolId: 0, cpus: [2, 3] });
    const { poolId } = x.hypercall({ op: 'sysctl.cpupool_op.create', name: 'static', sched: 'null', cpus: [2, 3] });
    const a = guest(x, 'a', { pool: poolId, workload: { kind: 'cpu' } });
    const b = guest(x, 'b', { pool: poolId, workload: { kind: 'io', burnUs: 500, blockUs: 500 } });
    const c = guest(x, 'c', { pool: poolId, workload: { kind: 'cpu' } });
    run(x, 1);
    const s = x.pools.pool(poolId).sched as NullScheduler;
    expect(s.waitq.map((u) => u.domid)).toEqual([c]);
    expect(cpuTime(x, a) / 1e9).toBeCloseTo(1, 2);
    expect(cpuTime(x, b) / 1e9).toBeGreaterThan(0.4);
    expect(cpuTime(x, b) / 1e9).toBeLessThan(0.6); // its pCPU idles while it blocks
    expect(cpuTime(x, c)).toBe(0);
    const cpuOfA = x.hypercall({ op: 'domctl.getvcpuinfo', domid: a })[0]!.cpu;
    x.hypercall({ op: 'domctl.destroydomain', domid: a });
    run(x, 1);
    expect(cpuTime(x, c) / 1e9).toBeCloseTo(1, 2);
    expect(x.hypercall({ op: 'domctl.getvcpuinfo', domid: c })[0]!.cpu).toBe(cpuOfA);
    expect(s.waitq).toEqual([]);
  });
});

describe("a unit's scheduler (the core's slot in its vCPU row)", () => {
  it('is its pool\'s through moves, and a destroyed pool\'s slot serves the next pool', () => {
    const x = boot('credit2', topo(1, 4));
    const d = guest(x, 'd', { vcpus: 2, workload: { kind: 'io', burnUs: 300, blockUs: 300 } });
    const units = (): Unit[] => x.pools.unitsOfDomid(d);
    const pool0 = x.pools.pool(0).sched;
    expect(units().every((u) => u.sched === pool0)).toBe(true);
    x.hypercall({ op: 'sysctl.cpupool_op.rmcpu', poolId: 0, cpus: [2, 3] });
    const p1 = x.hypercall({ op: 'sysctl.cpupool_op.create', name: 'rt', sched: 'rtds', cpus: [2, 3] }).poolId;
    x.hypercall({ op: 'sysctl.cpupool_op.movedomain', poolId: p1, domid: d });
    run(x, 0.2);
    const rt = x.pools.pool(p1).sched;
    expect(units().every((u) => u.sched === rt && u.runnable() === (u.vcpu.runstate !== 'blocked'))).toBe(true);
    x.hypercall({ op: 'sysctl.cpupool_op.movedomain', poolId: 0, domid: d });
    x.hypercall({ op: 'sysctl.cpupool_op.rmcpu', poolId: p1, cpus: [2, 3] });
    x.hypercall({ op: 'sysctl.cpupool_op.destroy', poolId: p1 });
    const p2 = x.hypercall({ op: 'sysctl.cpupool_op.create', name: 'static', sched: 'null', cpus: [2, 3] }).poolId;
    x.hypercall({ op: 'sysctl.cpupool_op.movedomain', poolId: p2, domid: d });
    const nul = x.pools.pool(p2).sched;
    expect(nul).not.toBe(rt);
    expect(units().every((u) => u.sched === nul)).toBe(true);
    const t0 = cpuTime(x, d);
    run(x, 0.5);
    expect(cpuTime(x, d)).toBeGreaterThan(t0);
    // running units are on the pool's pCPUs, as the row says
    for (const u of units()) if (u.isRunning) expect([2, 3]).toContain(u.pcpu);
    const gone = units();
    x.hypercall({ op: 'domctl.destroydomain', domid: d });
    for (const u of gone) {
      expect(u.sched).toBeNull();
      expect(u.pcpu).toBe(-1);
    }
  });
});
