import { describe, expect, it } from 'vitest';
import { SECONDS } from '../../../../engine/hypervisor/clock';
import type { Unit } from '../../../../engine/hypervisor/sched/core';
import { Xen } from '../../../../engine/hypervisor/xen';
import { guest, poolOn, topo } from './helpers';

/** Q18: one vCPU's worth of load (credit2.ts LOADAVG_PRECISION_SHIFT). */
const P = 2 ** 18;

/** The parts of credit2's private state balance_load reads (credit2.ts F, I, RQ offsets). */
interface C2Private {
  rqs: { slot: number; cpus: number[]; svc: number[] }[];
  rqLoads: { f: Float64Array };
  tf: Float64Array;
  ti: Int32Array;
  migrations: number;
  migrate(idx: number, to: unknown, now: number): void;
  balanceLoad(lrq: unknown, now: number): void;
}

/**
 * A credit2 pool with one runqueue per pCPU (credit2_runqueue=cpu) on pCPUs 1-4, and
 * `n` idle vCPUs of one domain, placed by `place` (runqueue 0-3 for each, in svc order).
 */
function setup(place: number[]): { x: Xen; s: C2Private; units: Unit[]; at: (rq: number) => number[] } {
  const x = Xen.boot({ seed: 1, topology: topo(1, 5), sched: 'credit2', dom0MaxVcpus: 1, credit2Runqueue: 'cpu' });
  const pool = poolOn(x, 'p', 'credit2', [1, 2, 3, 4]);
  const d = guest(x, 'g', { pool, vcpus: place.length });
  x.clock.runFor(SECONDS(1));
  const units = x.pools.unitsOfDomid(d);
  const s = x.pools.pool(pool).sched as unknown as C2Private;
  expect(s.rqs.map((r) => r.cpus)).toEqual([[1], [2], [3], [4]]);
  const now = x.clock.now;
  // every unit off to runqueue 0, then each to its own, so that svc orders follow `place`
  for (const u of units) if (s.ti[u.idx * 16 + 14] !== s.rqs[0]!.slot) s.migrate(u.idx, s.rqs[0], now);
  units.forEach((u, i) => {
    if (place[i] !== 0) s.migrate(u.idx, s.rqs[place[i]!], now);
  });
  units.forEach((u, i) => {
    if (place[i] === 0) {
      s.migrate(u.idx, s.rqs[1], now);
      s.migrate(u.idx, s.rqs[0], now);
    }
  });
  const at = (rq: number): number[] => units.filter((u) => s.ti[u.idx * 16 + 14] === s.rqs[rq]!.slot).map((u) => units.indexOf(u));
  for (let rq = 0; rq < 4; rq++) expect(at(rq)).toEqual(place.flatMap((p, i) => (p === rq ? [i] : [])));
  return { x, s, units, at };
}

/** Each unit's avgload, as of now (in vCPUs), and each runqueue's b_avgload. */
function loads(x: Xen, s: C2Private, units: Unit[], unitLoads: (number | null)[], rqLoads: number[]): void {
  const now = x.clock.now;
  units.forEach((u, i) => {
    const l = unitLoads[i];
    if (l === null || l === undefined) return;
    s.tf[u.idx * 8 + 3] = l * P;
    s.tf[u.idx * 8 + 4] = now;
  });
  s.rqs.forEach((rq, i) => {
    const f = s.rqLoads.f;
    f[rq.slot * 4 + 1] = f[rq.slot * 4 + 2] = rqLoads[i]! * P;
    f[rq.slot * 4 + 3] = now;
  });
}

