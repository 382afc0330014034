import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Clock, MILLISECS, SECONDS, type ClockOptions, type Timer } from '../../../engine/hypervisor/clock';
import { Rng } from '../../../engine/hypervisor/rng';

/** The model's timers due at `until`, in firing order (expires, then arming order), taken out. */
function takeDue(model: Map<number, { at: number; seq: number }>, until: number): number[] {
  const due = [...model].filter(([, k]) => k.at <= until).sort((a, b) => a[1].at - b[1].at || a[1].seq - b[1].seq);
  for (const [id] of due) model.delete(id);
  return due.map(([id]) => id);
}

describe('Clock', () => {
  it('fires timers in time order, same-time timers in arming order', () => {
    const c = new Clock();
    const seen: string[] = [];
    c.after(30, () => seen.push('c'));
    c.after(10, () => seen.push('a'));
    c.after(10, () => seen.push('b'));
    c.runUntil(100);
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(c.now).toBe(100);
  });

  it('re-arms periodic timers and cancels them', () => {
    const c = new Clock();
    let n = 0;
    const t = c.every(MILLISECS(10), () => n++);
    c.runFor(MILLISECS(35));
    expect(n).toBe(3);
    t.cancel();
    c.runFor(MILLISECS(100));
    expect(n).toBe(3);
    expect(c.pending).toBe(0);
  });

  it('set() moves a timer like Xen set_timer', () => {
    const c = new Clock();
    let at = -1;
    const t = c.after(50, (now) => (at = now));
    c.set(t, 20);
    c.runUntil(100);
    expect(at).toBe(20);
  });

  it('cancelling a timer in one branch of the heap keeps the order of the others', () => {
    // armed in this order the heap is [0, 100, 1, 101, 102, 200, 3]; cancelling 101
    // moves 3 under 100, where it must sift up
    const c = new Clock();
    const seen: number[] = [];
    const t: Timer[] = [];
    for (const at of [0, 100, 1, 101, 102, 200, 3]) t.push(c.at(10 + at, () => seen.push(at)));
    c.cancel(t[3]!);
    c.runUntil(1000);
    expect(seen).toEqual([0, 1, 3, 100, 102, 200]);
  });

  it('with thousands of timers armed, moved and cancelled, fires them as a sorted list would', () => {
    // op: 0-2 arm a new timer, 3 move one (set), 4 cancel one, 5 run a little further
    const op = fc.tuple(fc.integer({ min: 0, max: 5 }), fc.nat(5000), fc.nat(1 << 20));
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 3000 }), (ops) => {
        const c = new Clock();
        const timers: Timer[] = [];
        // the model: armed timers with their key (expires, order of the last arming)
        const model = new Map<number, { at: number; seq: number }>();
        let seq = 0;
        const fired: number[] = [];
        const expected: number[] = [];
        const runModel = (until: number): number => expected.push(...takeDue(model, until));
        for (const [k, a, b] of ops) {
          if (k <= 2 || timers.length === 0) {
            const id = timers.length;
            timers.push(c.at(c.now + b, () => fired.push(id)));
            model.set(id, { at: c.now + b, seq: seq++ });
          } else if (k === 3) {
            const id = a % timers.length;
            c.set(timers[id]!, c.now + b);
            model.set(id, { at: c.now + b, seq: seq++ });
          } else if (k === 4) {
            const id = a % timers.length;
            c.cancel(timers[id]!);
            model.delete(id);
          } else {
            const until = c.now + (b >> 6);
            c.runUntil(until);
            runModel(until);
          }
          expect(c.pending).toBe(model.size);
        }
        c.runUntil(c.now + (1 << 21));
        runModel(Infinity);
        expect(fired).toEqual(expected);
        expect(timers.every((t) => !t.armed)).toBe(true);
      }),
      { numRuns: 40 },
    );
  });
});

