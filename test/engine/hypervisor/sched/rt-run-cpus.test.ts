import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RtRunCpus } from '../../../../engine/hypervisor/sched/rt-run-cpus';

/**
 * runq_tickle's walk (rt.c): over the candidates, the first in rank order among those
 * running the latest (priority level, deadline).
 */
const walk = (want: boolean[], level: number[], deadline: number[], rank: number[]): number => {
  let best = -1;
  const order = want.map((_, c) => c).sort((a, b) => rank[a]! - rank[b]!);
  for (const c of order) {
    if (!want[c]) continue;
    if (best < 0 || level[c]! > level[best]! || (level[c] === level[best] && deadline[c]! > deadline[best]!)) best = c;
  }
  return best;
};

describe('RtRunCpus', () => {
  it('its top is the pCPU the walk picks, whatever changed between looks', () => {
    const N = 12;
    // op: 0 new key (level, deadline), 1 join, 2 leave, 3 new rank (rejoined the pool), 4 look
    const op = fc.tuple(fc.integer({ min: 0, max: 4 }), fc.nat(N - 1), fc.nat(2), fc.nat(6));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 600 }), (ops) => {
        const run = new RtRunCpus(N);
        const want = new Array<boolean>(N).fill(false);
        const level = new Array<number>(N).fill(0);
        const deadline = new Array<number>(N).fill(0);
        const rank = new Array<number>(N).fill(0);
        let nextRank = 0;
        for (let c = 0; c < N; c++) {
          rank[c] = nextRank++;
          run.setRank(c, rank[c]!);
        }
        for (const [kind, cpu, l, d] of ops) {
          if (kind === 0) {
            level[cpu] = l;
            deadline[cpu] = d * 1000;
            run.setKey(cpu, l, d * 1000);
          } else if (kind === 1) {
            want[cpu] = true;
            run.join(cpu);
          } else if (kind === 2) {
            want[cpu] = false;
            run.leave(cpu);
          } else if (kind === 3) {
            want[cpu] = false;
            run.leave(cpu);
            rank[cpu] = nextRank++;
            run.setRank(cpu, rank[cpu]!);
          } else {
            expect(run.top()).toBe(walk(want, level, deadline, rank));
          }
        }
        expect(run.top()).toBe(walk(want, level, deadline, rank));
      }),
    );
  });
});
