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
 * The heap is typed arrays (keys, and a slot number per armed timer), so sifting moves
 * numbers within a few cache lines and never writes to the Timer objects: on a
 * 4096-pCPU host with 16,384 vCPUs it holds ~25,000 timers, and reading and writing a
 * Timer object per level was a sixth of the scheduling loop's time.
 *
 * Indexed timers (newIndexed / setIndexed / cancelIndexed) are the same heap entries
 * without a Timer object or a closure: a handler object and an integer. The dispatch
 * loop's per-pCPU and per-vCPU timers are ~20,000 of them on that host, and reading a
 * Timer and its closure when one fired was two more cache misses per event.
 *
 * An indexed timer made with `{ ordered: true }` is kept on a sorted list beside the heap
 * instead: for timers nearly always armed later than every other such timer, as periodic
 * ticks on a common grid are (credit's csched_tick: every pCPU's ticker fires on the 10 ms
 * grid and is re-armed one period on, or on its pCPU waking, at the next boundary).
 * Arming one at the end of the list, firing its head and cancelling one are a few stores
 * where the heap sifted through its ~9-12 levels; arming one before others walks back
 * from the end to its place. The loop fires whichever of the heap's top and the list's
 * head comes first in (time, sequence), so the order of events is exactly the heap's.
 *
 * A fired indexed timer's entry stays at the heap's root while its handler runs (a
 * "hole": its key, the current time with an older sequence, is below every other, so
 * moving and cancelling other timers works around it). The first timer the handler arms
 * from disarmed takes the root's place and sifts down once — the dispatch loop's common
 * event is exactly that: a pCPU's timer fires and the unit's wake-up is armed, or a
 * wake-up fires and the pCPU's timer is armed — instead of the removal's sift down and
 * the new entry's sift up. Anything that reads the top first takes the hole out.
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
/**
 * pos[] of an ordered indexed timer: armed on the list, or disarmed (a heap timer's is its
 * heap index, or -1 disarmed): setIndexed tells the two kinds apart from the one number
 * it reads anyway, not from a table of its own (a cache miss more on a large host).
 */
