import { describe, expect, it } from 'vitest';
import { MICROSECS, MILLISECS } from '../../../../engine/hypervisor/clock';
import { CSCHED2_CARRYOVER_MAX, CSCHED2_CREDIT_INIT, CSCHED2_CREDIT_MIN } from '../../../../engine/hypervisor/sched/credit2';
import { boot, guest, poolOn, topo } from './helpers';
import type { Unit } from '../../../../engine/hypervisor/sched/core';

/** A unit's credit (svc->credit) in credit2's table: a record of 8 doubles, credit first (credit2.ts F.STRIDE, F.CREDIT). */
const credit = (tf: Float64Array, idx: number): number => tf[idx * 8]!;

/**
 * Two CPU-bound guests in `pool`, y pinned to pCPU 1 and w to pCPU 2, after 3 ms: y runs
 * on pCPU 1; their units and the scheduler's per-unit numbers (credit at idx·8).
 */
function twoPinnedHogs(x: ReturnType<typeof boot>, pool: number): { uy: Unit; uw: Unit; tf: Float64Array } {
  const y = guest(x, 'y', { pool, workload: { kind: 'cpu' } });
  x.hypercall({ op: 'domctl.setvcpuaffinity', domid: y, vcpu: 0, hard: [1] });
  const w = guest(x, 'w', { pool, workload: { kind: 'cpu' } });
  x.hypercall({ op: 'domctl.setvcpuaffinity', domid: w, vcpu: 0, hard: [2] });
  x.clock.runFor(MILLISECS(3));
  const uy = x.pools.unitsOfDomid(y)[0]!;
  const uw = x.pools.unitsOfDomid(w)[0]!;
  expect(x.pools.core.curr(1)).toBe(uy);
  return { uy, uw, tf: (uy.sched as unknown as { tf: Float64Array }).tf };
}

describe('credit2 reset condition', () => {
  // csched2_schedule() in Xen 4.17 (credit2.c) resets credits when the top credit of the
  // runqueue, max(snext->credit, credit of the runqueue's first waiting unit), is at or
  // below CSCHED2_CREDIT_RESET, whether or not runq_candidate() skipped units to pick
  // snext (older Xen looked only at snext, and only when nothing was skipped).
  it('resets when every credit is spent, even if a waiting unit was skipped for affinity', () => {
    const x = boot('credit2', topo(1, 4));
    const pool = poolOn(x, 'p', 'credit2', [1, 2]); // one runqueue (socket 0)
    const y = guest(x, 'y', { pool, workload: { kind: 'cpu' } });
    x.hypercall({ op: 'domctl.setvcpuaffinity', domid: y, vcpu: 0, hard: [1] });
    const pinned = ['w1', 'w2'].map((n) => guest(x, n, { pool, workload: { kind: 'cpu' } }));
    for (const d of pinned) x.hypercall({ op: 'domctl.setvcpuaffinity', domid: d, vcpu: 0, hard: [2] });
    x.clock.runFor(MILLISECS(3));
    const core = x.pools.core;
    const uy = x.pools.unitsOfDomid(y)[0]!;
    expect(core.curr(1)).toBe(uy);
    // one of w1, w2 runs on pCPU 2, the other waits: pCPU 1 can only skip it
    const waiting = pinned.map((d) => x.pools.unitsOfDomid(d)[0]!).find((u) => u.pcpu < 0)!;
    const tf = (uy.sched as unknown as { tf: Float64Array }).tf;
    // every credit spent: y below the waiting unit, both at or below zero
    for (const d of [y, ...pinned]) tf[x.pools.unitsOfDomid(d)[0]!.idx * 8] = -MICROSECS(200);
    tf[waiting.idx * 8] = -MICROSECS(100);
    core.tickle(1);
    x.clock.runFor(1);
    // reset_credit() added CSCHED2_CREDIT_INIT to every unit of the runqueue
    expect(credit(tf, uy.idx)).toBeGreaterThan(CSCHED2_CREDIT_INIT - MICROSECS(300));
    expect(credit(tf, waiting.idx)).toBe(CSCHED2_CREDIT_INIT - MICROSECS(100));
  });

  // runq_candidate() returns scurr while it has run less than the ratelimit, but
  // csched2_schedule() goes on with it as snext: the reset condition above is checked on
  // that path too (and snext->tickled_cpu cleared)
  it('resets when every credit is spent while the running unit is held by the ratelimit', () => {
    const x = boot('credit2', topo(1, 4));
    const pool = poolOn(x, 'p', 'credit2', [1, 2]);
    x.hypercall({ op: 'sysctl.scheduler_op', poolId: pool, cmd: 'putinfo', params: { ratelimitUs: 20_000 } });
    const { uy, uw, tf } = twoPinnedHogs(x, pool);
    tf[uy.idx * 8] = -MICROSECS(200);
    tf[uw.idx * 8] = -MICROSECS(100);
    x.pools.core.tickle(1);
    x.clock.runFor(1);
    // y has run 3 ms of its 20 ms ratelimit: it goes on, and the epoch is over
    expect(x.pools.core.curr(1)).toBe(uy);
    // (y's 3 ms burnt first: without a reset its credit stays below -200 µs)
    expect(credit(tf, uy.idx)).toBeGreaterThan(CSCHED2_CREDIT_INIT / 2);
    expect(credit(tf, uw.idx)).toBeGreaterThan(CSCHED2_CREDIT_INIT / 2);
  });

  // reset_credit() in Xen 4.17 adds CSCHED2_CREDIT_INIT to every unit, and twice that when
  // snext's credit is CSCHED2_CREDIT_MIN (where burn_credits() clips it): snext is then in
  // the black again after the reset
  it('adds twice CSCHED2_CREDIT_INIT when snext has sunk to CSCHED2_CREDIT_MIN', () => {
    const x = boot('credit2', topo(1, 4));
    const pool = poolOn(x, 'p', 'credit2', [1, 2]);
    const { uy, uw, tf } = twoPinnedHogs(x, pool);
    tf[uy.idx * 8] = CSCHED2_CREDIT_MIN;
    tf[uw.idx * 8] = -MILLISECS(5);
    x.pools.core.tickle(1);
    x.clock.runFor(1);
    expect(x.pools.core.curr(1)).toBe(uy);
    expect(credit(tf, uy.idx)).toBe(CSCHED2_CREDIT_MIN + 2 * CSCHED2_CREDIT_INIT);
    // w (running, its credit burnt first) is clipped to the carry-over ceiling
    expect(credit(tf, uw.idx)).toBe(CSCHED2_CREDIT_INIT + CSCHED2_CARRYOVER_MAX);
  });
});
