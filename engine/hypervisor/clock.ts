/**
 * The simulated clock of a XenDeck host: a discrete-event loop in nanoseconds.
 *
 * Xen keeps time as s_time_t, signed nanoseconds since boot (xen/include/xen/time.h,
 * NOW()). Our engine does the same, but the time is simulated: it only advances when
 * the loop pops the next event. Nothing in engine/hypervisor reads the wall clock, so a
 * run is a pure function of its seed and its inputs. Pacing to wall time (for the GUI)
 * is done outside the engine by whoever drives `runUntil`.
 *
 * Timers fire in the order of their key (expires, sequence): two timers due at the same
 * instant fire in the order they were armed, which keeps traces reproducible.
 *
 * Where they wait is a timer wheel (a calendar queue, as Linux keeps its timers in
 * kernel/time/timer.c; Xen's xen/common/timer.c has a heap per CPU: the order of keys is
 * the same, the cost is not). The wheel has 2^wheelBits buckets of 2^wheelShift ns; a
 * timer due within the wheel's span of its cursor (the bucket of the current time) goes
 * at the head of its bucket's list, in no order; a timer due later waits in an overflow
 * heap and moves onto the wheel when the cursor comes within a span of it. A bucket is
 * sorted once, when the cursor reaches it; timers armed into it after that go to their
 * place. The default wheel (2 µs buckets, a 134 ms span) is sized for the 4096-pCPU
 * bench host: ~16,000 timers armed, 2.3 million events per simulated second, and over
 * 99.5 % of timers armed less than 134 ms ahead. There a binary heap's sift down went
 * through ~12 levels per event and was a fifth of the loop's time; arming on the wheel
 * is a few stores (credit2 1.1-1.2x, credit and RTDS ~1.25x faster on that host).
 *
 * Indexed timers (newIndexed / setIndexed / cancelIndexed) are timers without a Timer
 * object or a closure: a handler object and an integer. The dispatch loop's per-pCPU
 * and per-vCPU timers are ~20,000 of them on that host, and reading a Timer and its
 * closure when one fired was two more cache misses per event.
 */
import { grown } from './typed-grow';

/** Simulated nanoseconds since host boot (Xen's s_time_t). */
export type STime = number;

export const NS_PER_US = 1_000;
export const NS_PER_MS = 1_000_000;
export const NS_PER_S = 1_000_000_000;

/** Convenience converters; Xen's MICROSECS()/MILLISECS()/SECONDS() macros. */
export const MICROSECS = (us: number): STime => us * NS_PER_US;
export const MILLISECS = (ms: number): STime => ms * NS_PER_MS;
export const SECONDS = (s: number): STime => s * NS_PER_S;

/** slotCall's handler number of a released indexed timer's slot (-1 is a Timer's). */
const SLOT_FREED = -2;
/** pos[] of a disarmed timer's slot, and of one on the wheel (else: its overflow heap index). */
const DISARMED = -1;
const ON_WHEEL = -2;

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

export interface ClockOptions {
  /** log2 of a wheel bucket's width in ns (default 11: 2.048 µs). */
  wheelShift?: number;
  /** log2 of the number of buckets (default 16: with the default width, a 134 ms span). */
  wheelBits?: number;
}

export class Clock {
  // --- per slot (a slot per armed Timer, one per indexed timer) ---
  /** Key of each slot's timer, side by side: (expires, seq) at 2·slot, 2·slot + 1. */
  private key = new Float64Array(128);
  /** Bucket list links of each slot on the wheel: previous at 2·slot, next at 2·slot + 1. */
  private link = new Int32Array(128);
  /** Overflow heap index of each slot's timer, or ON_WHEEL, or DISARMED. */
  private pos = new Int32Array(64).fill(DISARMED);
  private readonly slotTimer: (Timer | null)[] = [];
  /**
   * Per slot, side by side so a fired timer's are one cache line: its handler's number in
   * `handlers` (-1 for a Timer's slot: slotTimer has it) and its argument.
   */
  private slotCall = new Int32Array(128);
  /**
   * The owners of indexed timers (a few: the dispatch loop, each credit instance), and
   * how many slots each has; an entry is let go (null) when its last slot is freed.
   */
  private readonly handlers: (TimerHandler | null)[] = [];
  private readonly handlerSlots: number[] = [];
  /** Slots of timers no longer armed, for reuse. */
  private free = new Int32Array(64);
  private nFree = 0;
  private nextSlot = 0;
  private slotCap = 64;