const LISTED = -3;
const OFF_LIST = -4;

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
  /** Armed timers. Heap entry i: key (hExp[i], hSeq[i]), timer slotTimer[hSlot[i]]. */
  private n = 0;
  private cap = 64;
  private hExp = new Float64Array(64);
  private hSeq = new Float64Array(64);
  private hSlot = new Int32Array(64);
  /** Heap index of each slot's timer. */
  private pos = new Int32Array(64);
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
  /** The list's keys per slot, side by side: (expires, seq) at 2·slot, 2·slot + 1. */
  private lKey = new Float64Array(128);
  /** The list's links per slot: previous at 2·slot, next at 2·slot + 1 (-1: none). */
  private lLink = new Int32Array(128);
  private lHead = -1;
  /** The heap's root is a fired indexed timer's stale entry (see the header). */
  private hole = false;
  private lTail = -1;
  /** Timers armed on the list. */
  private nListed = 0;
  private nextSlot = 0;
  private slotCap = 64;
  private seq = 0;
  private _now: STime = 0;
  /** Number of timer callbacks run since creation (for benchmarks). */
  eventsRun = 0;

  get now(): STime {
    return this._now;
  }

  /** Number of timers currently armed. */
  get pending(): number {
    return this.n - (this.hole ? 1 : 0) + this.nListed;
  }

  /** Time of the next event, or Infinity when none is armed. */
  get nextDue(): STime {
    if (this.hole) this.closeHole();
    const h = this.n > 0 ? this.hExp[0]! : Infinity;
    const l = this.lHead >= 0 ? this.lKey[2 * this.lHead]! : Infinity;
    return h < l ? h : l;
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
    if (timer.slot >= 0) {
      // re-key in place: sift whichever way the new key moves it
      const i = this.pos[timer.slot]!;
      const earlier = at < timer.expires;
      timer.expires = at;
      this.hExp[i] = at;
      this.hSeq[i] = timer.seq;
      if (earlier) this.up(i);
      else this.down(i);
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
    if (this.hole) this.closeHole();
    if (this.listFirst()) this.fireListed();
    else if (this.n > 0) this.fireTop();
    else return false;
    return true;
  }

  /** Run every event due at or before `until`, then leave the clock at `until`. */
  runUntil(until: STime): void {
    if (until < this._now) return;
    if (this.hole) this.closeHole();
    for (;;) {
      if (this.listFirst()) {
        if (this.lKey[2 * this.lHead]! > until) break;
        this.fireListed();
      } else {
        if (this.n === 0 || this.hExp[0]! > until) break;
        this.fireTop();
      }
    }
    this._now = until;
  }

  /** The list's head is armed and comes before the heap's top in (expires, seq). */
  private listFirst(): boolean {
    const s = this.lHead;
    if (s < 0) return false;
    if (this.n === 0) return true;
    const le = this.lKey[2 * s]!;
    const he = this.hExp[0]!;
    return le < he || (le === he && this.lKey[2 * s + 1]! < this.hSeq[0]!);
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

  /** Fire the heap's top: a Timer, or an indexed timer without touching any object of its own. */
  private fireTop(): void {
    const s = this.hSlot[0]!;
    const h = this.slotCall[2 * s]!;
    if (h < 0) {
      this.fire(this.slotTimer[s]!);
      return;
    }
    const at = this.hExp[0]!;
    // its entry stays at the root until the handler arms a timer into its place
    this.hole = true;
    this.pos[s] = -1;
    this._now = at;
    this.eventsRun++;
    this.handlers[h]!.fireTimer(this.slotCall[2 * s + 1]!, at);
    if (this.hole) this.closeHole();
  }

  /** Take the fired timer's stale entry out of the root. */
  private closeHole(): void {
    this.hole = false;
    this.removeAt(0);
  }

  /** Fire the list's head (an ordered indexed timer). */
  private fireListed(): void {
    const s = this.lHead;
    const at = this.lKey[2 * s]!;
    this.unlink(s);
    this._now = at;
    this.eventsRun++;
    this.handlers[this.slotCall[2 * s]!]!.fireTimer(this.slotCall[2 * s + 1]!, at);
  }

  // --- indexed timers ---

  /**
   * A new, disarmed indexed timer calling `handler.fireTimer(arg, now)`; returns its id.
   * `ordered`: keep it on the sorted list (see the header), for a timer nearly always
   * armed later than every other ordered one; it fires in the same order either way.
   */
  newIndexed(handler: TimerHandler, arg: number, opts?: { ordered?: boolean }): number {
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
    this.pos[s] = opts?.ordered ? OFF_LIST : -1;
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
    const seq = this.seq++;
    const i = this.pos[id]!;
    if (i >= 0) {
      const earlier = at < this.hExp[i]!;
      this.hExp[i] = at;
      this.hSeq[i] = seq;
      if (earlier) this.up(i);
      else this.down(i);
      return;
    }
    if (i !== -1) {
      this.insertListed(id, at, seq);
      return;
    }
    if (this.hole) {
      // into the fired timer's place at the root
      this.hole = false;
      this.hExp[0] = at;
      this.hSeq[0] = seq;
      this.hSlot[0] = id;
      this.pos[id] = 0;
      this.down(0);
      return;
    }
    if (this.n === this.cap) this.grow();
    const j = this.n++;
    this.hExp[j] = at;
    this.hSeq[j] = seq;
    this.hSlot[j] = id;
    this.pos[id] = j;
    this.up(j);
  }

  cancelIndexed(id: number): void {
    const i = this.pos[id]!;
    if (i >= 0) {
      this.removeAt(i);
      this.pos[id] = -1;
    } else if (i === LISTED) this.unlink(id);
  }

  indexedArmed(id: number): boolean {
    const i = this.pos[id]!;
    return i >= 0 || i === LISTED;
  }

  /** When an armed indexed timer expires (Infinity when disarmed). */
  indexedExpires(id: number): STime {
    const i = this.pos[id]!;
    return i >= 0 ? this.hExp[i]! : i === LISTED ? this.lKey[2 * id]! : Infinity;
  }

  // --- the sorted list of ordered indexed timers ---

  /**
   * Arm (or move) ordered timer `s` at key (at, seq). `seq` is the newest, so it goes
   * after every listed timer expiring at or before `at`: from the end, usually at once.
   */
  private insertListed(s: number, at: STime, seq: number): void {
    if (this.pos[s] === LISTED) this.unlink(s);
    const k = this.lKey;
    const l = this.lLink;
    let p = this.lTail;
    while (p >= 0 && k[2 * p]! > at) p = l[2 * p]!;
    const n = p >= 0 ? l[2 * p + 1]! : this.lHead;
    k[2 * s] = at;
    k[2 * s + 1] = seq;
    l[2 * s] = p;
    l[2 * s + 1] = n;
    if (p >= 0) l[2 * p + 1] = s;
    else this.lHead = s;
    if (n >= 0) l[2 * n] = s;
    else this.lTail = s;
    this.pos[s] = LISTED;
    this.nListed++;
  }

  /** Take listed timer `s` off the list (disarmed). */
  private unlink(s: number): void {
    const l = this.lLink;
    const p = l[2 * s]!;
    const n = l[2 * s + 1]!;
    if (p >= 0) l[2 * p + 1] = n;
    else this.lHead = n;
    if (n >= 0) l[2 * n] = p;
    else this.lTail = p;
    this.pos[s] = OFF_LIST;
    this.nListed--;
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
  private grow(): void {
    const cap = this.cap * 2;
    this.hExp = grown(this.hExp, cap);
    this.hSeq = grown(this.hSeq, cap);
    this.hSlot = grown(this.hSlot, cap);
    this.cap = cap;
  }

  /** The per-slot arrays: slots outnumber armed timers once indexed timers exist. */
  private growSlots(): void {
    const cap = this.slotCap * 2;
    this.pos = grown(this.pos, cap);
    this.free = grown(this.free, cap);
    this.slotCall = grown(this.slotCall, 2 * cap);
    this.lKey = grown(this.lKey, 2 * cap);
    this.lLink = grown(this.lLink, 2 * cap);
    this.slotCap = cap;
  }

  /** A slot for a timer: a freed one, or the next new one. */
  private takeSlot(): number {
    if (this.nFree > 0) return this.free[--this.nFree]!;
    if (this.nextSlot === this.slotCap) this.growSlots();
    return this.nextSlot++;
  }

  private push(t: Timer): void {
    // (not into a hole: a handler's Timers are rare, the root's sift down is for the loop's)
    if (this.hole) this.closeHole();
    if (this.n === this.cap) this.grow();
    const s = this.takeSlot();
    t.slot = s;
    this.slotTimer[s] = t;
    this.slotCall[2 * s] = -1;
    const i = this.n++;
    this.hExp[i] = t.expires;
    this.hSeq[i] = t.seq;
    this.hSlot[i] = s;
    this.pos[s] = i;
    this.up(i);
  }

  private remove(t: Timer): void {
    const s = t.slot;
    const i = this.pos[s]!;
    t.slot = -1;
    this.slotTimer[s] = null;
    this.free[this.nFree++] = s;
    this.removeAt(i);
  }

  /** Take heap entry i out (its slot's bookkeeping is the caller's). */
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
      if (r < n) {
        const re = ex[r]!;
        const le = ex[c]!;
        // the earlier child by arithmetic, not a branch: which one it is is a coin toss
        // the CPU mispredicts half the time (ties, rare, by sequence)
        c += +(re < le);
        if (re === le && sq[r]! < sq[c]!) c = r;
      }
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
