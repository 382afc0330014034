import { describe, expect, it } from 'vitest';
import { MILLISECS } from '../../../../engine/hypervisor/clock';
import { LOADAVG_PRECISION_SHIFT } from '../../../../engine/hypervisor/sched/credit2';
import { c2t, loadavgStep, t2cCredits, t2cResidual } from '../../../../engine/hypervisor/sched/credit2-arith';
import { boot, guest, poolOn, topo } from './helpers';

/** The scheduler's tables and private steps, as the tests read and drive them. */
interface C2Inside {
  tf: Float64Array;
  ti: Int32Array;
  rqLoads: { f: Float64Array };
  rqs: { slot: number; maxWeight: number; q: number[] }[];
  updateRunqLoad(slot: number, change: number, now: number): void;
  updateSvcLoad(idx: number, change: number, now: number): void;
}
const P = 2 ** LOADAVG_PRECISION_SHIFT;
/** now >> LOADAVG_GRANULARITY_SHIFT */
const grain = (t: number): number => Math.floor(t / 1024);
/** A runqueue's row: load, avgload, b_avgload, load_last_update. */
const rqRow = (s: C2Inside, slot = s.rqs[0]!.slot): number[] => [...s.rqLoads.f.subarray(slot * 4, slot * 4 + 4)];

describe('credit2 load averages in Xen integers', () => {
  // update_runq_load() / update_svc_load() (Xen 4.17): now >>= 10; avgload +=
  // ((delta * (load << 18)) >> 20) - ((delta * avgload) >> 20), delta in grains; a new
  // runqueue starts zeroed (load_last_update 0), a new unit at 1 << 17 as of NOW() >> 10
  it('gives the integers Xen gets after two updates 3 ms apart with load 1', () => {
    const x = boot('credit2', topo(1, 2));
    const pool = poolOn(x, 'p', 'credit2', [1]);
    const s = x.pools.pool(pool).sched as unknown as C2Inside;
    // more than a window (2^20 grains) after the runqueue's last update: reset
    const t0 = 2 ** 31;
    x.clock.runFor(t0 - x.clock.now);
    const d = guest(x, 'g', { pool, workload: { kind: 'cpu' } });
    const u = x.pools.unitsOfDomid(d)[0]!;
    x.clock.runFor(1);
    expect(x.pools.core.curr(1)).toBe(u);
    // the wake at t0: reset to load 0 << 18, then load 1; the unit joined at t0
    expect(rqRow(s)).toEqual([1, 0, 0, grain(t0)]);
    expect([s.tf[u.idx * 8 + 3], s.tf[u.idx * 8 + 4]]).toEqual([P / 2, grain(t0)]);
    // 3 ms later its pCPU schedules and it goes on: update_load(..., 0, now)
    x.clock.runFor(MILLISECS(3) - 1);
    x.pools.core.tickle(1);
    x.clock.runFor(1);
    const delta = grain(t0 + MILLISECS(3)) - grain(t0);
    expect(delta).toBe(2929);
    // (2929 * (1 << 18)) >> 20 = 732; the unit: 131072 + 732 - ((2929 * 131072) >> 20 = 366)
    expect(rqRow(s)).toEqual([1, 732, 732, grain(t0) + 2929]);
    expect(s.tf[u.idx * 8 + 3]).toBe(131_438);
  });

  // the window is 2^20 grains of 1024 ns: at exactly 2^20 grains Xen's formula gives
  // load << 18 (as the reset would: the strict `<` cannot be told from `<=` by value), one
  // grain more is a reset, one grain less is the formula, floored
  it('resets after more than 2^20 grains and decays in whole grains before', () => {
    const x = boot('credit2', topo(1, 2));
    const pool = poolOn(x, 'p', 'credit2', [1]);
    const s = x.pools.pool(pool).sched as unknown as C2Inside;
    const slot = s.rqs[0]!.slot;
    // eight units' worth of load (the pool is empty: only this test's changes count)
    const t0 = 2 ** 31 + 1000;
    s.updateRunqLoad(slot, 8, t0);
    expect(rqRow(s)).toEqual([8, 0, 0, grain(t0)]);
    // 2^20 - 1 grains later, a little less than 2^30 ns: (delta * 8 << 18) >> 20
    const t1 = (grain(t0) + 2 ** 20 - 1) * 1024 + 10;
    s.updateRunqLoad(slot, 0, t1);
    expect(rqRow(s)).toEqual([8, 2 * (2 ** 20 - 1), 2 * (2 ** 20 - 1), grain(t1)]);
    // from 0 again: one grain past the window resets to 8 << 18 (the formula would give 2 more)
    s.updateRunqLoad(slot, -8, t1);
    s.updateRunqLoad(slot, 8, t1 + 2 ** 31);
    expect(rqRow(s)).toEqual([8, 0, 0, grain(t1 + 2 ** 31)]);
    const t2 = (grain(t1 + 2 ** 31) + 2 ** 20 + 1) * 1024;
    s.updateRunqLoad(slot, -8, t2);
    expect(rqRow(s)).toEqual([0, 8 * P, 8 * P, grain(t2)]);
  });

  // update_svc_load()'s unit_load: change -1 -> 1, change +1 -> 0, else unit_runnable(): a
  // unit that has blocked (here: its domain paused) but still runs until its pCPU's
  // schedule has been running at load 0 since the last update, as Xen's balance_load sees it
  it('counts a unit that stopped being runnable but still runs as load 0', () => {
    const x = boot('credit2', topo(1, 2));
    const pool = poolOn(x, 'p', 'credit2', [1]);
    const s = x.pools.pool(pool).sched as unknown as C2Inside;
    const d = guest(x, 'g', { pool, workload: { kind: 'cpu' } });
    const u = x.pools.unitsOfDomid(d)[0]!;
    x.clock.runFor(MILLISECS(30));
    expect(x.pools.core.curr(1)).toBe(u);
    const now = x.clock.now;
    s.updateSvcLoad(u.idx, 0, now);
    const avg = s.tf[u.idx * 8 + 3]!;
    x.hypercall({ op: 'domctl.pausedomain', domid: d });
    // still on its pCPU (vcpu_sleep_nosync only tickled it)
    expect(x.pools.core.curr(1)).toBe(u);
    const later = now + MILLISECS(2);
    s.updateSvcLoad(u.idx, 0, later);
    const delta = grain(later) - grain(now);
    expect(s.tf[u.idx * 8 + 3]).toBe(avg - Math.floor((delta * avg) / 2 ** 20));
  });
});

