/**
 * The load average as Linux computes it (kernel/sched/loadavg.c): every LOAD_FREQ (5 s
 * and a tick) calc_global_load folds the count of active tasks (running plus
 * uninterruptible) into three exponentially decaying averages, with the fixed-point
 * factors EXP_1 = 1884, EXP_5 = 2014, EXP_15 = 2037 over FIXED_1 = 2048 (1/exp(5s/1min),
 * 1/exp(5s/5min), 1/exp(5s/15min)). Here the samples are taken on the simulated clock,
 * lazily: the active count is constant between the moments the guest changes it.
 */
const FSHIFT = 11;
const FIXED_1 = 1 << FSHIFT;
const EXP = [1884, 2014, 2037] as const;
/** LOAD_FREQ = 5*HZ+1 with HZ = 250: 5.004 s. */
export const LOAD_FREQ_NS = 5_004_000_000;

export class LoadAverage {
  private readonly avenrun = [0, 0, 0];
  private nextSample: number;
  private active = 0;

  constructor(startNs: number) {
    this.nextSample = startNs + LOAD_FREQ_NS;
  }

  /** The number of active tasks changes at `nowNs`. */
  set(nowNs: number, active: number): void {
    this.advance(nowNs);
    this.active = active;
  }

  /** The three averages at `nowNs`, as /proc/loadavg prints them. */
  at(nowNs: number): [number, number, number] {
    this.advance(nowNs);
    return [0, 1, 2].map((i) => this.avenrun[i]! / FIXED_1) as [number, number, number];
  }

  private advance(nowNs: number): void {
    const a = this.active * FIXED_1;
    while (this.nextSample <= nowNs) {
      for (let i = 0; i < 3; i++) {
        // calc_load(): load * exp + active * (FIXED_1 - exp), rounded up while rising
        const e = EXP[i]!;
        let n = this.avenrun[i]! * e + a * (FIXED_1 - e);
        if (a >= this.avenrun[i]!) n += FIXED_1 - 1;
        this.avenrun[i] = Math.floor(n / FIXED_1);
      }
      this.nextSample += LOAD_FREQ_NS;
    }
  }
}
