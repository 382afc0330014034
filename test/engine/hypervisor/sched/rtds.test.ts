import { describe, expect, it } from 'vitest';
import { boot, cpuTime, guest, poolOn, run } from './helpers';
import { errno } from '../errno-of';
import type { Xen } from '../../../../engine/hypervisor/xen';
import { MICROSECS } from '../../../../engine/hypervisor/clock';

const rtds = (x: Xen, domid: number, period: number, budget: number, extratime = false): void => {
  x.hypercall({ op: 'domctl.scheduler_op', domid, sched: 'rtds', cmd: 'putvcpuinfo', vcpus: [{ vcpu: 0, period, budget, extratime }] });
};
const misses = (x: Xen, domid: number): number => x.hypercall({ op: 'sim.sched_metrics', domid }).domains[0]!.deadlineMisses;

describe('RTDS', () => {
  it('gives a 4 ms / 10 ms vCPU at least 40% with no deadline miss while the set is schedulable', () => {
    const x = boot('credit2');
    const pool = poolOn(x, 'rt', 'rtds', [1]);
    const a = guest(x, 'a', { pool, workload: { kind: 'cpu' } });
    const b = guest(x, 'b', { pool, workload: { kind: 'cpu' } });
    rtds(x, a, 10000, 4000);
    rtds(x, b, 10000, 5000); // 90% in all
    run(x, 10);
    expect(cpuTime(x, a) / 10e9).toBeGreaterThanOrEqual(0.399);
    expect(cpuTime(x, b) / 10e9).toBeGreaterThanOrEqual(0.499);
    expect(misses(x, a)).toBe(0);
    expect(misses(x, b)).toBe(0);
  });

  it('counts deadline misses when the set is not schedulable', () => {
    const x = boot('credit2');
    const pool = poolOn(x, 'rt', 'rtds', [1]);
    const ds = [0, 1, 2].map((i) => guest(x, `g${i}`, { pool, workload: { kind: 'cpu' } }));
    for (const d of ds) rtds(x, d, 10000, 4000); // 120% of one pCPU
    run(x, 5);
    const total = ds.reduce((a, d) => a + misses(x, d), 0);
    expect(total).toBeGreaterThan(100);
  });

  it('lets an extratime vCPU use spare time, below those within their budget', () => {
    const x = boot('credit2');
    const pool = poolOn(x, 'rt', 'rtds', [1]);
    const a = guest(x, 'a', { pool, workload: { kind: 'cpu' } });
    const b = guest(x, 'b', { pool, workload: { kind: 'cpu' } });
    rtds(x, a, 10000, 2000, true);
    rtds(x, b, 10000, 6000, false);
    run(x, 5);
    expect(cpuTime(x, b) / 5e9).toBeGreaterThanOrEqual(0.599);
    expect(cpuTime(x, b) / 5e9).toBeLessThanOrEqual(0.601);
    expect(cpuTime(x, a) / 5e9).toBeGreaterThan(0.39); // its 20% plus the spare 20%
    expect(misses(x, b)).toBe(0);
  });

  it('keeps the periodic real-time job deadlines of a schedulable set', () => {
    const x = boot('credit2');
    const pool = poolOn(x, 'rt', 'rtds', [1]);
    const a = guest(x, 'a', { pool, workload: { kind: 'rt', periodUs: 10000, execUs: 3000 } });
    guest(x, 'hog', { pool, workload: { kind: 'cpu' } });
    rtds(x, a, 10000, 4000);
    run(x, 5);
    const m = x.hypercall({ op: 'sim.sched_metrics', domid: a }).domains[0]!;
    expect(m.jobMisses).toBe(0);
    expect(m.cpuTime / 5e9).toBeCloseTo(0.3, 2);
  });

  it('has Xen’s defaults and refusals for per-vCPU parameters (µs)', () => {
    const x = boot('rtds');
    const a = guest(x, 'a', { vcpus: 2 });
    expect(x.hypercall({ op: 'domctl.scheduler_op', domid: a, cmd: 'getinfo' }).params).toEqual({ period: 10000, budget: 4000 });
    expect(x.hypercall({ op: 'domctl.scheduler_op', domid: a, cmd: 'getvcpuinfo', vcpus: [0, 1] }).vcpus).toEqual([
      { vcpu: 0, period: 10000, budget: 4000, extratime: true },
      { vcpu: 1, period: 10000, budget: 4000, extratime: true },
    ]);
    expect(errno(() => rtds(x, a, 1000, 2000))).toBe('EINVAL'); // budget > period
    expect(errno(() => rtds(x, a, 5, 5))).toBe('EINVAL'); // below 10 µs
    expect(errno(() => x.hypercall({ op: 'domctl.scheduler_op', domid: a, cmd: 'putvcpuinfo', vcpus: [{ vcpu: 0, period: 20000, budget: 1000, extratime: false }, { vcpu: 7, period: 20000, budget: 1000, extratime: false }] }))).toBe('EINVAL');
    // the refused call changed nothing
    expect(x.hypercall({ op: 'domctl.scheduler_op', domid: a, cmd: 'getvcpuinfo', vcpus: [0] }).vcpus![0]!.period).toBe(10000);
    expect(errno(() => x.hypercall({ op: 'domctl.scheduler_op', domid: a, sched: 'credit', cmd: 'getinfo' }))).toBe('EINVAL');
    x.hypercall({ op: 'domctl.scheduler_op', domid: a, cmd: 'putinfo', params: { period: 20000, budget: 5000, extratime: false } });
    expect(x.hypercall({ op: 'domctl.scheduler_op', domid: a, cmd: 'getvcpuinfo', vcpus: [1] }).vcpus).toEqual([{ vcpu: 1, period: 20000, budget: 5000, extratime: true }]);
  });

  // rt_dom_cntl()'s XEN_DOMCTL_SCHEDOP_putinfo (4.17): EINVAL for a 0 period or budget and
  // nothing else; every unit's period and budget set (µs -> ns), its extratime flag never
  // touched (rt_alloc_udata sets it on every new unit; only putvcpuinfo changes it). The
  // ranges are libxl's (sched_rtds_domain_set) and putvcpuinfo's, not putinfo's.
  it('putinfo refuses only a 0 period or budget, sets every vCPU and leaves extratime', () => {
    const x = boot('rtds');
    const a = guest(x, 'a', { vcpus: 2 });
    const vcpus = (): unknown => x.hypercall({ op: 'domctl.scheduler_op', domid: a, cmd: 'getvcpuinfo', vcpus: [0, 1] }).vcpus;
    x.hypercall({ op: 'domctl.scheduler_op', domid: a, cmd: 'putvcpuinfo', vcpus: [{ vcpu: 1, period: 10000, budget: 4000, extratime: false }] });
    const put = (period: number, budget: number, extratime?: boolean): void => {
      x.hypercall({ op: 'domctl.scheduler_op', domid: a, cmd: 'putinfo', params: { period, budget, ...(extratime === undefined ? {} : { extratime }) } });
    };
    expect(errno(() => put(0, 100))).toBe('EINVAL');
    expect(errno(() => put(100, 0))).toBe('EINVAL');
    expect(vcpus()).toEqual([
      { vcpu: 0, period: 10000, budget: 4000, extratime: true },
      { vcpu: 1, period: 10000, budget: 4000, extratime: false },
    ]);
    // under putvcpuinfo's 10 µs and a budget above the period: Xen sets them
    put(5, 5, false);
    expect(vcpus()).toEqual([
      { vcpu: 0, period: 5, budget: 5, extratime: true },
      { vcpu: 1, period: 5, budget: 5, extratime: false },
    ]);
    put(1000, 2000, true);
    expect(vcpus()).toEqual([
      { vcpu: 0, period: 1000, budget: 2000, extratime: true },
      { vcpu: 1, period: 1000, budget: 2000, extratime: false },
    ]);
    // the unit keeps running with them: its budget (2 ms) is refilled every 1 ms period
    x.hypercall({ op: 'sim.set_workload', domid: a, vcpu: 'all', workload: { kind: 'cpu' } });
    run(x, 0.05);
    expect(cpuTime(x, a)).toBeGreaterThan(0);
  });
});