describe('credit2-arith: exact where a double could not hold the product', () => {
  // (delta * avgload) >> 20 for an average of more than 2^15 units of load: the product
  // passes 2^53 and is split at 2^20; checked against BigInt, as int64 would compute it
  it('decays a very large average as int64 shifts would', () => {
    const big = (avg: number, delta: number, load: number): number => {
      const [a, d, l] = [BigInt(avg), BigInt(delta), BigInt(load)];
      return Number(a + ((d * (l << 18n)) >> 20n) - ((d * a) >> 20n));
    };
    for (const [avg, delta, load] of [
      [40_000 * P + 12_345, 2 ** 20, 39_999],
      [2 ** 40 + 1, 2 ** 20 - 1, 3],
      [2 ** 33, 1_048_575, 2 ** 15],
      [12_345, 7, 1],
    ] as const) {
      expect(loadavgStep(avg, delta, load)).toBe(big(avg, delta, load));
    }
  });

  it('divides time * max_weight + residual past 2^53 exactly (t2c_update), and truncates c2t toward zero', () => {
    const time = 2 ** 40 + 3;
    const q = t2cCredits(time, 65_535, 3, 2);
    const r = t2cResidual(time, 65_535, 3, 2, q);
    const val = BigInt(time) * 65_535n + 2n;
    expect([q, r]).toEqual([Number(val / 3n), Number(val % 3n)]);
    expect(t2cCredits(1000, 256, 3, 0)).toBe(85_333);
    expect(t2cResidual(1000, 256, 3, 0, 85_333)).toBe(1);
    expect(c2t(-1001, 3, 256)).toBe(-11);
    expect(c2t(1001, 3, 256)).toBe(11);
  });
});

interface C2Credits extends C2Inside {
  t: { budgetQuota: Float64Array };
  burnCredits(rq: unknown, idx: number, now: number): void;
  runtime(rq: unknown, idx: number, continuing: boolean, now: number): number;
  tickleScore(c: number, proc: number, credit: number, u: null, softAll: boolean, maxWeight: number, now: number): number;
}

