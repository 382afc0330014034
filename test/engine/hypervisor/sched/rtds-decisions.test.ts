import { describe, expect, it } from 'vitest';
import { MICROSECS } from '../../../../engine/hypervisor/clock';
import { RtHarness } from './rtds-harness';

// Decisions of RTDS checked one by one against Xen 4.17's xen/common/sched/rt.c.

/**
 * Three pCPUs running units 0-2 (one each, from t=0), refilled at 10 ms (deadline 20 ms);
 * at 10.1 ms unit 3 (5 ms periods, not woken yet) would wake with deadline 15 ms.
 */
function threeBusy(): RtHarness {
  const h = new RtHarness(3, 4);
  for (let c = 0; c < 3; c++) {
    h.units[c]!.processor = c;
    h.wake(c);
    expect(h.schedule(c)).toBe(c);
  }
  h.params(3, 5000, 1000, true);
  h.at(10100);
  h.takeTickles();
  return h;
}

describe('RTDS rt_schedule', () => {
  // "if scurr has higher priority and budget, still pick scurr":
  // compare_unit_priority(scurr, snext) > 0, strictly. On a tie (same level and
  // deadline) the head of the runqueue runs and scurr goes back to the queue.
  it('gives the pCPU to the runqueue head when it ties with the running unit', () => {
    const h = new RtHarness(1, 2);
    h.wake(0);
    h.wake(1);
    expect(h.schedule(0)).toBe(0);
    h.at(1000);
    expect(h.schedule(0)).toBe(1);
  });

  // rt_context_saved(): a unit switched out while still runnable is runq_insert()ed
  // and runq_tickle()d: here pCPU 1 idles, so it goes there at once.
  it('tickles for the unit it switched out (rt_context_saved)', () => {
    const h = new RtHarness(2, 2);
    h.pin(1, [0]);
    h.params(1, 5000, 1000, true);
    h.wake(0);
    expect(h.takeTickles()).toEqual([0]);
    expect(h.schedule(0)).toBe(0);
    h.at(10100); // unit 0 refilled: deadline 20 ms; unit 1 wakes with 15 ms
    h.takeTickles();
    h.wake(1);
    expect(h.takeTickles()).toEqual([0]);
    expect(h.schedule(0)).toBe(1);
    expect(h.takeTickles()).toEqual([1]);
    expect(h.schedule(1)).toBe(0);
  });
});

describe('RTDS rt_unit_wake', () => {
  // rt_unit_wake() ends in runq_tickle() whatever queue runq_insert() chose: a depleted
  // unit (no budget, no extratime) tickles an idle pCPU too.
  it('tickles for a depleted unit that wakes', () => {
    const h = new RtHarness(1, 1);
    h.params(0, 10000, 1000, false);
    h.wake(0);
    expect(h.schedule(0)).toBe(0);
    h.takeTickles();
    h.at(4000); // the 4 ms it had (a lower budget applies from the next refill)
    expect(h.schedule(0)).toBe(-1); // depleted: off to the depleted queue
    expect(h.state(0).depleted).toBe(true);
    // rt_context_saved's runq_tickle for it: the pCPU it left idles, so it is tickled
    expect(h.takeTickles()).toEqual([0]);
    expect(h.schedule(0)).toBe(-1);
    h.block(0);
    h.at(5000);
    h.wake(0);
    expect(h.takeTickles()).toEqual([0]);
    expect(h.schedule(0)).toBe(-1);
  });
});

describe('RTDS rt_update_deadline', () => {
  // The new deadline is the old one plus as many whole periods as it takes to pass now
  // (the multiplication for more than 1024 periods gives the same): periods are
  // anchored at the unit's previous deadline, not at multiples of the period. And
  // last_start becomes now.
  it('adds whole periods to the old deadline', () => {
    const h = new RtHarness(1, 1);
    expect(h.state(0).curD).toBe(MICROSECS(10000));
    h.params(0, 3000, 1000, true);
    h.wake(0);
    h.block(0);
    h.at(50000);
    h.wake(0);
    expect(h.state(0).curD).toBe(MICROSECS(10000 + 14 * 3000));
    expect(h.state(0).lastStart).toBe(MICROSECS(50000));
    h.block(0);
    h.at(52000 + 2000 * 3000 - 500); // more than 1024 periods: Xen multiplies
    h.wake(0);
    expect(h.state(0).curD).toBe(MICROSECS(52000 + 2000 * 3000));
  });
});

