import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RtRunCpus } from '../../../../engine/hypervisor/sched/rt-run-cpus';

/**
 * runq_tickle's walk (rt.c): over the candidates in cpumask_cycle() order from `start`
 * (pCPU numbers, wrapping), the first met among those running the latest (priority
 * level, deadline): a later one replaces it only when strictly lower in priority.
 */
const walk = (want: boolean[], level: number[], deadline: number[], start: number): number => {
  const n = want.length;
  let best = -1;
  for (let i = 0; i < n; i++) {
    const c = (start + i) % n;
    if (!want[c]) continue;
    if (best < 0 || level[c]! > level[best]! || (level[c] === level[best] && deadline[c]! > deadline[best]!)) best = c;
  }
  return best;
};

describe('RtRunCpus', () => {
  it('latestFrom(start) is the pCPU the walk from start picks, whatever changed between looks', () => {
    const N = 12;
    // op: 0 new key (level, deadline), 1 join, 2 leave, 3 look from pCPU `cpu`
    const op = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.nat(N - 1), fc.nat(2), fc.nat(3));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 600 }), (ops) => {
        const run = new RtRunCpus(N);
        const want = new Array<boolean>(N).fill(false);
        const level = new Array<number>(N).fill(0);
        const deadline = new Array<number>(N).fill(0);
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
          } else {
            expect(run.latestFrom(cpu)).toBe(walk(want, level, deadline, cpu));
            expect(run.top()).toBe(walk(want, level, deadline, 0));
          }
        }
        for (let s = 0; s < N; s++) expect(run.latestFrom(s)).toBe(walk(want, level, deadline, s));
      }),
    );
  });
});