  // --- the wheel ---
  private readonly shift: number;
  /** 2^-shift: a time times this, floored, is its bucket number (exact: a power of two). */
  private readonly perBucket: number;
  /** 2^shift, a bucket's width in ns. */
  private readonly width: number;
  private readonly nb: number;
  private readonly mask: number;
  /** First slot of each bucket's list (-1: empty). */
  private readonly head: Int32Array;
  /** A bit per bucket, set while its list is not empty (for skipping empty buckets). */
  private readonly used: Int32Array;
  /** The cursor: its bucket number (time / width, floored) and that bucket's index. */
  private curB = 0;
  private curI = 0;
  /** The cursor's bucket is in key order (it is sorted when its first timer is due). */
  private curSorted = false;
  private onWheel = 0;

  // --- the overflow heap: timers beyond the wheel's span, a binary heap on (expires, seq) ---
  private n = 0;
  private cap = 64;
  private hExp = new Float64Array(64);
  private hSeq = new Float64Array(64);
  private hSlot = new Int32Array(64);

  private seq = 0;
  private _now: STime = 0;
  /** Number of timer callbacks run since creation (for benchmarks). */
  eventsRun = 0;

  constructor(opts: ClockOptions = {}) {
    this.shift = opts.wheelShift ?? 11;
    const bits = opts.wheelBits ?? 16;
    if (!(Number.isInteger(this.shift) && this.shift >= 0 && this.shift <= 30)) throw new RangeError(`wheelShift must be an integer in 0..30, got ${this.shift}`);
    if (!(Number.isInteger(bits) && bits >= 5 && bits <= 24)) throw new RangeError(`wheelBits must be an integer in 5..24, got ${bits}`);
    this.perBucket = 2 ** -this.shift;
    this.width = 2 ** this.shift;
    this.nb = 1 << bits;
    this.mask = this.nb - 1;
    this.head = new Int32Array(this.nb).fill(-1);
    this.used = new Int32Array(this.nb >> 5);
  }

  get now(): STime {
    return this._now;
  }

  /** Number of timers currently armed. */
  get pending(): number {
    return this.onWheel + this.n;
  }

  /** Time of the next event, or Infinity when none is armed. */
  get nextDue(): STime {
    if (this.onWheel === 0) return this.n > 0 ? this.hExp[0]! : Infinity;
    const i = this.head[this.curI]! >= 0 ? this.curI : this.nextUsed();
    let s = this.head[i]!;
    if (i === this.curI && this.curSorted) return this.key[2 * s]!;
    let min = Infinity;
    for (; s >= 0; s = this.link[2 * s + 1]!) if (this.key[2 * s]! < min) min = this.key[2 * s]!;
    return min;
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
    timer.expires = at;
    if (timer.slot >= 0) {
      this.disarm(timer.slot);
      this.arm(timer.slot, at, timer.seq);
      return;
    }
    this.push(timer);
  }

  cancel(timer: Timer): void {
    if (timer.armed) this.remove(timer);
  }

  /** Run the single next event, if any. Returns false when nothing is armed. */
  step(): boolean {
    if (this.head[this.curI]! < 0 && !this.advance(Infinity)) {
      if (this.n === 0) return false;
      // the overflow heap's top is beyond any bucket number (expires Infinity)
      const s = this.hSlot[0]!;
      this.removeAt(0);
      this.pos[s] = DISARMED;
      this.fireSlot(s, this.key[2 * s]!);
      return true;
    }
    if (!this.curSorted) this.sortCursor();
    const s = this.head[this.curI]!;
    this.unlinkHead(s);
    this.fireSlot(s, this.key[2 * s]!);
    return true;
  }

