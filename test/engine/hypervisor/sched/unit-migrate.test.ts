import { describe, expect, it } from 'vitest';
import { MILLISECS } from '../../../../engine/hypervisor/clock';
import { LOADAVG_PRECISION_SHIFT } from '../../../../engine/hypervisor/sched/credit2';
import type { Unit } from '../../../../engine/hypervisor/sched/core';
import { F_CUR_BUDGET, F_CUR_DEADLINE, F_STRIDE } from '../../../../engine/hypervisor/sched/rt-units';
import type { NullScheduler } from '../../../../engine/hypervisor/sched/null';
import type { SchedulerName } from '../../../../engine/hypervisor/sched/scheduler';
import type { Xen } from '../../../../engine/hypervisor/xen';
import { errno } from '../errno-of';
import { boot, guest, poolOn, topo } from './helpers';

// vcpu_set_affinity() (xen/common/sched/core.c, 4.17): sched_set_affinity, then
// sched_unit_migrate_start (_VPF_migrating, vcpu_sleep_nosync) and
// sched_unit_migrate_finish (pick_resource, the scheduler's migrate hook, vcpu_wake); a
// running unit is finished by unit_context_saved() once its pCPU switched it out.

const pin = (x: Xen, domid: number, vcpu: number, hard?: number[], soft?: number[]): void => {
  x.hypercall({ op: 'domctl.setvcpuaffinity', domid, vcpu, ...(hard ? { hard } : {}), ...(soft ? { soft } : {}) });
};

/** A unit of `domid` in state `want` (running or waiting on a runqueue). */
function unitIn(x: Xen, domid: number, want: 'running' | 'runnable'): Unit {
  const u = x.pools.unitsOfDomid(domid).find((w) => w.vcpu.runstate === want);
  if (!u) throw new Error(`no ${want} vCPU of domain ${domid}`);
  return u;
}

/** Step event by event for `ms`, checking every running vCPU against its hard affinity. */
function watchHard(x: Xen, ms: number): number {
  const until = x.clock.now + MILLISECS(ms);
  let seen = 0;
  while (x.clock.nextDue <= until) {
    x.clock.step();
    for (let c = 0; c < x.pools.core.nrCpus; c++) {
      const u = x.pools.core.curr(c);
      if (!u) continue;
      expect(u.vcpu.hardAffinity.has(c), `d${u.domid}v${u.vcpuId} on pCPU ${c}`).toBe(true);
      seen++;
    }
  }
  return seen;
}

