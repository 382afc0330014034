import { describe, expect, it } from 'vitest';
import { MILLISECS } from '../../../../engine/hypervisor/clock';
import type { SchedulerName } from '../../../../engine/hypervisor/sched/scheduler';
import { NR_MIGRATING, R_NR } from '../../../../engine/hypervisor/vcpu-table';
import type { Xen } from '../../../../engine/hypervisor/xen';
import { boot, guest, poolOn, topo } from './helpers';
import { checkInvariants } from './invariants';

// A running unit pinned away keeps _VPF_migrating until its pCPU switches it out (the
// same instant, at the SCHEDULE_SOFTIRQ). Whatever else happens to it before that —
// pinned again, paused, moved to another pool, its pCPU leaving the pool, its domain
// destroyed — the migration ends: no unit keeps NR_MIGRATING, none runs outside its
// hard affinity or on two pCPUs, and a runnable one runs again.
const SCHEDS: SchedulerName[] = ['credit', 'credit2', 'rtds', 'null'];

/** The invariants of every host, and no unit left migrating. */
function check(x: Xen): void {
  checkInvariants(x);
  for (const d of x.hypercall({ op: 'sysctl.getdomaininfolist' })) {
    for (const u of x.pools.unitsOfDomid(d.domid)) expect(u.tab.f[u.base + R_NR]! & NR_MIGRATING).toBe(0);
  }
}

type Then = (x: Xen, domid: number, vcpu: number, pool: number) => void;
const THEN: Record<string, Then> = {
  'pinned again': (x, domid, vcpu) => x.hypercall({ op: 'domctl.setvcpuaffinity', domid, vcpu, hard: [1] }),
  paused: (x, domid) => x.hypercall({ op: 'domctl.pausedomain', domid }),
  'moved to another pool': (x, domid, _v, pool) => x.hypercall({ op: 'sysctl.cpupool_op.movedomain', poolId: pool, domid }),
  'its pCPUs leaving': (x) => x.hypercall({ op: 'sysctl.cpupool_op.rmcpu', poolId: 0, cpus: [3] }),
  destroyed: (x, domid) => x.hypercall({ op: 'domctl.destroydomain', domid }),
};

describe.each(SCHEDS)('%s: a migration interrupted before its pCPU switches it out', (sched) => {
  it.each(Object.keys(THEN))('ends when the unit is then %s', (what) => {
    const x = boot(sched, topo(1, 6));
    const pool = poolOn(x, 'q', sched === 'credit' ? 'credit2' : 'credit', [4, 5]);
    const d = guest(x, 'g', { vcpus: 3, workload: { kind: 'cpu' } });
    guest(x, 'h', { vcpus: 2, workload: { kind: 'io', burnUs: 300, blockUs: 200 } });
    x.clock.runFor(MILLISECS(20));
    const u = x.pools.unitsOfDomid(d).find((w) => w.pcpu >= 0 && w.pcpu !== 3)!;
    expect(u).toBeDefined();
    x.hypercall({ op: 'domctl.setvcpuaffinity', domid: d, vcpu: u.vcpuId, hard: [3] });
    expect(u.vcpu.runnable()).toBe(false);
    THEN[what]!(x, d, u.vcpuId, pool);
    for (let i = 0; i < 200 && x.clock.nextDue <= x.clock.now + MILLISECS(20); i++) {
      x.clock.step();
      check(x);
    }
    x.clock.runFor(MILLISECS(20));
    check(x);
    if (what === 'pinned again' || what === 'moved to another pool') {
      expect(u.vcpu.runnable()).toBe(true);
      expect(x.pools.core.unitMetrics(u).cpuTime).toBeGreaterThan(0);
    }
    if (what === 'paused') {
      x.hypercall({ op: 'domctl.unpausedomain', domid: d });
      x.clock.runFor(MILLISECS(20));
      check(x);
      expect(u.vcpu.runnable()).toBe(true);
    }
  });
});
