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
 * The heap (clock-heap.ts) is numbers only, so sifting moves numbers within a few cache
 * lines and never writes to the Timer objects: on a 4096-pCPU host with 16,384 vCPUs it
 * holds ~25,000 timers, and reading and writing a Timer object per level was a sixth of
 * the scheduling loop's time.
 *
 * Every armed timer has a slot (a small integer). A heap entry is (expires, key) with
 * key = sequence * slotCap + slot: one number orders ties by arming order and names the
 * timer. The heap keeps no position per slot (updating one on every move was a random
 * cache line per level); instead each slot remembers the key of its armed entry, and
 * moving or cancelling a timer only changes that: the old entry stays in the heap,
 * stale, and is dropped when it reaches the top. Stale entries are few (a cancel or a
 * re-arm of an armed timer, which the scheduling loop rarely does), and when they
 * outnumber the armed timers the heap is rebuilt without them.
 *
 * Indexed timers (newIndexed / setIndexed / cancelIndexed) are the same heap entries
 * without a Timer object or a closure: a handler object and an integer. The dispatch
 * loop's per-pCPU and per-vCPU timers are ~20,000 of them on that host, and reading a
 * Timer and its closure when one fired was two more cache misses per event.
 */
import { grown } from './typed-grow';
import { TimerHeap } from './clock-heap';

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

/**
 * The owner of indexed timers (see Clock.newIndexed): one object with a method, called
 * with the small integer it gave each of its timers.
 */
export interface TimerHandler {
  fireTimer(arg: number, now: STime): void;
}

/** A timer armed on the clock. Cancel it with `clock.cancel(timer)` or `timer.cancel()`. */
export class Timer {
  /** The clock's slot for it while armed, -1 when not armed. */
  slot = -1;
  constructor(
    readonly clock: Clock,
    public expires: STime,
    public seq: number,
    readonly fn: TimerFn,
    /** 0 for one-shot; otherwise re-armed every `period` ns after it fires. */
    public period: STime,
  ) {}
  get armed(): boolean {
    return this.slot >= 0;
  }
  cancel(): void {
    this.clock.cancel(this);
  }
}

export class Clock {
  private readonly heap = new TimerHeap();
  /** Number of armed timers (the heap also holds stale entries). */
  private armedCount = 0;
  /** Per slot: [expires, key] of its armed heap entry; key -1 when not armed. */
  private sk = new Float64Array(128).fill(-1);
  private readonly slotTimer: (Timer | null)[] = [];
  /** Indexed timers: the handler and argument of a slot (null handler for a Timer's). */
  private readonly slotHandler: (TimerHandler | null)[] = [];
  private slotArg = new Int32Array(64);
  /** Slots of timers no longer armed, for reuse. */
  private free = new Int32Array(64);
  private nFree = 0;
  private nextSlot = 0;
  /** Slots allocated; a power of two, the radix of the keys' slot part. */
  private slotCap = 64;
  private seq = 0;
  /** Keys stay exact integers (< 2^53): sequences are renumbered when they reach this. */
  private seqLimit: number;
  private _now: STime = 0;
  /** Number of timer callbacks run since creation (for benchmarks). */
  eventsRun = 0;

  /** `keyBits` (tests only) lowers the 53-bit key space to exercise renumbering. */
  constructor(keyBits = 53) {
    this.keyBits = keyBits;
    this.seqLimit = 2 ** keyBits / this.slotCap;
  }

  private readonly keyBits: number;

  get now(): STime {
    return this._now;
  }

  /** Number of timers currently armed. */
  get pending(): number {
    return this.armedCount;
  }

  /** Time of the next event, or Infinity when none is armed. */
  get nextDue(): STime {
    return this.dropStale() ? this.heap.h[0]! : Infinity;
  }

  /** Arm a one-shot timer `delay` ns from now. */
  after(delay: STime, fn: TimerFn): Timer {
    return this.at(this._now + Math.max(0, delay), fn);
  }

