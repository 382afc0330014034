/**
 * The per-vCPU typed tables (the core's VcpuTable, credit2's unit table, the latency
 * rows) are indexed by the unit's idx: a destroyed domain's rows are handed to the next
 * units made, and the tables grow while units already hold rows in them. These tests
 * check that a reused row starts as a new vCPU's would (Xen allocates a fresh struct
 * vcpu / sched_unit and fresh scheduler data: sched_init_vcpu, alloc_udata) and that
 * growth loses no write.
 */
import { describe, expect, it } from 'vitest';
import { boot, cpuTime, guest, poolOn, run, topo } from './helpers';
import { MILLISECS } from '../../../../engine/hypervisor/clock';
import type { SchedulerName } from '../../../../engine/hypervisor/sched/scheduler';
import type { Vcpu } from '../../../../engine/hypervisor/vcpu';
import type { Xen } from '../../../../engine/hypervisor/xen';

const idxOf = (x: Xen, domid: number): number[] => x.pools.unitsOfDomid(domid).map((u) => u.idx);

/** Non-default parameters for a domain of `sched` (to see they do not leak into a reused row). */
function tweak(x: Xen, domid: number, sched: SchedulerName): void {
  if (sched === 'rtds') {
    x.hypercall({ op: 'domctl.scheduler_op', domid, cmd: 'putvcpuinfo', vcpus: [0, 1].map((vcpu) => ({ vcpu, period: 20_000, budget: 1_000, extratime: false })) });
  } else if (sched !== 'null') {
    x.hypercall({ op: 'domctl.scheduler_op', domid, cmd: 'putinfo', params: { weight: 1024, cap: 10 } });
  }
}

describe.each(['credit', 'credit2', 'rtds', 'null'] as SchedulerName[])('%s: rows of a destroyed domain', (sched) => {
  it('start a new domain that reuses them as fresh vCPUs: default parameters, no runstate, latency or miss history', () => {
    const x = boot(sched, topo(1, 4));
    const pool = poolOn(x, 'p', sched, [2, 3]);
    const a = guest(x, 'a', { vcpus: 2, pool, workload: { kind: 'mix', parts: [{ weight: 1, spec: { kind: 'rt', periodUs: 1000, execUs: 900 } }, { weight: 1, spec: { kind: 'latency', idleUs: 200, burstUs: 50 } }] } });
    tweak(x, a, sched);
    run(x, 0.5);
    const before = x.hypercall({ op: 'sim.sched_metrics', domid: a, vcpus: true });
    // a history worth leaking: wake-ups were measured
    expect(before.vcpus!.some((v) => v.wakeLatency.count > 0)).toBe(true);
    const rows = idxOf(x, a);
    x.hypercall({ op: 'domctl.destroydomain', domid: a });

    const t0 = x.clock.now;
    const b = guest(x, 'b', { vcpus: 2, pool });
    expect(idxOf(x, b).sort()).toEqual(rows.sort());
    const m = x.hypercall({ op: 'sim.sched_metrics', domid: b, vcpus: true });
    for (const v of m.vcpus!) {
      expect(v.wakeLatency.count).toBe(0);
      expect(v.jobMisses).toBe(0);
      expect(v.deadlineMisses).toBe(0);
      expect(v.cpuTime).toBe(0);
    }
    if (sched === 'rtds') {
      const p = x.hypercall({ op: 'domctl.scheduler_op', domid: b, cmd: 'getvcpuinfo', vcpus: [0, 1] }).vcpus!;
      // rt.c's defaults: RTDS_DEFAULT_PERIOD 10 ms, RTDS_DEFAULT_BUDGET 4 ms, extratime on
      expect(p.map((v) => [v.period, v.budget, v.extratime])).toEqual([
        [10_000, 4_000, true],
        [10_000, 4_000, true],
      ]);
    } else if (sched !== 'null') {
      expect(x.hypercall({ op: 'domctl.scheduler_op', domid: b, cmd: 'getinfo' }).params).toMatchObject({ weight: 256, cap: 0 });
    }
    // CPU-bound, alone in the pool: uncapped, it gets both pCPUs (a capped or parked row
    // left behind would hold it back; RTDS's default 4 ms / 10 ms with extratime fills up)
    x.hypercall({ op: 'sim.set_workload', domid: b, vcpu: 'all', workload: { kind: 'cpu' } });
    run(x, 1);
    const info = x.hypercall({ op: 'domctl.getvcpuinfo', domid: b });
    for (const v of x.hypercall({ op: 'sim.sched_metrics', domid: b, vcpus: true }).vcpus!) {
      const rs = v.runstate;
      // every ns since the vCPU was made is in exactly one runstate
      expect(rs.running + rs.runnable + rs.blocked + rs.offline).toBe(x.clock.now - t0);
    }
    expect(info.every((v) => v.runstate === 'running')).toBe(true);
    expect(cpuTime(x, b)).toBeGreaterThan(2 * 0.99e9);
  });
});

