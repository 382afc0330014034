import { describe, expect, it } from 'vitest';
import { MILLISECS } from '../../../../engine/hypervisor/clock';
import { Xen } from '../../../../engine/hypervisor/xen';
import { guest, poolOn, topo } from './helpers';

/** The parts of credit2's private state read here (credit2.ts I offsets: RQD 14, FLAGS 11). */
interface C2Private {
  rqs: { slot: number; cpus: number[] }[];
  ti: Int32Array;
  migrate(idx: number, to: unknown, now: number): void;
  migrateable(idx: number, to: unknown): boolean;
}

// credit2.c's migrate() (Xen 4.17) of a CSFLAG_scheduled unit only asks it to move:
// migrate_rqd, __CSFLAG_runq_migrate_request, sched_set_pause_flags(_VPF_migrating) and
// tickle_cpu(); unit_is_migrateable() refuses it meanwhile. Switched out (not runnable),
// it goes through sched_unit_migrate_finish(): csched2_res_pick's request branch gives a
// pCPU of migrate_rqd, csched2_unit_migrate() moves it there, vcpu_wake() queues it.
describe('credit2 migrate() of a running unit', () => {
  it('flags it _VPF_migrating, lets it run until switched out, then moves it to migrate_rqd', () => {
    const x = Xen.boot({ seed: 1, topology: topo(1, 5), sched: 'credit2', dom0MaxVcpus: 1, credit2Runqueue: 'cpu' });
    const pool = poolOn(x, 'p', 'credit2', [1, 2, 3, 4]);
    const d = guest(x, 'g', { pool, vcpus: 2, workload: { kind: 'cpu' } });
    x.clock.runFor(MILLISECS(10));
    const s = x.pools.pool(pool).sched as unknown as C2Private;
    const u = x.pools.unitsOfDomid(d).find((w) => w.pcpu >= 0)!;
    const from = u.pcpu;
    const fromRq = s.rqs.find((r) => r.cpus.includes(from))!;
    const to = s.rqs.find((r) => r !== fromRq && r.cpus.every((c) => x.pools.core.curr(c) === null))!;
    s.migrate(u.idx, to, x.clock.now);
    // asked, not moved: still running where it was, on its runqueue, not runnable
    expect(x.pools.core.curr(from)).toBe(u);
    expect(s.ti[u.idx * 16 + 14]).toBe(fromRq.slot);
    expect(u.vcpu.runnable()).toBe(false);
    expect(s.migrateable(u.idx, s.rqs.find((r) => r !== fromRq && r !== to)!)).toBe(false);
    x.clock.step(); // its pCPU's SCHEDULE_SOFTIRQ
    expect(x.pools.core.curr(from)).not.toBe(u);
    expect(s.ti[u.idx * 16 + 14]).toBe(to.slot);
    expect(to.cpus).toContain(u.processor);
    expect(u.vcpu.runnable()).toBe(true);
    x.clock.runFor(MILLISECS(1));
    expect(x.pools.core.curr(to.cpus[0]!)).toBe(u);
  });
});