  /** Run every event due at or before `until`, then leave the clock at `until`. */
  runUntil(until: STime): void {
    if (until < this._now) return;
    const last = Math.floor(until * this.perBucket);
    const head = this.head;
    const key = this.key;
    for (;;) {
      let s = head[this.curI]!;
      if (s < 0) {
        if (!this.advance(last)) break;
        s = head[this.curI]!;
      }
      if (!this.curSorted) {
        this.sortCursor();
        s = head[this.curI]!;
      }
      const at = key[2 * s]!;
      if (at > until) break;
      this.unlinkHead(s);
      this.fireSlot(s, at);
    }
    // (a clock run to Infinity has no bucket to stand on: nothing can be armed after it)
    if (this.curB < last && last !== Infinity) this.moveCursor(last);
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

  /** Fire slot s's timer, taken off the wheel or heap, due at `at`. */
  private fireSlot(s: number, at: STime): void {
    const h = this.slotCall[2 * s]!;
    this.pos[s] = DISARMED;
    this._now = at;
    this.eventsRun++;
    if (h < 0) {
      const t = this.slotTimer[s]!;
      // a Timer's slot is let go when it fires; a periodic one is armed again first
      t.slot = -1;
      this.slotTimer[s] = null;
      this.free[this.nFree++] = s;
      if (t.period > 0) {
        t.expires += t.period;
        t.seq = this.seq++;
        this.push(t);
      }
      t.fn(at);
      return;
    }
    this.handlers[h]!.fireTimer(this.slotCall[2 * s + 1]!, at);
  }

  // --- indexed timers ---

  /** A new, disarmed indexed timer calling `handler.fireTimer(arg, now)`; returns its id. */
  newIndexed(handler: TimerHandler, arg: number): number {
    const s = this.takeSlot();
    let h = this.handlers.indexOf(handler);
    if (h < 0) {
      h = this.handlers.indexOf(null);
      if (h < 0) h = this.handlers.length;
      this.handlers[h] = handler;
      this.handlerSlots[h] = 0;
    }
    this.handlerSlots[h]!++;
    this.slotTimer[s] = null;
    this.slotCall[2 * s] = h;
    this.slotCall[2 * s + 1] = arg;
    this.pos[s] = DISARMED;
    // at() numbered every timer it made; keep the numbering the same
    this.seq++;
    return s;
  }

  /**
   * Release an indexed timer (disarming it); its id may be reused. Releasing it again is
   * nothing, as Xen's kill_timer() of a killed timer is (xen/common/timer.c): a second
   * free must not hand the same slot to two new owners.
   */
  freeIndexed(id: number): void {
    const h = this.slotCall[2 * id]!;
    if (h === SLOT_FREED) return;
    if (h < 0) throw new Error(`clock slot ${id} is a Timer's, not an indexed timer's`);
    this.cancelIndexed(id);
    this.slotCall[2 * id] = SLOT_FREED;
    if (--this.handlerSlots[h]! === 0) this.handlers[h] = null;
    this.free[this.nFree++] = id;
  }

  /** set() for an indexed timer. */
  setIndexed(id: number, when: STime): void {
    const at = when > this._now ? when : this._now;
    if (this.pos[id] !== DISARMED) this.disarm(id);
    this.arm(id, at, this.seq++);
  }

  cancelIndexed(id: number): void {
    if (this.pos[id] !== DISARMED) this.disarm(id);
  }

  indexedArmed(id: number): boolean {
    return this.pos[id] !== DISARMED;
  }

  /** When an armed indexed timer expires (Infinity when disarmed). */
  indexedExpires(id: number): STime {
    return this.pos[id] === DISARMED ? Infinity : this.key[2 * id]!;
  }

  // --- the wheel ---

  /** Arm disarmed slot s at key (at, seq): into its bucket, or the overflow heap. */
  private arm(s: number, at: STime, seq: number): void {
    const key = this.key;
    key[2 * s] = at;
    key[2 * s + 1] = seq;
    // at >= now, and the cursor's bucket is never past now's: rel >= 0
    const rel = Math.floor(at * this.perBucket) - this.curB;
    if (rel < this.nb) {
      if (rel === 0 && this.curSorted) this.insertSorted(s, at, seq);
      else this.pushBucket(s, (this.curI + rel) & this.mask);
    } else this.heapPush(s, at, seq);
  }

  /** Take armed slot s off the wheel or the heap (its pos[] is the caller's). */
  private disarm(s: number): void {
    const i = this.pos[s]!;
    if (i === ON_WHEEL) this.unlink(s);
    else this.removeAt(i);
    this.pos[s] = DISARMED;
  }

  /** Put slot s at the head of bucket i's list (its order is made when the cursor reaches it). */
  private pushBucket(s: number, i: number): void {
    const h = this.head[i]!;
    const link = this.link;
    link[2 * s] = -1;
    link[2 * s + 1] = h;
    if (h >= 0) link[2 * h] = s;
    else this.used[i >> 5]! |= 1 << (i & 31);
    this.head[i] = s;
    this.pos[s] = ON_WHEEL;
    this.onWheel++;
  }

  /** Put slot s into the cursor's sorted bucket, after every timer with a smaller key. */
  private insertSorted(s: number, at: STime, seq: number): void {
    const i = this.curI;
    if (this.head[i]! < 0) this.used[i >> 5]! |= 1 << (i & 31);
    this.head[i] = this.linkInOrder(this.head[i]!, s, at, seq);
    this.pos[s] = ON_WHEEL;
    this.onWheel++;
  }

  /**
   * Link slot s, of key (at, seq), into the sorted list that starts at `first` (-1:
   * empty), after every timer with a smaller key; returns the list's first slot.
   */
  private linkInOrder(first: number, s: number, at: STime, seq: number): number {
    const key = this.key;
    const link = this.link;
    let p = -1;
    let q = first;
    while (q >= 0 && (key[2 * q]! < at || (key[2 * q] === at && key[2 * q + 1]! < seq))) {
      p = q;
      q = link[2 * q + 1]!;
    }
    link[2 * s] = p;
    link[2 * s + 1] = q;
    if (q >= 0) link[2 * q] = s;
    if (p < 0) return s;
    link[2 * p + 1] = s;
    return first;
  }

  /** Take slot s, the head of the cursor's bucket, off it. */
  private unlinkHead(s: number): void {
    const n = this.link[2 * s + 1]!;
    const i = this.curI;
    this.head[i] = n;
    if (n >= 0) this.link[2 * n] = -1;
    else this.used[i >> 5]! &= ~(1 << (i & 31));
    this.onWheel--;
  }

  /** Take slot s off its bucket's list. */
  private unlink(s: number): void {
    const link = this.link;
    const p = link[2 * s]!;
    const n = link[2 * s + 1]!;
    if (n >= 0) link[2 * n] = p;
    if (p >= 0) link[2 * p + 1] = n;
    else {
      const i = (this.curI + (Math.floor(this.key[2 * s]! * this.perBucket) - this.curB)) & this.mask;
      this.head[i] = n;
      if (n < 0) this.used[i >> 5]! &= ~(1 << (i & 31));
    }
    this.onWheel--;
  }

  /** The index of the first non-empty bucket after the cursor's, in time order (the wheel is not empty). */
  private nextUsed(): number {
    const used = this.used;
    const nw = this.nb >> 5;
    let w = this.curI >> 5;
    const b = (this.curI & 31) + 1;
    let m = b < 32 ? used[w]! & (-1 << b) : 0;
    // the buckets after the cursor's, round the wheel back to the cursor's own word
    for (let k = 0; m === 0 && k < nw; k++) {
      w = w + 1 === nw ? 0 : w + 1;
      m = used[w]!;
    }
    return (w << 5) + 31 - Math.clz32(m & -m);
  }

  /**
   * Move the cursor to the next bucket with a timer, if that bucket's number is at most
   * `last`; with the wheel empty, to the overflow heap's first timer's bucket. False when
   * there is none within `last` (the cursor stays).
   */
  private advance(last: number): boolean {
    let b: number;
    if (this.onWheel > 0) {
      b = this.curB + ((this.nextUsed() - this.curI) & this.mask);
    } else {
      if (this.n === 0) return false;
      b = Math.floor(this.hExp[0]! * this.perBucket);
      if (!Number.isFinite(b)) return false;
    }
    if (b > last) return false;
    this.moveCursor(b);
    return true;
  }

  /** Put the cursor on bucket number b (no timer is in a bucket before it), and bring the heap's timers now within the wheel's span onto it. */
  private moveCursor(b: number): void {
    const d = b - this.curB;
    this.curI = d < this.nb ? (this.curI + d) & this.mask : b - Math.floor(b / this.nb) * this.nb;
    this.curB = b;
    this.curSorted = false;
    const limit = (b + this.nb) * this.width;
    while (this.n > 0 && this.hExp[0]! < limit) {
      const s = this.hSlot[0]!;
      this.removeAt(0);
      this.pushBucket(s, (this.curI + (Math.floor(this.key[2 * s]! * this.perBucket) - b)) & this.mask);
    }
  }

  /** Put the cursor's bucket in key order (its list was built head first, in no order). */
  private sortCursor(): void {
    this.curSorted = true;
    const key = this.key;
    const link = this.link;
    let s = this.head[this.curI]!;
    if (s < 0 || link[2 * s + 1]! < 0) return;
    // insertion into a sorted list, from its front: the bucket's list runs newest
    // first, so timers armed in key order (a common grid re-armed in turn) go in at once
    let first = -1;
    while (s >= 0) {
      const next = link[2 * s + 1]!;
      first = this.linkInOrder(first, s, key[2 * s]!, key[2 * s + 1]!);
      s = next;
    }
    this.head[this.curI] = first;
  }

  // --- slots ---

  /** The per-slot arrays: slots outnumber armed timers once indexed timers exist. */
  private growSlots(): void {
    const cap = this.slotCap * 2;
    this.pos = grown(this.pos, cap);
    this.pos.fill(DISARMED, this.slotCap);
    this.free = grown(this.free, cap);
    this.slotCall = grown(this.slotCall, 2 * cap);
    this.key = grown(this.key, 2 * cap);
    this.link = grown(this.link, 2 * cap);
    this.slotCap = cap;
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
    this.slotCall[2 * s] = -1;
    this.arm(s, t.expires, t.seq);
  }

  private remove(t: Timer): void {
    const s = t.slot;
    this.disarm(s);
    t.slot = -1;
    this.slotTimer[s] = null;
    this.free[this.nFree++] = s;
  }

  // --- the overflow heap, a binary heap on (expires, seq) ---

  private heapPush(s: number, at: STime, seq: number): void {
    if (this.n === this.cap) {
      const cap = this.cap * 2;
      this.hExp = grown(this.hExp, cap);
      this.hSeq = grown(this.hSeq, cap);
      this.hSlot = grown(this.hSlot, cap);
      this.cap = cap;
    }
    const i = this.n++;
    this.hExp[i] = at;
    this.hSeq[i] = seq;
    this.hSlot[i] = s;
    this.pos[s] = i;
    this.up(i);
  }

  /** Take heap entry i out (its slot's pos[] is the caller's). */
  private removeAt(i: number): void {
    const last = --this.n;
    if (i !== last) {
      const ls = this.hSlot[last]!;
      this.hExp[i] = this.hExp[last]!;
      this.hSeq[i] = this.hSeq[last]!;
      this.hSlot[i] = ls;
      this.pos[ls] = i;
      this.down(i);
      this.up(this.pos[ls]!);
    }
  }

  private up(i: number): void {
    const ex = this.hExp;
    const sq = this.hSeq;
    const sl = this.hSlot;
    const pos = this.pos;
    const e = ex[i]!;
    const s = sq[i]!;
    const slot = sl[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pe = ex[p]!;
      if (e > pe || (e === pe && s > sq[p]!)) break;
      ex[i] = pe;
      sq[i] = sq[p]!;
      const ps = sl[p]!;
      sl[i] = ps;
      pos[ps] = i;
      i = p;
    }
    ex[i] = e;
    sq[i] = s;
    sl[i] = slot;
    pos[slot] = i;
  }

  private down(i: number): void {
    const ex = this.hExp;
    const sq = this.hSeq;
    const sl = this.hSlot;
    const pos = this.pos;
    const n = this.n;
    const e = ex[i]!;
    const s = sq[i]!;
    const slot = sl[i]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const r = c + 1;
      if (r < n && (ex[r]! < ex[c]! || (ex[r] === ex[c] && sq[r]! < sq[c]!))) c = r;
      const ce = ex[c]!;
      if (ce > e || (ce === e && sq[c]! > s)) break;
      ex[i] = ce;
      sq[i] = sq[c]!;
      const cs = sl[c]!;
      sl[i] = cs;
      pos[cs] = i;
      i = c;
    }
    ex[i] = e;
    sq[i] = s;
    sl[i] = slot;
    pos[slot] = i;
  }
}