  /** Arm a one-shot timer at absolute time `when` (clamped to now). */
  at(when: STime, fn: TimerFn): Timer {
    const t = new Timer(this, Math.max(when, this._now), 0, fn, 0);
    this.push(t);
    return t;
  }

  /** Arm a periodic timer: first fire `period` ns from now (or at `first`). */
  every(period: STime, fn: TimerFn, first?: STime): Timer {
    if (!(period > 0)) throw new RangeError(`timer period must be > 0 ns, got ${period}`);
    const t = new Timer(this, Math.max(first ?? this._now + period, this._now), 0, fn, period);
    this.push(t);
    return t;
  }

  /** Move an armed (or disarmed) timer to a new expiry, like Xen's set_timer(). */
  set(timer: Timer, when: STime): void {
    timer.expires = when > this._now ? when : this._now;
    if (timer.slot >= 0) {
      // the old entry goes stale: its slot's key changes
      this.arm(timer.slot, timer.expires);
      timer.seq = this.seq - 1;
      return;
    }
    this.push(timer);
  }

  cancel(timer: Timer): void {
    if (timer.armed) this.remove(timer);
  }

  /** Run the single next event, if any. Returns false when nothing is armed. */
  step(): boolean {
    if (!this.dropStale()) return false;
    this.fireTop();
    return true;
  }

