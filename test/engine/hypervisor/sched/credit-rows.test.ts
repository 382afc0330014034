/**
 * Credit keeps its per-unit record (struct csched_unit) in the scheduler-private region
 * of the vCPU's row in the host's VcpuTable (credit-units.ts). The region belongs to the
 * scheduler the unit is attached to: inserting a unit (csched_alloc_udata) must make a
 * fresh record there whatever the region held, and the records must survive the table
 * growing under them.
 */
import { describe, expect, it } from 'vitest';
import { R_SCHED_PRIV, R_SCHED_PRIV_LEN, ROW } from '../../../../engine/hypervisor/vcpu-table';
import { CSCHED_PRI_TS_BOOST, CSCHED_PRI_TS_UNDER } from '../../../../engine/hypervisor/sched/credit';
import type { Xen } from '../../../../engine/hypervisor/xen';
import { poolPart, pressR } from './dump-helpers';
import { boot, cpuTime, guest, poolOn, run, topo } from './helpers';

const unitLines = (x: Xen, pool: number, domid: number): string[] => poolPart(pressR(x), pool).filter((l) => l.includes(`[${domid}.`));

describe("credit: csched_unit in the vCPU row's private region", () => {
  it('makes a fresh record when a unit comes (back) into a credit pool, whatever the region held', () => {
    const x = boot('credit2', topo(1, 4));
    const cr = poolOn(x, 'cr', 'credit', [1, 2]);
    const c2 = poolOn(x, 'c2', 'credit2', [3]);
    const d = guest(x, 'd', { pool: cr, vcpus: 2, workload: { kind: 'cpu' } });
    run(x, 0.2);
    x.hypercall({ op: 'sysctl.cpupool_op.movedomain', poolId: c2, domid: d });
    // another scheduler's use of the region: scribble over it while the units are not credit's
    const vt = x.pools.core.vt;
    for (const u of x.pools.unitsOfDomid(d)) vt.f.fill(-7.5, u.idx * ROW + R_SCHED_PRIV, u.idx * ROW + R_SCHED_PRIV + R_SCHED_PRIV_LEN);
    x.hypercall({ op: 'sysctl.cpupool_op.movedomain', poolId: cr, domid: d });
    x.clock.runFor(0);
    // both units run at once (two idle pCPUs) fresh: BOOSTed from UNDER by the wake,
    // credit 0, no flags, on no active list yet
    const lines = unitLines(x, cr, d);
    expect(lines.filter((l) => l.startsWith('\trun: '))).toHaveLength(2);
    for (const l of lines) expect(l).toMatch(new RegExp(`pri=${CSCHED_PRI_TS_BOOST} flags=0 cpu=[12] credit=0 `));
    const t0 = cpuTime(x, d);
    run(x, 0.2);
    // the units are scheduled and accounted from their new records: UNDER after a tick
    expect(cpuTime(x, d) - t0).toBeGreaterThan(0.35e9);
    expect(unitLines(x, cr, d).every((l) => l.includes(`pri=${CSCHED_PRI_TS_UNDER} `) || / pri=-2 /.test(l))).toBe(true);
  });

  it('keeps every record when the table grows under running units', () => {
    const x = boot('credit', topo(1, 2));
    const a = guest(x, 'a', { vcpus: 2, workload: { kind: 'io', burnUs: 500, blockUs: 1500 } });
    run(x, 0.1);
    const before = cpuTime(x, a);
    const len = x.pools.core.vt.f.length;
    // enough new vCPUs that the host's table is replaced by a bigger one
    for (let i = 0; i < 8; i++) guest(x, `g${i}`, { vcpus: 4, workload: { kind: 'io', burnUs: 500, blockUs: 1500 } });
    expect(x.pools.core.vt.f.length).toBeGreaterThan(len);
    run(x, 0.5);
    expect(cpuTime(x, a)).toBeGreaterThan(before);
    // every unit is on its domain's list or runs or waits as its record says: the dump
    // walks the records through the grown table's views
    const out = poolPart(pressR(x), 0);
    for (let d = a; d < a + 9; d++) expect(out.some((l) => l.includes(`[${d}.0]`))).toBe(true);
  });
});