describe('Clock with indexed timers', () => {
  // A model of the clock: armed timers with their key (expires, order of the last arming).
  // Timers 0..63 are Timer objects, 64..127 indexed timers.
  const check = (ops: [number, number, number][], wheel: ClockOptions = {}): void => {
    const c = new Clock(wheel);
    const fired: number[] = [];
    const expected: number[] = [];
    const model = new Map<number, { at: number; seq: number }>();
    let seq = 0;
    const timers: (Timer | null)[] = Array.from({ length: 64 }, () => null);
    const handler = { fireTimer: (arg: number) => fired.push(arg) };
    const ids = Array.from({ length: 64 }, (_, i) => c.newIndexed(handler, 64 + i));
    const runModel = (until: number): number => expected.push(...takeDue(model, until));
    for (const [k, a, b] of ops) {
      const id = a % 128;
      // few distinct times: ties are frequent, their order is the arming order
      const at = c.now + (b % 512);
      if (k <= 2) {
        // arm (or move) timer id
        if (id < 64) {
          const t = timers[id];
          if (t?.armed) c.set(t, at);
          else timers[id] = c.at(at, () => fired.push(id));
        } else c.setIndexed(ids[id - 64]!, at);
        model.set(id, { at, seq: seq++ });
      } else if (k === 3) {
        if (id < 64) {
          const t = timers[id];
          if (t) c.cancel(t);
        } else c.cancelIndexed(ids[id - 64]!);
        model.delete(id);
      } else if (k === 4 && id >= 64) {
        // free an indexed timer and make a new one for the same argument
        c.freeIndexed(ids[id - 64]!);
        ids[id - 64] = c.newIndexed(handler, id);
        model.delete(id);
      } else {
        const until = c.now + (b >> 8);
        c.runUntil(until);
        runModel(until);
      }
      expect(c.pending).toBe(model.size);
      const next = Math.min(...[...model.values()].map((m) => m.at));
      expect(c.nextDue).toBe(next);
      if (id >= 64) {
        expect(c.indexedArmed(ids[id - 64]!)).toBe(model.has(id));
        expect(c.indexedExpires(ids[id - 64]!)).toBe(model.get(id)?.at ?? Infinity);
      }
    }
    c.runUntil(c.now + (1 << 21));
    runModel(Infinity);
    expect(fired).toEqual(expected);
    expect(c.pending).toBe(0);
  };
  const op = fc.tuple(fc.integer({ min: 0, max: 5 }), fc.nat(1000), fc.nat(1 << 16));

  it('fires Timers and indexed timers moved, cancelled and freed as a sorted list would', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 200, maxLength: 800, size: 'max' }), (ops) => check(ops)),
      // shrinking 800 operations takes minutes: report the failing case as found
      { numRuns: 30, endOnFailure: true },
    );
  });

  it('on a wheel of 64 buckets of 4 ns, fires them in the same order (through its overflow heap)', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 200, maxLength: 800, size: 'max' }), (ops) => check(ops, { wheelShift: 2, wheelBits: 6 })),
      { numRuns: 30, endOnFailure: true },
    );
  });

  it('freeing an indexed timer twice hands its slot to one new owner only (kill_timer of a killed timer)', () => {
    const c = new Clock();
    const fired: number[] = [];
    const h = { fireTimer: (arg: number) => fired.push(arg) };
    const a = c.newIndexed(h, 1);
    c.setIndexed(a, 10);
    c.freeIndexed(a);
    c.freeIndexed(a);
    const b = c.newIndexed(h, 2);
    const d = c.newIndexed(h, 3);
    expect(b).not.toBe(d);
    c.setIndexed(b, 20);
    c.setIndexed(d, 30);
    c.runUntil(100);
    expect(fired).toEqual([2, 3]);
    const t = c.after(5, () => {});
    expect(() => c.freeIndexed(t.slot)).toThrow(/Timer's/);
  });

  it('fires 1000 timers in order after 50,000 moves of 100 of them', () => {
    const c = new Clock();
    const rng = new Rng(7);
    const fired: number[] = [];
    const handler = { fireTimer: (arg: number) => fired.push(arg) };
    const ids = Array.from({ length: 1000 }, (_, i) => c.newIndexed(handler, i));
    const last = new Map<number, { at: number; seq: number }>();
    let seq = 0;
    const arm = (i: number): void => {
      const at = 1 + (rng.u32() % 1_000_000);
      c.setIndexed(ids[i]!, at);
      last.set(i, { at, seq: seq++ });
    };
    // 1000 timers armed once, then 50,000 moves of the first 100
    for (let i = 0; i < 1000; i++) arm(i);
    for (let n = 0; n < 50_000; n++) arm(rng.u32() % 100);
    expect(c.pending).toBe(1000);
    c.runUntil(2_000_000);
    expect(fired).toEqual([...last].sort((a, b) => a[1].at - b[1].at || a[1].seq - b[1].seq).map(([i]) => i));
  });

  it('keeps firing in order while slots grow past many multiples of their first capacity', () => {
    // the heap and the slot tables double many times while timers are armed
    const c = new Clock();
    const seen: number[] = [];
    for (let i = 0; i < 5000; i++) c.at(10_000 - (i % 97), () => seen.push(i));
    c.runUntil(20_000);
    // later residues are earlier times; the same residue fires in arming order
    expect(seen).toEqual(Array.from({ length: 5000 }, (_, i) => i).sort((a, b) => (b % 97) - (a % 97) || a - b));
  });
});