describe.each(['credit', 'credit2', 'rtds', 'null'] as SchedulerName[])('%s: vcpu-pin migrates the unit', (sched) => {
  it('takes a waiting unit offline while it moves (vcpu_sleep_nosync_locked), then runnable', () => {
    const x = boot(sched, topo(1, 4));
    const d = guest(x, 'g', { vcpus: 8, workload: { kind: 'cpu' } });
    x.clock.runFor(MILLISECS(30));
    const u = unitIn(x, d, 'runnable');
    const s = x.pools.pool(0).sched;
    const seen: string[] = [];
    const pick = s.pickCpu.bind(s);
    s.pickCpu = (w, now) => {
      if (w === u) seen.push(`${w.vcpu.runstate}:${w.vcpu.runnable()}`);
      return pick(w, now);
    };
    pin(x, d, u.vcpuId, [2, 3]);
    expect(seen).toEqual(['offline:false']);
    expect(u.vcpu.runnable()).toBe(true);
    expect(['runnable', 'running']).toContain(u.vcpu.runstate);
    expect([2, 3]).toContain(u.processor);
    // (null: nothing is due once every pCPU runs its always-busy vCPU)
    expect(watchHard(x, 50)).toBeGreaterThan(sched === 'null' ? -1 : 50);
  });

  it('lets a running unit pinned away run on until its pCPU switches it out, then moves it', () => {
    // (5 pCPUs, 4 vCPUs with dom0's: null has a free pCPU to move it to)
    const x = boot(sched, topo(1, 5));
    const d = guest(x, 'g', { vcpus: 3, workload: { kind: 'cpu' } });
    x.clock.runFor(MILLISECS(30));
    const u = unitIn(x, d, 'running');
    const from = u.pcpu;
    const to = [0, 1, 2, 3, 4].filter((c) => c !== from);
    pin(x, d, u.vcpuId, to);
    // the hypercall only tickled its pCPU (vcpu_sleep_nosync: it may not run any more)
    expect(x.pools.core.curr(from)).toBe(u);
    expect(u.vcpu.runstate).toBe('running');
    expect(u.vcpu.runnable()).toBe(false);
    x.clock.step(); // SCHEDULE_SOFTIRQ on `from`: switched out, then moved and woken
    expect(x.pools.core.curr(from)).not.toBe(u);
    expect(u.vcpu.runnable()).toBe(true);
    expect(to).toContain(u.processor);
    const ran = x.pools.core.unitMetrics(u).cpuTime;
    watchHard(x, 50);
    x.clock.runFor(MILLISECS(5)); // (null: nothing is due, so watchHard's steps did not move the clock)
    expect(x.pools.core.unitMetrics(u).cpuTime).toBeGreaterThan(ran);
  });

  it('refuses a new affinity with EBUSY while the affinity is broken, changing nothing', () => {
    const x = boot(sched, topo(1, 4));
    const pool = poolOn(x, 'p', sched, [2, 3]);
    const d = guest(x, 'g', { vcpus: 1, pool, workload: { kind: 'cpu' } });
    pin(x, d, 0, [3]);
    x.hypercall({ op: 'sysctl.cpupool_op.rmcpu', poolId: pool, cpus: [3] });
    const u = x.pools.unitsOfDomid(d)[0]!;
    expect(u.affBroken).toBe(true);
    expect(errno(() => pin(x, d, 0, [2]))).toBe('EBUSY');
    expect(errno(() => pin(x, d, 0, undefined, [2]))).toBe('EBUSY');
    expect([...u.vcpu.hardAffinity]).toEqual([3]);
    expect(u.vcpu.softAffinity.full).toBe(true);
  });
});

describe('credit2: a pinned unit keeps its scheduler state', () => {
  it('keeps its credit and load, and moves runqueue when its new affinity excludes its runqueue', () => {
    const x = boot('credit2', topo(2, 2)); // one runqueue a socket: pCPUs 0-1 and 2-3
    const d = guest(x, 'g', { vcpus: 6, workload: { kind: 'cpu' } });
    x.clock.runFor(MILLISECS(7));
    const s = x.pools.pool(0).sched as unknown as { tf: Float64Array; ti: Int32Array; runqueueOf(cpu: number): number; runqueues(): { id: number; nrUnits: number }[] };
    const u = unitIn(x, d, 'runnable');
    const credit = s.tf[u.idx * 8]!;
    const avgload = s.tf[u.idx * 8 + 3]!;
    const fromRq = s.runqueueOf(u.processor);
    const to = fromRq === s.runqueueOf(0) ? [2, 3] : [0, 1];
    expect(credit).not.toBe(10_000_000); // it has run: not CREDIT_INIT
    pin(x, d, u.vcpuId, to);
    expect(s.tf[u.idx * 8]).toBe(credit);
    // its average load goes on (csched2_alloc_udata's 50 % only for a new unit): update_load
    // at the sleep steps it to now with the load it had (1: it was waiting), so it rose
    const after = s.tf[u.idx * 8 + 3]!;
    expect(after).toBeGreaterThan(avgload);
    expect(after).toBeLessThan(2 ** LOADAVG_PRECISION_SHIFT);
    expect(s.runqueueOf(u.processor)).not.toBe(fromRq);
    expect(to).toContain(u.processor);
    expect(watchHard(x, 50)).toBeGreaterThan(100);
  });

  it('stays on its runqueue, credit unchanged, when the new affinity is within it', () => {
    const x = boot('credit2', topo(2, 2));
    const d = guest(x, 'g', { vcpus: 6, workload: { kind: 'cpu' } });
    x.clock.runFor(MILLISECS(7));
    const s = x.pools.pool(0).sched as unknown as { tf: Float64Array; runqueueOf(cpu: number): number };
    const u = unitIn(x, d, 'runnable');
    const credit = s.tf[u.idx * 8]!;
    const rq = s.runqueueOf(u.processor);
    const cpus = [0, 1, 2, 3].filter((c) => s.runqueueOf(c) === rq);
    pin(x, d, u.vcpuId, [cpus[1]!]);
    expect(s.tf[u.idx * 8]).toBe(credit);
    expect(u.processor).toBe(cpus[1]);
  });
});

