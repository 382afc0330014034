/**
 * `xl sched-credit -s` / `xl sched-credit2 -s` / `xl sched-rtds -s` of the embedded host
 * held against what the real xl 4.17 printed on the harness host (test/fixtures/realxen,
 * test/realxen/capture.ts): pool lines, libxl's range checks with their log sites, the
 * refusals, and the exit statuses.
 */
import { describe, expect, it } from 'vitest';
import { fixture, fixtureExit, newLab, xl } from './xl-harness';

async function labWithCreditPool(): Promise<string> {
  const lab = newLab();
  expect((await xl(lab, 'cpupool-cpu-remove', 'Pool-0', '7')).code).toBe(0);
  expect((await xl(lab, 'cpupool-create', 'name="cp-credit"', 'sched="credit"', 'cpus="7"')).code).toBe(0);
  return lab;
}

describe('xl sched-* -s, held against a real Xen 4.17', () => {
  it("credit2: Pool-0's rate limit, a change, and libxl's range check with its log site", async () => {
    const lab = newLab();
    expect((await xl(lab, 'sched-credit2', '-s')).stdout).toBe(fixture('xl-sched-credit2-s.out'));
    const set = await xl(lab, 'sched-credit2', '-s', '-p', 'Pool-0', '-r', '1500');
    expect(set.code).toBe(0);
    expect((await xl(lab, 'sched-credit2', '-s', '-p', 'Pool-0')).stdout).toBe('Cpupool Pool-0: ratelimit=1500us\n');
    const bad = await xl(lab, 'sched-credit2', '-s', '-p', 'Pool-0', '-r', '1');
    expect(bad.stderr).toBe(fixture('xl-sched-credit2-s-bad-ratelimit.err'));
    expect(bad.code).toBe(fixtureExit('xl-sched-credit2-s-bad-ratelimit'));
    const nosuch = await xl(lab, 'sched-credit2', '-s', '-p', 'nosuch', '-r', '1000');
    expect(nosuch.stderr).toBe(fixture('xl-sched-credit2-s-nosuch.err'));
    expect(nosuch.code).toBe(fixtureExit('xl-sched-credit2-s-nosuch'));
  });

  it('credit: time slice, rate limit and migration delay; a slice out of range; a rate limit above the slice', async () => {
    const lab = await labWithCreditPool();
    expect((await xl(lab, 'sched-credit', '-s', '-p', 'cp-credit')).stdout).toBe(fixture('xl-sched-credit-s.out'));
    expect((await xl(lab, 'sched-credit', '-s', '-p', 'cp-credit', '-t', '5', '-r', '500', '-m', '200')).code).toBe(0);
    expect((await xl(lab, 'sched-credit', '-s', '-p', 'cp-credit')).stdout).toBe(fixture('xl-sched-credit-s-set.out'));
    const slice = await xl(lab, 'sched-credit', '-s', '-p', 'cp-credit', '-t', '0');
    expect(slice.stderr).toBe(fixture('xl-sched-credit-s-bad-tslice.err'));
    expect(slice.code).toBe(fixtureExit('xl-sched-credit-s-bad-tslice'));
    const over = await xl(lab, 'sched-credit', '-s', '-p', 'cp-credit', '-t', '2', '-r', '5000');
    expect(over.stderr).toBe(fixture('xl-sched-credit-s-ratelimit-over-tslice.err'));
    expect(over.code).toBe(fixtureExit('xl-sched-credit-s-ratelimit-over-tslice'));
    // a refused change leaves the pool as it was
    expect((await xl(lab, 'sched-credit', '-s', '-p', 'cp-credit')).stdout).toBe(fixture('xl-sched-credit-s-set.out'));
  });

  it('rtds has no -s in xl 4.17', async () => {
    const r = await xl(newLab(), 'sched-rtds', '-s');
    expect(r.stdout).toBe(fixture('xl-sched-rtds-s.out'));
    expect(r.stderr).toBe(fixture('xl-sched-rtds-s.err'));
    expect(r.code).toBe(fixtureExit('xl-sched-rtds-s'));
  });
});
