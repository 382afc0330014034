/**
 * The cursor blinks only while the console is quiet; while the user types or the guest
 * prints it stays solid (as most terminals and editors do). xterm.js's DOM renderer
 * blinks with an infinite CSS animation on the cursor cell; while it runs, Chromium
 * produces a frame every vsync and the render xterm requests for an echo (one
 * requestAnimationFrame) came a whole frame late: console bench, echo p50 25 ms with a
 * blinking cursor, 5 ms without. So a keystroke or output stops the blink at once and a
 * quiet `idleMs` starts it again.
 */
export interface BlinkTarget {
  options: { cursorBlink?: boolean };
}

export interface BlinkTimers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const windowTimers: BlinkTimers = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** How long the console must be quiet before the cursor blinks again. */
export const IDLE_BLINK_MS = 1000;

export class IdleCursorBlink {
  private last = 0;
  private timer: unknown = undefined;
  private disposed = false;

  constructor(
    private readonly term: BlinkTarget,
    private readonly idleMs: number = IDLE_BLINK_MS,
    private readonly timers: BlinkTimers = windowTimers,
  ) {
    this.arm(idleMs);
  }

  /** Input or output now: the cursor stops blinking until the console is quiet again. */
  activity(): void {
    if (this.disposed) return;
    this.last = this.timers.now();
    if (this.term.options.cursorBlink) this.term.options.cursorBlink = false;
    // One timer for a whole burst: it re-arms itself for the rest of the quiet time.
    if (this.timer === undefined) this.arm(this.idleMs);
  }

  get blinking(): boolean {
    return this.term.options.cursorBlink === true;
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(ms: number): void {
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      if (this.disposed) return;
      const quiet = this.timers.now() - this.last;
      if (quiet < this.idleMs) this.arm(this.idleMs - quiet);
      else this.term.options.cursorBlink = true;
    }, ms);
  }
}
