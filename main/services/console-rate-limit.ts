/**
 * The rate limit xenconsoled puts on a guest that floods its console (tools/console/
 * daemon/io.c: RATE_LIMIT_ALLOWANCE events per RATE_LIMIT_PERIOD ms; past it the
 * domain's event channel stays masked until the period ends, so the guest waits on a
 * full ring and nothing is lost). We count bytes rather than events, because one read
 * of our ring is not capped to one page: past `allowanceBytes` in a period, the console
 * is paused until the period ends.
 */
export interface RateLimitTimers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realRateTimers: RateLimitTimers = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => {
    const h = setTimeout(fn, ms);
    h.unref?.();
    return h;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface RateLimit {
  allowanceBytes: number;
  periodMs: number;
}

/** 4 MiB per 125 ms: 32 MiB/s, far above any interactive use, well below a `yes` flood. */
export const DEFAULT_RATE_LIMIT: RateLimit = { allowanceBytes: 4 * 1024 * 1024, periodMs: 125 };

export class ConsoleRateLimiter {
  private periodStart: number;
  private bytes = 0;
  private timer: unknown = undefined;
  /** Times the guest was held back (for tests and the GUI). */
  throttled = 0;

  constructor(
    private readonly limit: RateLimit,
    private readonly timers: RateLimitTimers,
    private readonly pause: () => void,
    private readonly resume: () => void,
  ) {
    this.periodStart = timers.now();
  }

  /** Count `n` bytes read from the guest; pause it when over the allowance. */
  account(n: number): void {
    const now = this.timers.now();
    if (now - this.periodStart >= this.limit.periodMs) {
      this.periodStart = now;
      this.bytes = 0;
    }
    this.bytes += n;
    if (this.bytes >= this.limit.allowanceBytes && this.timer === undefined) {
      this.throttled++;
      this.pause();
      this.timer = this.timers.setTimeout(() => {
        this.timer = undefined;
        this.periodStart = this.timers.now();
        this.bytes = 0;
        this.resume();
      }, Math.max(0, this.periodStart + this.limit.periodMs - now));
    }
  }

  get holding(): boolean {
    return this.timer !== undefined;
  }

  dispose(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