describe('RTDS replenishment queue order', () => {
  // rt.c's deadline_queue_insert() places a unit in the replq with
  // compare_unit_priority(): priority level first, then deadline. A vCPU that wakes while
  // on extratime (level 1) in its period goes after every level-0 vCPU, even one whose
  // deadline is later, and is refilled only once those are.
  it('queues a vCPU woken at priority level 1 after level-0 vCPUs with later deadlines', () => {
    const x = boot('rtds', { sockets: 1, coresPerSocket: 3, threadsPerCore: 1, memoryMiB: 64 * 1024, x2apic: true });
    const pool = poolOn(x, 'rt', 'rtds', [1, 2]);
    // X: 1 ms of budget a 20 ms period, extratime; its jobs burn 2 ms every 5 ms
    const xd = guest(x, 'x', { pool, workload: { kind: 'rt', periodUs: 5000, execUs: 2000 } });
    rtds(x, xd, 20000, 1000, true);
    // Y: CPU-bound, 4 ms a 40 ms period, no extratime: depleted, level 0 in the replq
    const yd = guest(x, 'y', { pool, workload: { kind: 'cpu' } });
    rtds(x, yd, 40000, 4000, false);
    // from the first refill (10 ms, the default period) X's deadline is 30 ms, Y's 50 ms;
    // X ran its 10 ms job on extratime (level 1), blocked at 12 ms and woke at 15 ms
    x.clock.runFor(MICROSECS(16000));
    // debug-key 'r' (rt_dump): the pool's "Global Replenishment Events info:", a unit's first line "[%5d.%-2u] ..."
    const out = x.pools.dump();
    const from = out.indexOf('Global Replenishment Events info:', out.indexOf(`Cpupool ${pool}:`));
    const repl = out.slice(from + 1, out.indexOf('Domain info:', from)).filter((l) => l.startsWith('['));
    expect(repl.map((l) => l.slice(0, l.indexOf(']') + 1).replace(/ /g, ''))).toEqual([`[${yd}.0]`, `[${xd}.0]`]);
  });
});