describe('credit2 balance_load', () => {
  // Xen 4.17's balance_load() walks every runqueue with st.orqd as its cursor and then
  // reads st.orqd->b_avgload and st.orqd->nr_cpus for the "under 100 % capacity" test
  // before pointing st.orqd at the runqueue of the largest difference: the load that
  // decides the tolerance is the LAST runqueue's.
  it("decides the tolerance by the last runqueue's load, as Xen's st.orqd is then", () => {
    const { x, s, units, at } = setup([0, 0]);
    // 0.9 vs 0.2 (difference 0.7 < 1: under 100 %, no move), but the last runqueue is at 1.0
    loads(x, s, units, [0.45, 0.45], [0.9, 0.2, 0.85, 1.0]);
    s.balanceLoad(s.rqs[0], x.clock.now);
    expect(at(1)).toHaveLength(1);
  });

  // consider() is called for every (push, pull) pair of a push unit, then for the push
  // alone, push unit by push unit, and for each pull alone last; the first best wins
  it('prefers a swap found first to an equally good pull alone', () => {
    const { x, s, units, at } = setup([0, 1, 1]);
    // runqueue 0: an idle unit; runqueue 1: 1.0 in two units of 0.5. Pulling one (0.5)
    // evens the loads, and so does swapping it with the idle unit: the swap comes first
    loads(x, s, units, [0, 0.5, 0.5], [0, 1.0, 0, 0]);
    s.balanceLoad(s.rqs[0], x.clock.now);
    expect(at(0)).toEqual([1]);
    expect(at(1)).toEqual([0, 2]);
  });

  // the pull side's loads are brought up to date (update_svc_load) in the inner loop of
  // the first push unit that may move; with none, they are used as they were last updated
  it('uses the pull units’ loads as last updated when no unit can be pushed', () => {
    const { x, s, units, at } = setup([1, 1, 1]);
    loads(x, s, units, [0.5, 0.3, 0.1], [0, 1.6, 0, 0]);
    // unit 0 was last updated half a window ago (idle since: updated, about 0.31)
    s.tf[units[0]!.idx * 8 + 4] = x.clock.now - 2 ** 29;
    s.balanceLoad(s.rqs[0], x.clock.now);
    // the one closest to 0.8 as last updated is unit 0 (0.5); updated, unit 1 (0.3)
    expect(at(0)).toEqual([0]);
  });

  // consider(NULL, pull) for each pull unit in list order, the first best kept: the pull
  // whose avgload is closest to half the difference, of equal ones the first in the list.
  // Loads past 2^32 (Xen's s_time_t allows them) take the comparator sort: the same answer
  // (the loads here are whole Q18 numbers, as update_svc_load's always are)
  for (const scale of [1, 2 ** 16]) {
    it(`pulls the unit closest to half the difference, the first of equals (loads x${scale})`, () => {
      const { x, s, units, at } = setup([1, 1, 1, 1]);
      // runqueue 0 has no unit to push: the pull side is used as last updated
      loads(x, s, units, [0.875 * scale, 0.375 * scale, 0.5 * scale, 0.5 * scale], [0, 1.0 * scale, 0, 0]);
      s.balanceLoad(s.rqs[0], x.clock.now);
      expect(at(0)).toEqual([2]);
      expect(at(1)).toEqual([0, 1, 3]);
    });
  }

  // loads four units apart: every pull unit's avgload is below half the difference, so
  // the largest one is best, and of two equal ones the first in the list
  it('pulls the largest load when all are below half the difference, the first of equals', () => {
    const { x, s, units, at } = setup([1, 1, 1, 1]);
    loads(x, s, units, [0.25, 0.625, 0.125, 0.625], [0, 4.0, 0, 0]);
    s.balanceLoad(s.rqs[0], x.clock.now);
    expect(at(0)).toEqual([1]);
  });

  // unit_is_migrateable(): not already asked to move, and its hard affinity meets the
  // runqueue's pCPUs; Xen 4.17 does not look at soft affinity there
  it('moves a unit away from the pCPUs of its soft affinity when that evens the load best', () => {
    const { x, s, units, at } = setup([0, 0]);
    x.hypercall({ op: 'domctl.setvcpuaffinity', domid: units[0]!.domid, vcpu: 0, soft: [1] });
    s.migrate(units[0]!.idx, s.rqs[1], x.clock.now);
    s.migrate(units[1]!.idx, s.rqs[1], x.clock.now);
    s.migrate(units[0]!.idx, s.rqs[0], x.clock.now);
    s.migrate(units[1]!.idx, s.rqs[0], x.clock.now);
    expect(at(0)).toEqual([0, 1]);
    loads(x, s, units, [1, 1], [2, 0, 0, 0]);
    s.balanceLoad(s.rqs[0], x.clock.now);
    // pushing either evens the loads: the first in the runqueue's list goes
    expect(at(0)).toEqual([1]);
  });
});
