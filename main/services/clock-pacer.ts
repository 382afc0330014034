/**
 * Paces the simulated clocks of the lab's embedded hosts to wall time, so guests boot,
 * sleep and answer at the speed a user expects (docs/DESIGN: the engine never reads the
 * wall clock; whoever drives it does). Every tick advances each embedded host by the
 * wall time since the last tick, at most maxStepMs (a stalled process does not make
 * the guests jump minutes ahead). Tests do not use it: they step the clock themselves.
 */
import { EmbeddedHost } from '../../engine/toolstack/embedded-host';
import type { ToolstackHost } from '../../engine/toolstack/host-api';

export interface PacerTimers {
  now(): number;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const wallTimers: PacerTimers = {
  now: () => performance.now(),
  setInterval: (fn, ms) => {
    const h = setInterval(fn, ms);
    h.unref?.();
    return h;
  },
  clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
};

export interface PacerOptions {
  intervalMs?: number;
  maxStepMs?: number;
  timers?: PacerTimers;
}

export class ClockPacer {
  private handle: unknown = undefined;
  private last = 0;
  private readonly intervalMs: number;
  private readonly maxStepMs: number;
  private readonly timers: PacerTimers;

  constructor(
    private readonly hosts: () => ToolstackHost[],
    opts: PacerOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? 10;
    this.maxStepMs = opts.maxStepMs ?? 250;
    this.timers = opts.timers ?? wallTimers;
  }

  start(): void {
    if (this.handle !== undefined) return;
    this.last = this.timers.now();
    this.handle = this.timers.setInterval(() => this.tick(), this.intervalMs);
  }

  stop(): void {
    if (this.handle !== undefined) this.timers.clearInterval(this.handle);
    this.handle = undefined;
  }

  get running(): boolean {
    return this.handle !== undefined;
  }

  /** Bring every embedded host's clock up to now (also called before console input). */
  tick(): void {
    const now = this.timers.now();
    const ms = Math.min(Math.max(0, now - this.last), this.maxStepMs);
    this.last = now;
    if (ms <= 0) return;
    const ns = Math.round(ms * 1e6);
    for (const h of this.hosts()) if (h instanceof EmbeddedHost) h.advanceClock(ns);
  }
}
