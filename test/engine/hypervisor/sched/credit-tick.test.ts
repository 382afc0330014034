import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MICROSECS, MILLISECS } from '../../../../engine/hypervisor/clock';
import { nextTickBoundary } from '../../../../engine/hypervisor/sched/credit';
import { poolPart, pressR } from './dump-helpers';
import { boot, guest, poolOn, topo } from './helpers';

/**
 * csched_tick's period: Xen's __csched_set_tslice sets tick_period_us = tslice_ms · 1000 /
 * ticks_per_tslice in whole microseconds, with ticks_per_tslice = CSCHED_TICKS_PER_TSLICE
 * (3), or 1 when the slice is shorter than 3 ms (xen/common/sched/credit.c).
 */
function busyPool(tsliceMs: number): { tickerAt: () => number; x: ReturnType<typeof boot>; pool: number } {
  const x = boot('credit2', topo(1, 2));
  const pool = poolOn(x, 'cr', 'credit', [1]);
  x.hypercall({ op: 'sysctl.scheduler_op', poolId: pool, sched: 'credit', cmd: 'putinfo', params: { tsliceMs, ratelimitUs: 100 } });
  guest(x, 'hog', { pool, workload: { kind: 'cpu' } });
  x.clock.runFor(0);
  const s = x.pools.pool(pool).sched as unknown as { ticker: Int32Array };
  return { x, pool, tickerAt: () => x.clock.indexedExpires(s.ticker[1]!) };
}

describe("credit's tick period (tick_period_us)", () => {
  it('is a whole number of microseconds: tslice 10 ms ticks every 3333 µs', () => {
    const { x, tickerAt } = busyPool(10);
    x.clock.runFor(MILLISECS(20));
    // the ticker stays on the grid of the period: csched_tick_resume arms it at the next
    // multiple, csched_tick one period on
    const at = tickerAt();
    expect(at % MICROSECS(3333)).toBe(0);
    x.clock.runUntil(at);
    expect(tickerAt()).toBe(at + MICROSECS(3333));
  });

  it('is the whole slice when the slice is shorter than three ticks of 1 ms (ticks per tslice 1)', () => {
    const { x, pool, tickerAt } = busyPool(2);
    x.clock.runFor(MILLISECS(5));
    const at = tickerAt();
    expect(at % MILLISECS(2)).toBe(0);
    x.clock.runUntil(at);
    expect(tickerAt()).toBe(at + MILLISECS(2));
    expect(poolPart(pressR(x), pool)).toContain('\tticks per tslice   = 1');
  });
});

describe("csched_schedule's restart of the tick on a pCPU leaving idle", () => {
  it("is Xen's now + period - now % period for every whole-ns time and period", () => {
    const xen = (now: number, p: number): number => now + p - (now % p);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 52 }), fc.integer({ min: 1, max: 2_000_000_000 }), (now, p) => {
        expect(nextTickBoundary(now, p)).toBe(xen(now, p));
      }),
      { numRuns: 20_000 },
    );
    // just below, at and just above multiples, where the quotient rounds
    for (const p of [MICROSECS(3333), MILLISECS(10), MILLISECS(1000), 7]) {
      for (const k of [0, 1, 2, 3, 1e6, 2 ** 40 / p, Math.floor(2 ** 52 / p) - 2]) {
        const m = Math.floor(k) * p;
        for (const now of [m - 1, m, m + 1]) if (now >= 0) expect(nextTickBoundary(now, p)).toBe(xen(now, p));
      }
    }
  });
});
