import { describe, expect, it } from 'vitest';
import { MICROSECS, MILLISECS } from '../../../../engine/hypervisor/clock';
import type { Xen } from '../../../../engine/hypervisor/xen';
import { boot, guest, poolOn, topo } from './helpers';

/** credit2's record of a unit (credit2.ts F): credit at 0, start_time at 1, run start at 2. */
const rec = (x: Xen, domid: number): { tf: Float64Array; b: number } => {
  const u = x.pools.unitsOfDomid(domid)[0]!;
  return { tf: (u.sched as unknown as { tf: Float64Array }).tf, b: u.idx * 8 };
};
/** Sets a unit's credit, as of now (nothing burnt yet). */
const setCredit = (x: Xen, domid: number, credit: number): void => {
  const { tf, b } = rec(x, domid);
  tf[b] = credit;
  tf[b + 1] = x.clock.now;
};
const cpuOf = (x: Xen, domid: number): number => {
  const v = x.hypercall({ op: 'domctl.getvcpuinfo', domid })[0]!;
  return v.runstate === 'running' ? v.cpu : -1;
};

interface Setup {
  x: Xen;
  /** The domains running on pCPUs 1, 2 and 3 (pinned there, CPU-bound). */
  busy: number[];
  w: number;
}

/**
 * Pool p on pCPUs 1-3 (one runqueue), a busy unit pinned to each, and w, paused, whose
 * processor is `proc` (the only idle pCPU when it last ran), that may run on all three,
 * with soft affinity `soft` if given.
 */
function setup(proc: number, soft?: number[]): Setup {
  const x = boot('credit2', topo(1, 4));
  const pool = poolOn(x, 'p', 'credit2', [1, 2, 3]);
  const busyOn = (c: number): number => {
    const d = guest(x, `busy${c}`, { pool, workload: { kind: 'cpu' } });
    x.hypercall({ op: 'domctl.setvcpuaffinity', domid: d, vcpu: 0, hard: [c] });
    return d;
  };
  const others = [1, 2, 3].filter((c) => c !== proc).map((c) => [c, busyOn(c)] as const);
  x.clock.runFor(MILLISECS(1));
  const w = guest(x, 'w', { pool });
  x.clock.runFor(MILLISECS(1)); // no pCPU left tickled
  x.hypercall({ op: 'domctl.setvcpuaffinity', domid: w, vcpu: 0, hard: [1, 2, 3], ...(soft ? { soft } : {}) });
  x.hypercall({ op: 'sim.set_workload', domid: w, vcpu: 'all', workload: { kind: 'cpu' } });
  x.clock.runFor(MILLISECS(1));
  expect(cpuOf(x, w)).toBe(proc);
  x.hypercall({ op: 'domctl.pausedomain', domid: w });
  const mine = busyOn(proc);
  const busy = [1, 2, 3].map((c) => (c === proc ? mine : others.find(([o]) => o === c)![1]));
  x.clock.runFor(MILLISECS(3));
  expect(x.hypercall({ op: 'domctl.getvcpuinfo', domid: w })[0]!.cpu).toBe(proc);
  expect(busy.map((d) => cpuOf(x, d))).toEqual([1, 2, 3]);
  return { x, busy, w };
}

/** Credits of the units on pCPUs 1-3 and of w (ms), then w wakes: where does it run `after` ns later? */
function wake(s: Setup, credits: number[], wCredit: number, after = 1): number {
  s.busy.forEach((d, i) => setCredit(s.x, d, MILLISECS(credits[i]!)));
  setCredit(s.x, s.w, MILLISECS(wCredit));
  s.x.hypercall({ op: 'domctl.unpausedomain', domid: s.w });
  s.x.clock.runFor(after);
  return cpuOf(s.x, s.w);
}

describe('credit2 runq_tickle, busy pCPUs', () => {
  // Xen 4.17's runq_tickle() looks at the unit's own processor first: if preempting its
  // unit scores above 0 and the processor is in the unit's soft affinity (every pCPU when
  // none is set), that pCPU is tickled without looking further, even if another pCPU
  // runs a unit with still less credit.
  it("preempts the unit's processor when that is worth it, before looking at the others", () => {
    const s = setup(1);
    expect(wake(s, [5, 0, 0], 9)).toBe(1);
  });

  // tickle_score(): a positive score gets CSCHED2_CREDIT_INIT more when the pCPU is in the
  // new unit's soft affinity, and CSCHED2_CREDIT_INIT more when it is not in the soft
  // affinity of the unit running there
  it("favours a pCPU of the new unit's soft affinity by CSCHED2_CREDIT_INIT", () => {
    // w's processor (2) scores below 0; pCPU 1: 8.5 ms; pCPU 3: 4.5 ms + CREDIT_INIT
    const s = setup(2, [2, 3]);
    expect(wake(s, [0, 9, 4], 9)).toBe(3);
  });

  it('favours a pCPU whose running unit is outside its own soft affinity', () => {
    const s = setup(1);
    // the unit on pCPU 3 has its soft affinity on pCPU 1
    s.x.hypercall({ op: 'domctl.setvcpuaffinity', domid: s.busy[2]!, vcpu: 0, soft: [1] });
    s.x.clock.runFor(MILLISECS(2));
    expect(cpuOf(s.x, s.busy[2]!)).toBe(3);
    // pCPU 1 scores below 0; pCPU 2: 8.5 ms + CREDIT_INIT; pCPU 3: 4.5 ms + 2 CREDIT_INIT
    expect(wake(s, [9, 0, 4], 9)).toBe(3);
  });

  // is_preemptable(): a running unit can be preempted once it has run MORE than the
  // ratelimit less CSCHED2_RATELIMIT_TICKLE_TOLERANCE (950 µs by default; the units on
  // pCPUs 2 and 3 have run 1 and 2 ns less than the one on pCPU 1). The pCPU tickled
  // then keeps its unit, still within the ratelimit (runq_candidate), for one more slice
  // of CSCHED2_MIN_TIMER (csched2_runtime), and then runs w. Not tickled, it goes on
  // with the slice its unit started with (10 ms).
  for (const [ranUs, preempted] of [
    [950, false],
    [951, true],
  ] as const) {
    it(`${preempted ? 'preempts' : 'does not preempt'} a unit that has run ${ranUs} µs of its 1000 µs ratelimit`, () => {
      const s = setup(1);
      const x = s.x;
      // the busy units run again, one after the other (1 ns apart: each with nobody
      // waiting, so with a slice of 10 ms), the one on pCPU 1 first
      for (const d of s.busy) x.hypercall({ op: 'domctl.pausedomain', domid: d });
      x.clock.runFor(MILLISECS(1));
      for (const d of s.busy) {
        setCredit(x, d, MILLISECS(10));
        x.hypercall({ op: 'domctl.unpausedomain', domid: d });
        x.clock.runFor(1);
      }
      const r = rec(x, s.busy[0]!);
      const start = r.tf[r.b + 2]!;
      expect(x.clock.now - start).toBe(3);
      x.clock.runFor(start + MICROSECS(ranUs) - x.clock.now);
      expect(s.busy.map((d) => cpuOf(x, d))).toEqual([1, 2, 3]);
      expect(wake(s, [11, 11, 11], 20, MICROSECS(505))).toBe(preempted ? 1 : -1);
    });
  }
});