describe('RTDS repl_timer_handler', () => {
  // A running unit refilled while nothing waiting beats it is left alone: Xen tickles
  // only the runqueue's head when that now has the higher priority; the unit's slice
  // is not re-armed (rt_schedule burns from last_start, which the refill set).
  it('does not reschedule a running unit it refills', () => {
    const h = new RtHarness(1, 1);
    h.wake(0);
    expect(h.schedule(0)).toBe(0);
    h.takeTickles();
    h.at(10000);
    expect(h.state(0).curD).toBe(MICROSECS(20000));
    expect(h.takeTickles()).toEqual([]);
  });

  // The handler moves the units it refills to a temporary list with list_add (at its
  // head), then tickles walking that list: the units due last are tickled first.
  it('tickles the refilled units in the reverse of the order they were due', () => {
    const h = new RtHarness(2, 2);
    h.params(0, 10000, 1000, false);
    h.params(1, 10000, 1000, false);
    h.units[0]!.processor = 1;
    h.wake(0);
    h.wake(1);
    expect(h.takeTickles()).toEqual([1, 0]);
    expect(h.schedule(1)).toBe(0);
    expect(h.schedule(0)).toBe(1);
    h.at(4000);
    expect(h.schedule(1)).toBe(-1);
    expect(h.schedule(0)).toBe(-1);
    expect(h.takeTickles()).toEqual([1, 0]);
    expect(h.schedule(1)).toBe(-1);
    expect(h.schedule(0)).toBe(-1);
    h.at(10000);
    expect(h.takeTickles()).toEqual([0, 1]);
  });
});

describe('RTDS runq_tickle', () => {
  // cpumask_test_or_cycle() from the unit's pCPU, then cpumask_cycle(): the first idle
  // pCPU in pCPU order from there, wrapping, not the one idle the longest.
  it('picks the first idle pCPU after the unit’s own, cycling', () => {
    const h = new RtHarness(4, 2);
    h.units[0]!.processor = 2;
    h.wake(0);
    expect(h.takeTickles()).toEqual([2]);
    expect(h.schedule(2)).toBe(0);
    h.units[1]!.processor = 2;
    h.wake(1);
    expect(h.takeTickles()).toEqual([3]);
  });

  // With no idle pCPU, the latest (level, deadline) among the running units; among
  // equals, the first met by the same walk from the unit's pCPU.
  it('among running units that tie for the latest deadline, preempts the first after the unit’s pCPU', () => {
    const h = threeBusy();
    h.units[3]!.processor = 2;
    h.wake(3);
    expect(h.takeTickles()).toEqual([2]);
    expect(h.schedule(2)).toBe(3);
  });
});

describe('RTDS rt_res_pick', () => {
  // The unit's pCPU when allowed, else cpumask_cycle() from it: the next allowed pCPU
  // after it, wrapping.
  it('cycles from the unit’s pCPU to the next allowed one', () => {
    const h = new RtHarness(4, 1);
    h.units[0]!.processor = 2;
    h.pin(0, [0, 3]);
    expect(h.s.pickCpu(h.unit(0))).toBe(3);
    h.units[0]!.processor = 3;
    h.pin(0, [0, 1]);
    expect(h.s.pickCpu(h.unit(0))).toBe(0);
  });
});

describe('RTDS rt_dom_cntl', () => {
  // XEN_DOMCTL_SCHEDOP_putvcpuinfo sets period and budget; the current budget is left
  // as it is until the next replenishment.
  it('leaves the current budget as it is when the budget is lowered', () => {
    const h = new RtHarness(1, 1);
    h.wake(0);
    expect(h.state(0).curB).toBe(MICROSECS(4000));
    h.params(0, 10000, 1000, true);
    expect(h.state(0).curB).toBe(MICROSECS(4000));
  });
});

describe('RTDS runq_tickle with a hard affinity', () => {
  // The same walk over the pCPUs the unit may use only, from its own pCPU, wrapping.
  it('walks the allowed pCPUs from the unit’s own, wrapping', () => {
    const h = new RtHarness(6, 5);
    for (let c = 0; c < 4; c++) {
      h.units[c]!.processor = c;
      h.wake(c);
      expect(h.schedule(c)).toBe(c);
    }
    h.takeTickles();
    h.pin(4, [0, 2, 5]);
    h.units[4]!.processor = 2;
    h.wake(4);
    expect(h.takeTickles()).toEqual([5]); // 2 busy, 5 idle (4 idles too, but is not allowed)
    expect(h.schedule(5)).toBe(4);
  });

  it('preempts the first allowed pCPU from the unit’s own among those running the latest deadline', () => {
    const h = threeBusy();
    h.pin(3, [0, 2]);
    h.units[3]!.processor = 1;
    h.wake(3);
    expect(h.takeTickles()).toEqual([2]); // from 1: 2 then 0, both at 20 ms
  });
});
