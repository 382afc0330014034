import { describe, expect, it } from 'vitest';
import { MICROSECS, MILLISECS } from '../../../../engine/hypervisor/clock';
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