describe('credit2 credits in Xen integers', () => {
  const setWeight = (x: ReturnType<typeof boot>, domid: number, weight: number): void => {
    x.hypercall({ op: 'domctl.scheduler_op', domid, sched: 'credit2', cmd: 'putinfo', params: { weight } });
  };

  // t2c_update() (Xen 4.17): val = time * max_weight + residual; residual = val % weight;
  // credit -= val / weight. A unit of weight 3 on a runqueue of max_weight 256 that runs
  // 1 µs three times pays 85333, 85333 and 85334 credits: 256000 in all, none lost
  it('keeps the residual of a weight-3 unit on a runqueue of max_weight 256', () => {
    const x = boot('credit2', topo(1, 2));
    const pool = poolOn(x, 'p', 'credit2', [1]);
    const s = x.pools.pool(pool).sched as unknown as C2Credits;
    guest(x, 'heavy', { pool, workload: { kind: 'cpu' } });
    const d = guest(x, 'light', { pool, workload: { kind: 'cpu' } });
    setWeight(x, d, 3);
    const rq = s.rqs[0]!;
    expect(rq.maxWeight).toBe(256);
    const idx = x.pools.unitsOfDomid(d)[0]!.idx;
    const credit = (): number => s.tf[idx * 8]!;
    const residual = (): number => s.ti[idx * 16 + 15]!;
    const c0 = credit();
    const r0 = residual();
    let t = s.tf[idx * 8 + 1]!;
    const paid: number[] = [];
    let r = r0;
    for (let i = 0; i < 3; i++) {
      const before = credit();
      t += 1000;
      s.burnCredits(rq, idx, t);
      paid.push(before - credit());
      expect(residual()).toBe((1000 * 256 + r) % 3);
      r = residual();
    }
    expect(paid).toEqual([0, 1, 2].map((i) => Math.floor((1000 * 256 + ((r0 + i) % 3)) / 3)));
    expect(c0 - credit()).toBe(Math.floor((3000 * 256 + r0) / 3));
    expect(Number.isInteger(credit())).toBe(true);
  });

  // csched2_runtime(): time = c2t(rt_credit) = credit * weight / max_weight, an s_time_t
  // division: 2,000,001 credits of a weight-200 unit on a runqueue of max_weight 256 are
  // 1,562,500 ns (not 1,562,500.78; above the 1 ms ratelimit floor)
  it('converts credit to time with an integer division (c2t)', () => {
    const x = boot('credit2', topo(1, 2));
    const pool = poolOn(x, 'p', 'credit2', [1]);
    const s = x.pools.pool(pool).sched as unknown as C2Credits;
    const heavy = guest(x, 'heavy', { pool, workload: { kind: 'cpu' } });
    const d = guest(x, 'light', { pool, workload: { kind: 'cpu' } });
    setWeight(x, d, 200);
    // the weight-256 unit stays assigned to the runqueue (max_weight 256) but waits nowhere
    x.hypercall({ op: 'domctl.pausedomain', domid: heavy });
    x.clock.runFor(MILLISECS(5));
    const u = x.pools.unitsOfDomid(d)[0]!;
    expect(x.pools.core.curr(1)).toBe(u);
    const rq = s.rqs[0]!;
    expect([rq.maxWeight, rq.q.length]).toEqual([256, 0]);
    s.tf[u.idx * 8] = 2_000_001;
    expect(s.runtime(rq, u.idx, false, x.clock.now)).toBe(1_562_500);
  });

  // csched2_dom_cntl(): tot_budget = CSCHED2_BDGT_REPL_PERIOD * cap / 100 and each unit's
  // budget_quota = max(tot_budget / nr_units, CSCHED2_MIN_TIMER), s_time_t divisions
  it('gives each unit of a capped domain an integer budget quota', () => {
    const x = boot('credit2', topo(1, 3));
    const pool = poolOn(x, 'p', 'credit2', [1, 2]);
    const s = x.pools.pool(pool).sched as unknown as C2Credits;
    const d = guest(x, 'g', { pool, vcpus: 3, workload: { kind: 'cpu' } });
    x.hypercall({ op: 'domctl.scheduler_op', domid: d, sched: 'credit2', cmd: 'putinfo', params: { cap: 100 } });
    const quotas = x.pools.unitsOfDomid(d).map((u) => s.t.budgetQuota[u.idx]);
    expect(quotas).toEqual([3_333_333, 3_333_333, 3_333_333]);
  });

  // tickle_score() burns the running unit's credits (burn_credits, t2c_update with its
  // residual) before comparing: the score is a difference of integer credits, and the
  // credit it saw is the one the burn then leaves
  it('scores a preemption against the credit burn_credits leaves to the running unit', () => {
    const x = boot('credit2', topo(1, 2));
    const pool = poolOn(x, 'p', 'credit2', [1]);
    const s = x.pools.pool(pool).sched as unknown as C2Credits;
    const heavy = guest(x, 'heavy', { pool, workload: { kind: 'cpu' } });
    const d = guest(x, 'light', { pool, workload: { kind: 'cpu' } });
    setWeight(x, d, 3);
    x.hypercall({ op: 'domctl.pausedomain', domid: heavy });
    x.clock.runFor(MILLISECS(5) + 334);
    const u = x.pools.unitsOfDomid(d)[0]!;
    expect(x.pools.core.curr(1)).toBe(u);
    const now = x.clock.now;
    const ran = now - s.tf[u.idx * 8 + 1]!;
    expect(ran).toBeGreaterThan(0);
    const mine = MILLISECS(20);
    // a waker on the same pCPU, every pCPU in both soft affinities: + CSCHED2_CREDIT_INIT
    const score = s.tickleScore(1, 1, mine, null, true, 256, now);
    expect(Number.isInteger(score)).toBe(true);
    s.burnCredits(s.rqs[0], u.idx, now);
    expect(score).toBe(mine - s.tf[u.idx * 8]! + MILLISECS(10));
  });
});

describe('credit2-arith: weight == max_weight', () => {
  // the shortcut for the unit of the largest weight must give t2c_update's answer, and a
  // residual left from a larger weight (the weight was lowered) still divides
  it('burns time for time and keeps the residual, unless the residual reaches the weight', () => {
    expect([t2cCredits(12_345, 256, 256, 255), t2cResidual(12_345, 256, 256, 255, 12_345)]).toEqual([12_345, 255]);
    const q = t2cCredits(1000, 128, 128, 200);
    expect([q, t2cResidual(1000, 128, 128, 200, q)]).toEqual([1001, 72]);
    expect(c2t(-1001, 256, 256)).toBe(-1001);
  });
});