  /** Run every event due at or before `until`, then leave the clock at `until`. */
  runUntil(until: STime): void {
    if (until < this._now) return;
    const heap = this.heap;
    while (heap.n > 0 && heap.h[0]! <= until) this.fireTop();
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

  /**
   * Pop the heap's top and fire it if it is still armed: a Timer, or an indexed timer
   * without touching any object of its own. A stale entry is only dropped.
   */
  private fireTop(): void {
    const heap = this.heap;
    const at = heap.h[0]!;
    const key = heap.h[1]!;
    const cap = this.slotCap;
    const s = key - Math.floor(key / cap) * cap;
    heap.popTop();
    const sk = this.sk;
    if (sk[2 * s + 1] !== key) return;
    sk[2 * s + 1] = -1;
    this.armedCount--;
    this._now = at;
    this.eventsRun++;
    const t = this.slotTimer[s];
    if (t) {
      this.fire(t, s);
      return;
    }
    this.slotHandler[s]!.fireTimer(this.slotArg[s]!, at);
  }

  /** Drop stale entries from the top; false when no timer is armed. */
  private dropStale(): boolean {
    const heap = this.heap;
    const cap = this.slotCap;
    while (heap.n > 0) {
      const key = heap.h[1]!;
      const s = key - Math.floor(key / cap) * cap;
      if (this.sk[2 * s + 1] === key) return true;
      heap.popTop();
    }
    return false;
  }

  // --- indexed timers ---

  /** A new, disarmed indexed timer calling `handler.fireTimer(arg, now)`; returns its id. */
  newIndexed(handler: TimerHandler, arg: number): number {
    const s = this.takeSlot();
    this.slotTimer[s] = null;
    this.slotHandler[s] = handler;
    this.slotArg[s] = arg;
    this.sk[2 * s + 1] = -1;
    return s;
  }

  /** Release an indexed timer (disarming it); its id may be reused. */
  freeIndexed(id: number): void {
    this.cancelIndexed(id);
    this.slotHandler[id] = null;
    this.free[this.nFree++] = id;
  }

  /** set() for an indexed timer. */
  setIndexed(id: number, when: STime): void {
    this.arm(id, when > this._now ? when : this._now);
  }

  cancelIndexed(id: number): void {
    if (this.sk[2 * id + 1]! < 0) return;
    this.sk[2 * id + 1] = -1;
    this.armedCount--;
    this.compactIfStale();
  }

  indexedArmed(id: number): boolean {
    return this.sk[2 * id + 1]! >= 0;
  }

  /** When an armed indexed timer expires (Infinity when disarmed). */
  indexedExpires(id: number): STime {
    return this.sk[2 * id + 1]! >= 0 ? this.sk[2 * id]! : Infinity;
  }

  /** A periodic Timer fired: it is armed again `period` ns later, keeping its slot. */
  private fire(t: Timer, s: number): void {
    if (t.period > 0) {
      t.expires += t.period;
      this.arm(s, t.expires);
      t.seq = this.seq - 1;
    } else {
      t.slot = -1;
      this.slotTimer[s] = null;
      this.free[this.nFree++] = s;
    }
    t.fn(this._now);
  }

  /** Arm slot `s` at `at` with the next sequence number; a previous entry goes stale. */
  private arm(s: number, at: STime): void {
    if (this.seq >= this.seqLimit) this.renumber();
    const key = this.seq++ * this.slotCap + s;
    const sk = this.sk;
    const wasArmed = sk[2 * s + 1]! >= 0;
    sk[2 * s] = at;
    sk[2 * s + 1] = key;
    this.heap.push(at, key);
    if (!wasArmed) this.armedCount++;
    else this.compactIfStale();
  }

  // --- slots and keys ---

  /** The per-slot arrays: slots outnumber armed timers once indexed timers exist. */
  private growSlots(): void {
    const old = this.slotCap;
    const cap = old * 2;
    this.sk = grown(this.sk, 2 * cap);
    this.sk.fill(-1, 2 * old);
    this.free = grown(this.free, cap);
    this.slotArg = grown(this.slotArg, cap);
    // keys carry the slot in base slotCap: write them again in the new base
    this.slotCap = cap;
    this.seqLimit = 2 ** this.keyBits / cap;
    const rekey = (k: number): number => {
      const q = Math.floor(k / old);
      return q * cap + (k - q * old);
    };
    this.heap.filter((_, k) => this.live(k, old), rekey);
    for (let s = 0; s < old; s++) if (this.sk[2 * s + 1]! >= 0) this.sk[2 * s + 1] = rekey(this.sk[2 * s + 1]!);
    if (this.seq >= this.seqLimit) this.renumber();
  }

  /** Whether heap key `k` (slot radix `cap`) is its slot's armed entry. */
  private live(k: number, cap: number): boolean {
    const s = k - Math.floor(k / cap) * cap;
    return this.sk[2 * s + 1] === k;
  }

  /** Rebuild the heap without its stale entries once they outnumber the armed timers. */
  private compactIfStale(): void {
    if (this.heap.n <= 2 * this.armedCount + 1024) return;
    this.heap.filter((_, k) => this.live(k, this.slotCap), (k) => k);
  }

  /**
   * Number the armed timers 0, 1, ... in their firing order: only the order of sequence
   * numbers matters, and keys must stay below 2^53 to be exact.
   */
  private renumber(): void {
    const cap = this.slotCap;
    this.heap.filter((_, k) => this.live(k, cap), (k) => k);
    const e = this.heap.sorted();
    for (let i = 0; i < e.length / 2; i++) {
      const k = e[2 * i + 1]!;
      const s = k - Math.floor(k / cap) * cap;
      e[2 * i + 1] = i * cap + s;
      this.sk[2 * s + 1] = i * cap + s;
      const t = this.slotTimer[s];
      if (t) t.seq = i;
    }
    this.heap.load(e);
    this.seq = e.length / 2;
    if (this.seq >= this.seqLimit) throw new RangeError(`clock: ${this.seq} armed timers exceed the ${this.keyBits}-bit key space`);
  }

  /** A slot for a timer: a freed one, or the next new one. */
  private takeSlot(): number {
    if (this.nFree > 0) return this.free[--this.nFree]!;
    if (this.nextSlot === this.slotCap) this.growSlots();
    return this.nextSlot++;
  }

  private push(t: Timer): void {
    const s = this.takeSlot();
    t.slot = s;
    this.slotTimer[s] = t;
    this.slotHandler[s] = null;
    this.arm(s, t.expires);
    t.seq = this.seq - 1;
  }

  private remove(t: Timer): void {
    const s = t.slot;
    t.slot = -1;
    this.slotTimer[s] = null;
    this.sk[2 * s + 1] = -1;
    this.armedCount--;
    this.free[this.nFree++] = s;
    this.compactIfStale();
  }
}