/** Two CPU-bound domains sharing one pool, b to get twice a's CPU time (weights 256 and
 * 512; under RTDS budgets 2 and 4 ms of 10 ms without extratime). */
function pair(x: Xen, sched: SchedulerName, pool: number, tag: string): [number, number] {
  const a = guest(x, `${tag}a`, { pool, workload: { kind: 'cpu' } });
  const b = guest(x, `${tag}b`, { pool, workload: { kind: 'cpu' } });
  if (sched === 'rtds') {
    x.hypercall({ op: 'domctl.scheduler_op', domid: a, cmd: 'putvcpuinfo', vcpus: [{ vcpu: 0, period: 10_000, budget: 2_000, extratime: false }] });
    x.hypercall({ op: 'domctl.scheduler_op', domid: b, cmd: 'putvcpuinfo', vcpus: [{ vcpu: 0, period: 10_000, budget: 4_000, extratime: false }] });
  } else {
    x.hypercall({ op: 'domctl.scheduler_op', domid: a, cmd: 'putinfo', params: { weight: 256 } });
    x.hypercall({ op: 'domctl.scheduler_op', domid: b, cmd: 'putinfo', params: { weight: 512 } });
  }
  return [a, b];
}

/** b's CPU time over the next `s` seconds is twice a's, within 2 % (credit needs seconds: its 30 ms accounting periods make the shares of a few seconds wobble by 3 %). */
function expectTwice(x: Xen, [a, b]: [number, number], s: number): void {
  const ta = cpuTime(x, a);
  const tb = cpuTime(x, b);
  run(x, s);
  const da = cpuTime(x, a) - ta;
  const db = cpuTime(x, b) - tb;
  expect(da).toBeGreaterThan(0);
  expect(Math.abs(db / da - 2) / 2).toBeLessThan(0.02);
}

describe.each(['credit', 'credit2', 'rtds'] as SchedulerName[])('%s: tables growing under running units', (sched) => {
  it('lose no write: units made before and after the growth keep their shares and runstate sums', () => {
    const x = boot(sched, topo(1, 2));
    const pool = poolOn(x, 'one', sched, [1]);
    const old = pair(x, sched, pool, 'old');
    run(x, 1);
    const unitA = x.pools.unitsOfDomid(old[0])[0]!;
    const baseA = unitA.base;
    // 400 more units (paused once made, so that they take no CPU time): every table
    // indexed by unit idx (the core's, 2 rows a pCPU at boot; the schedulers', 64 rows)
    // doubles several times while the old pair's units hold rows in them
    for (let i = 0; i < 100; i++) {
      const d = guest(x, `g${i}`, { vcpus: 4, pool: i % 2 === 0 ? pool : 0, workload: { kind: 'cpu' } });
      x.clock.runFor(MILLISECS(1));
      x.hypercall({ op: 'domctl.pausedomain', domid: d });
      x.clock.runFor(MILLISECS(10));
    }
    expect(x.pools.core.vt.f.length).toBeGreaterThanOrEqual(400 * 20);
    expect(unitA.base).toBe(baseA);
    expectTwice(x, old, 10);
    // a new pair in rows of the grown tables, alone once the old pair is paused
    const young = pair(x, sched, pool, 'young');
    for (const d of old) x.hypercall({ op: 'domctl.pausedomain', domid: d });
    expectTwice(x, young, 10);
    // the vCPU's own view (its accessors) and the row the loop writes are one state
    const va = unitA.vcpu as Vcpu;
    expect(va.table).toBe(x.pools.core.vt);
    expect(va.runstateInfo(x.clock.now).time.running).toBe(cpuTime(x, old[0]));
    const rs = va.runstateInfo(x.clock.now).time;
    expect(rs.running + rs.runnable + rs.blocked + rs.offline).toBe(x.clock.now);
  });
});
