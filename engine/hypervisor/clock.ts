/**
 * The simulated clock of a XenDeck host: a discrete-event loop in nanoseconds.
 *
 * Xen keeps time as s_time_t, signed nanoseconds since boot (xen/include/xen/time.h,
 * NOW()). Our engine does the same, but the time is simulated: it only advances when
 * the loop pops the next event. Nothing in engine/hypervisor reads the wall clock, so a
 * run is a pure function of its seed and its inputs. Pacing to wall time (for the GUI)
 * is done outside the engine by whoever drives `runUntil`.
 *
 * Events are kept in a binary min-heap keyed by (time, sequence): two events due at the
 * same instant fire in the order they were armed, which keeps traces reproducible.
 */

/** Simulated nanoseconds since host boot (Xen's s_time_t). */
export type STime = number;

export const NS_PER_US = 1_000;
export const NS_PER_MS = 1_000_000;
export const NS_PER_S = 1_000_000_000;

/** Convenience converters; Xen's MICROSECS()/MILLISECS()/SECONDS() macros. */
export const MICROSECS = (us: number): STime => us * NS_PER_US;
export const MILLISECS = (ms: number): STime => ms * NS_PER_MS;
export const SECONDS = (s: number): STime => s * NS_PER_S;

export type TimerFn = (now: STime) => void;

/** A timer armed on the clock. Cancel it with `clock.cancel(timer)` or `timer.cancel()`. */
export class Timer {
  /** Index in the heap, -1 when not armed. */
  heapIndex = -1;
  constructor(
    readonly clock: Clock,
    public expires: STime,
    public seq: number,
    readonly fn: TimerFn,
    /** 0 for one-shot; otherwise re-armed every `period` ns after it fires. */
    public period: STime,
  ) {}
  get armed(): boolean {
    return this.heapIndex >= 0;
  }
  cancel(): void {
    this.clock.cancel(this);
  }
}

export class Clock {
  private heap: Timer[] = [];
  private seq = 0;
  private _now: STime = 0;
  /** Number of timer callbacks run since creation (for benchmarks). */
  eventsRun = 0;

  get now(): STime {
    return this._now;
  }

  /** Number of timers currently armed. */
  get pending(): number {
    return this.heap.length;
  }

  /** Time of the next event, or Infinity when none is armed. */
  get nextDue(): STime {
    return this.heap.length > 0 ? this.heap[0]!.expires : Infinity;
  }

  /** Arm a one-shot timer `delay` ns from now. */
  after(delay: STime, fn: TimerFn): Timer {
    return this.at(this._now + Math.max(0, delay), fn);
  }

  /** Arm a one-shot timer at absolute time `when` (clamped to now). */
  at(when: STime, fn: TimerFn): Timer {
    const t = new Timer(this, Math.max(when, this._now), this.seq++, fn, 0);
    this.push(t);
    return t;
  }

  /** Arm a periodic timer: first fire `period` ns from now (or at `first`). */
  every(period: STime, fn: TimerFn, first?: STime): Timer {
    if (!(period > 0)) throw new RangeError(`timer period must be > 0 ns, got ${period}`);
    const t = new Timer(this, Math.max(first ?? this._now + period, this._now), this.seq++, fn, period);
    this.push(t);
    return t;
  }

  /** Move an armed (or disarmed) timer to a new expiry, like Xen's set_timer(). */
  set(timer: Timer, when: STime): void {
    const at = when > this._now ? when : this._now;
    timer.seq = this.seq++;
    if (timer.heapIndex >= 0) {
      // re-key in place: sift whichever way the new key moves it
      const earlier = at < timer.expires;
      timer.expires = at;
      if (earlier) this.up(timer.heapIndex);
      else this.down(timer.heapIndex);
      return;
    }
    timer.expires = at;
    this.push(timer);
  }

  cancel(timer: Timer): void {
    if (timer.armed) this.remove(timer);
  }

  /** Run the single next event, if any. Returns false when nothing is armed. */
  step(): boolean {
    const t = this.heap[0];
    if (!t) return false;
    this.fire(t);
    return true;
  }

  /** Run every event due at or before `until`, then leave the clock at `until`. */
  runUntil(until: STime): void {
    if (until < this._now) return;
    for (;;) {
      const t = this.heap[0];
      if (!t || t.expires > until) break;
      this.fire(t);
    }
    this._now = until;
  }

  /** Run for `duration` simulated ns from now. */
  runFor(duration: STime): void {
    this.runUntil(this._now + duration);
  }

  /** Run events as fast as possible until none is left or `maxEvents` ran. */
  runAll(maxEvents = Number.MAX_SAFE_INTEGER): number {
    let n = 0;
    while (n < maxEvents && this.step()) n++;
    return n;
  }

  private fire(t: Timer): void {
    this.remove(t);
    this._now = t.expires;
    if (t.period > 0) {
      t.expires += t.period;
      t.seq = this.seq++;
      this.push(t);
    }
    this.eventsRun++;
    t.fn(this._now);
  }

  // --- binary heap on (expires, seq) ---
  private less(a: Timer, b: Timer): boolean {
    return a.expires < b.expires || (a.expires === b.expires && a.seq < b.seq);
  }

  private push(t: Timer): void {
    t.heapIndex = this.heap.length;
    this.heap.push(t);
    this.up(t.heapIndex);
  }

  private remove(t: Timer): void {
    const i = t.heapIndex;
    const last = this.heap.pop()!;
    t.heapIndex = -1;
    if (last !== t) {
      this.heap[i] = last;
      last.heapIndex = i;
      this.down(i);
      this.up(last.heapIndex);
    }
  }

  private up(i: number): void {
    const h = this.heap;
    const t = h[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = h[p]!;
      if (!this.less(t, pt)) break;
      h[i] = pt;
      pt.heapIndex = i;
      i = p;
    }
    h[i] = t;
    t.heapIndex = i;
  }

  private down(i: number): void {
    const h = this.heap;
    const n = h.length;
    const t = h[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(h[r]!, h[l]!) ? r : l;
      const ct = h[c]!;
      if (!this.less(ct, t)) break;
      h[i] = ct;
      ct.heapIndex = i;
      i = c;
    }
    h[i] = t;
    t.heapIndex = i;
  }
}