describe('Clock wheel', () => {
  it('fires timers spread over many turns of the wheel, and far beyond it, in order', () => {
    // 32 buckets of 1 µs: a 32 µs span; the timers reach an hour ahead
    const c = new Clock({ wheelShift: 10, wheelBits: 5 });
    const rng = new Rng(11);
    const seen: number[] = [];
    const at: number[] = [];
    for (let i = 0; i < 2000; i++) {
      // from 0 to ~2^42 ns, on a logarithmic scale, a fifth of them on a common grid
      const t = i % 5 === 0 ? 1000 * (1 + (i % 7)) : Math.floor(2 ** ((rng.u32() % 4200) / 100));
      at.push(t);
      c.at(t, () => seen.push(i));
    }
    expect(c.nextDue).toBe(Math.min(...at));
    // run in uneven steps, some far past the span, some within one bucket
    let until = 0;
    let checked = 0;
    while (c.pending > 0) {
      until += [1, 700, 50_000, MILLISECS(3), SECONDS(90)][rng.u32() % 5]!;
      c.runUntil(until);
      expect(c.now).toBe(until);
      const late = seen.slice(checked).filter((i) => at[i]! > until);
      expect(late).toEqual([]);
      checked = seen.length;
    }
    expect(seen).toEqual(at.map((t, i) => [t, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, i]) => i));
  });

  it('after a long quiet time, a timer armed a little ahead fires on time (the cursor follows the clock)', () => {
    const c = new Clock({ wheelShift: 4, wheelBits: 5 });
    const seen: number[] = [];
    c.runUntil(SECONDS(5));
    c.after(3, (now) => seen.push(now));
    c.after(10_000, (now) => seen.push(now));
    expect(c.nextDue).toBe(SECONDS(5) + 3);
    c.runFor(2);
    expect(seen).toEqual([]);
    c.runFor(1);
    expect(seen).toEqual([SECONDS(5) + 3]);
    expect(c.runAll()).toBe(1);
    expect(seen).toEqual([SECONDS(5) + 3, SECONDS(5) + 10_000]);
  });

  it('runs every timer when run to Infinity, as a heap would', () => {
    const c = new Clock({ wheelShift: 2, wheelBits: 5 });
    const seen: number[] = [];
    for (const at of [SECONDS(3600), 7, 300, 7]) c.at(at, (now) => seen.push(now));
    c.runUntil(Infinity);
    expect(seen).toEqual([7, 7, 300, SECONDS(3600)]);
    expect(c.now).toBe(Infinity);
    expect(c.pending).toBe(0);
  });

  it('refuses a wheel it cannot build', () => {
    expect(() => new Clock({ wheelBits: 3 })).toThrow(/wheelBits/);
    expect(() => new Clock({ wheelShift: 1.5 })).toThrow(/wheelShift/);
  });
});

describe('Rng', () => {
  it('replays from its seed and forks independent streams', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const xs = Array.from({ length: 5 }, () => a.u32());
    expect(Array.from({ length: 5 }, () => b.u32())).toEqual(xs);
    expect(new Rng(43).u32()).not.toBe(xs[0]);
    expect(new Rng(42).fork('x').u32()).toBe(new Rng(42).fork('x').u32());
    expect(new Rng(1).uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