describe('rtds: a pinned unit keeps its server', () => {
  // rt.c has no migrate hook: rt_unit_sleep takes it off its queues, rt_unit_wake queues
  // it again with its deadline and budget (new ones only once the deadline has passed)
  it('keeps its deadline and budget across a pin', () => {
    const x = boot('rtds', topo(1, 4));
    const d = guest(x, 'g', { vcpus: 8, workload: { kind: 'cpu' } });
    x.clock.runFor(MILLISECS(3));
    const s = x.pools.pool(0).sched as unknown as { units: { f: Float64Array; recordOf(u: Unit): number } };
    const u = unitIn(x, d, 'runnable');
    const r = s.units.recordOf(u);
    const at = (k: number): number => s.units.f[r * F_STRIDE + k]!;
    const before = [at(F_CUR_DEADLINE), at(F_CUR_BUDGET)];
    expect(before[1]).toBeGreaterThan(0);
    pin(x, d, u.vcpuId, [3]);
    expect(s.units.recordOf(u)).toBe(r);
    expect([at(F_CUR_DEADLINE), at(F_CUR_BUDGET)]).toEqual(before);
    expect(u.processor).toBe(3);
  });
});

describe('null: null_unit_migrate', () => {
  /** 4 pCPUs, 6 always-busy vCPUs: 4 assigned, 2 waiting. */
  function busy(): { x: Xen; s: NullScheduler; d: number } {
    const x = boot('null', topo(1, 5));
    const pool = poolOn(x, 'p', 'null', [1, 2, 3, 4]);
    const d = guest(x, 'g', { vcpus: 6, pool, workload: { kind: 'cpu' } });
    x.clock.runFor(MILLISECS(5));
    return { x, s: x.pools.pool(pool).sched as NullScheduler, d };
  }

  it('keeps its pCPU when the new affinity still allows it', () => {
    const { x, s, d } = busy();
    expect(s.waitq.length).toBe(2);
    const cpu = 2;
    const u = s.assignedTo(cpu)!;
    pin(x, d, u.vcpuId, [cpu, 3]);
    x.clock.runFor(MILLISECS(5));
    expect(s.assignedTo(cpu)).toBe(u);
    expect(x.pools.core.curr(cpu)).toBe(u);
    expect(s.waitq.length).toBe(2);
  });

  it('frees its pCPU for the first waiting unit and waits itself when its new pCPU is taken', () => {
    const { x, s, d } = busy();
    const u = s.assignedTo(1)!;
    const head = s.waitq[0]!;
    const other = s.assignedTo(4)!;
    pin(x, d, u.vcpuId, [4]);
    x.clock.runFor(MILLISECS(5));
    expect(s.assignedTo(1)).toBe(head); // unit_deassign(): the wait queue's head takes it
    expect(s.assignedTo(4)).toBe(other);
    expect(s.waitq.at(-1)).toBe(u); // at the tail
    expect(u.processor).toBe(4); // v->processor is new_cpu in any case
    expect(x.pools.core.curr(1)).toBe(head);
  });
});
