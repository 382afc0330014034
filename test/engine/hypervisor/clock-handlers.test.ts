import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Clock, type ClockOptions, type Timer } from '../../../engine/hypervisor/clock';

/**
 * The clock against a sorted-list model when the timers' own handlers arm, move, cancel
 * and free timers (themselves included) and run the clock again: the dispatch loop's
 * pattern (a pCPU's timer re-armed or cancelled by schedule() as it fires, wake-ups
 * armed from other timers' handlers, some moved or cancelled while armed).
 */

/** What a handler does when its timer fires (k: the kind, t: another timer, d: a delay). */
type Action = [k: number, t: number, d: number];

const NI = 48; // indexed timers 0..NI-1
const NT = 8; // Timer objects NI..NI+NT-1

/**
 * `wheel`: the clock's wheel (a tiny one keeps most timers in its overflow heap, moving
 * onto the wheel as time passes). `peek`: ask nextDue at every step (it reads the wheel
 * without moving its cursor).
 */
function check(setup: Action[], actions: Action[], wheel: ClockOptions = {}, peek = true): void {
  const c = new Clock(wheel);
  /** The model: armed timers with their key (expires, order of the last arming). */
  const model = new Map<number, { at: number; seq: number }>();
  let seq = 0;
  let next = 0;
  let depth = 0;
  const fired: number[] = [];
  const timers: (Timer | null)[] = Array.from({ length: NT }, () => null);
  let ids: number[] = [];

  const modelNext = (): number => {
    let best = -1;
    let bk = { at: Infinity, seq: Infinity };
    for (const [id, k] of model) {
      if (k.at < bk.at || (k.at === bk.at && k.seq < bk.seq)) {
        best = id;
        bk = k;
      }
    }
    return best;
  };
  const arm = (id: number, at: number): void => {
    const when = Math.max(at, c.now);
    if (id < NI) c.setIndexed(ids[id]!, when);
    else {
      const t = timers[id - NI];
      if (t?.armed) c.set(t, when);
      else timers[id - NI] = c.at(when, () => onFire(id));
    }
    model.set(id, { at: when, seq: seq++ });
  };
  const cancel = (id: number): void => {
    if (id < NI) c.cancelIndexed(ids[id]!);
    else timers[id - NI]?.cancel();
    model.delete(id);
  };
  /** The clock's answers agree with the model's (for the indexed timers in `check`). */
  const consistent = (...check: number[]): void => {
    expect(c.pending).toBe(model.size);
    const m = modelNext();
    if (peek) expect(c.nextDue).toBe(m < 0 ? Infinity : model.get(m)!.at);
    for (const id of check) {
      if (id >= NI) continue;
      expect(c.indexedArmed(ids[id]!)).toBe(model.has(id));
      expect(c.indexedExpires(ids[id]!)).toBe(model.get(id)?.at ?? Infinity);
    }
  };
  const act = (self: number, [k, t, d]: Action): void => {
    const other = t % (NI + NT);
    switch (k) {
      case 0: // re-arm itself (a pCPU timer at the end of schedule())
        arm(self, c.now + d);
        break;
      case 1: // cancel itself (the pCPU went idle)
        cancel(self);
        break;
      case 2: // arm or move another timer (a wake-up armed by a burst's end)
        arm(other, c.now + d);
        break;
      case 3: // cancel another
        cancel(other);
        break;
      case 4: // re-arm itself at now (fires again in this instant, after the others due now)
        arm(self, c.now);
        break;
      case 5: // free an indexed timer and make a new one in its place (a unit destroyed)
        if (other < NI) {
          c.freeIndexed(ids[other]!);
          model.delete(other);
          ids = ids.slice();
          ids[other] = c.newIndexed(handler, other);
        }
        break;
      case 6: // run the clock from inside the handler (everything due now)
        if (depth < 3) {
          c.runUntil(c.now);
          // the model: the nested run fired everything due now (checked as each fired)
          const m = modelNext();
          expect(m < 0 || model.get(m)!.at > c.now).toBe(true);
        }
        break;
      default: // do nothing: a one-shot wake-up
        break;
    }
  };
  function onFire(id: number): void {
    depth++;
    // the timer firing is the model's first, due now
    const m = modelNext();
    expect(id).toBe(m);
    expect(c.now).toBe(model.get(m)!.at);
    model.delete(m);
    fired.push(id);
    // while its handler runs a fired timer is not armed
    consistent(id);
    // two actions per fire, from the list (then none)
    for (let j = 0; j < 2 && next < actions.length; j++) {
      const a = actions[next++]!;
      act(id, a);
      consistent(id, a[1] % (NI + NT));
    }
    depth--;
  }
  const handler = { fireTimer: (arg: number) => onFire(arg) };
  ids = Array.from({ length: NI }, (_, i) => c.newIndexed(handler, i));

  for (const [k, t, d] of setup) {
    const id = t % (NI + NT);
    if (k < 3) arm(id, c.now + d);
    else if (k === 3) cancel(id);
    else {
      c.runUntil(c.now + (d >> 2));
      // everything due by then fired, in the model's order (checked in onFire)
      const m = modelNext();
      expect(m < 0 || model.get(m)!.at > c.now).toBe(true);
    }
    consistent(id);
  }
  c.runUntil(c.now + (1 << 20));
  // the actions are finite: timers that keep re-arming themselves stop once they run out
  let guard = 0;
  while (model.size > 0 && guard++ < 10_000) c.runUntil(c.now + (1 << 20));
  expect(model.size).toBe(0);
  expect(c.pending).toBe(0);
  expect(fired.length).toBeGreaterThan(0);
}

describe('Clock with handlers that re-arm, move, cancel and free timers', () => {
  // few distinct delays: ties are frequent, their order is the arming order
  const action = fc.tuple(fc.integer({ min: 0, max: 8 }), fc.nat(1000), fc.integer({ min: 0, max: 64 }).map((d) => d * 16));
  const setupOp = fc.tuple(fc.integer({ min: 0, max: 4 }), fc.nat(1000), fc.integer({ min: 0, max: 64 }).map((d) => d * 16));

  it('fires in (expires, arming order) as a sorted list would', () => {
    fc.assert(
      fc.property(fc.array(setupOp, { minLength: 20, maxLength: 200 }), fc.array(action, { minLength: 50, maxLength: 600 }), (setup, actions) =>
        check(setup, actions),
      ),
      { numRuns: 40, endOnFailure: true },
    );
  });

  it('on a wheel of 32 buckets of 8 ns (most timers in its overflow heap), fires in the same order', () => {
    fc.assert(
      fc.property(fc.array(setupOp, { minLength: 20, maxLength: 200 }), fc.array(action, { minLength: 50, maxLength: 600 }), (setup, actions) =>
        check(setup, actions, { wheelShift: 3, wheelBits: 5 }),
      ),
      { numRuns: 40, endOnFailure: true },
    );
  });

  it('on a wheel of 1 ns buckets, with handlers that never ask nextDue, fires in the same order', () => {
    fc.assert(
      fc.property(fc.array(setupOp, { minLength: 20, maxLength: 200 }), fc.array(action, { minLength: 50, maxLength: 600 }), (setup, actions) =>
        check(setup, actions, { wheelShift: 0, wheelBits: 8 }, false),
      ),
      { numRuns: 40, endOnFailure: true },
    );
  });

  it('timers on a common grid, re-armed one period on, interleave with others by arming order', () => {
    // credit's tickers: every 10 on the grid, armed before or after other timers due then
    const c = new Clock();
    const seen: string[] = [];
    let ticks = 0;
    const h = {
      fireTimer: (arg: number): void => {
        seen.push(`${arg < 3 ? 'tick' : 'heap'}${arg}@${c.now}`);
        expect(c.indexedArmed(ids[arg]!)).toBe(false);
        if (arg < 3 && ++ticks <= 6) c.setIndexed(ids[arg]!, c.now + 10);
      },
    };
    const ids = [0, 1, 2].map((i) => c.newIndexed(h, i));
    ids.push(c.newIndexed(h, 3), c.newIndexed(h, 4));
    c.setIndexed(ids[1]!, 10);
    c.setIndexed(ids[3]!, 10); // between the two ticks due at 10
    c.setIndexed(ids[0]!, 10);
    c.setIndexed(ids[2]!, 20);
    c.setIndexed(ids[4]!, 20);
    // moved before the others, then after them again
    c.setIndexed(ids[2]!, 5);
    expect(c.indexedExpires(ids[2]!)).toBe(5);
    expect(c.nextDue).toBe(5);
    expect(c.pending).toBe(5);
    c.cancelIndexed(ids[0]!);
    c.setIndexed(ids[0]!, 10);
    c.runUntil(100);
    expect(seen).toEqual([
      'tick2@5',
      'tick1@10',
      'heap3@10',
      'tick0@10',
      'tick2@15',
      'heap4@20', // armed before the ticks due at 20 were (at 10)
      'tick1@20',
      'tick0@20',
      'tick2@25',
      'tick1@30',
      'tick0@30',
    ]);
    expect(c.pending).toBe(0);
    expect(c.nextDue).toBe(Infinity);
  });

  it('a timer re-armed by its own handler fires again after the others due at the same time', () => {
    const c = new Clock();
    const seen: string[] = [];
    let again = true;
    const h = {
      fireTimer: (arg: number): void => {
        seen.push(`t${arg}@${c.now}`);
        expect(c.indexedArmed(ids[arg]!)).toBe(false);
        if (arg === 0 && again) {
          again = false;
          c.setIndexed(ids[0]!, c.now);
          expect(c.indexedArmed(ids[0]!)).toBe(true);
          expect(c.indexedExpires(ids[0]!)).toBe(10);
        }
      },
    };
    const ids = [c.newIndexed(h, 0), c.newIndexed(h, 1), c.newIndexed(h, 2)];
    c.setIndexed(ids[0]!, 10);
    c.setIndexed(ids[1]!, 10);
    c.setIndexed(ids[2]!, 20);
    c.runUntil(100);
    expect(seen).toEqual(['t0@10', 't1@10', 't0@10', 't2@20']);
  });

  it('timers moved or cancelled while armed among many others fire in their new order', () => {
    const c = new Clock();
    const seen: number[] = [];
    const h = { fireTimer: (arg: number): void => void seen.push(arg) };
    const ids = Array.from({ length: 40 }, (_, i) => c.newIndexed(h, i));
    for (let i = 0; i < 40; i++) c.setIndexed(ids[i]!, 1000 + 10 * i);
    c.setIndexed(ids[5]!, 995); // before 0
    c.cancelIndexed(ids[7]!);
    c.setIndexed(ids[7]!, 1000); // with 0, armed later
    c.setIndexed(ids[39]!, 1055); // between 5 and 6
    c.runUntil(2000);
    const rest = Array.from({ length: 40 }, (_, i) => i).filter((i) => ![5, 7, 39].includes(i));
    expect(seen).toEqual([5, 0, 7, ...rest.slice(1, 5), 39, ...rest.slice(5)]);
    expect(c.pending).toBe(0);
  });
});

describe('Clock indexed timer owners', () => {
  it('a freed timer slot given to another handler calls that handler, with its argument', () => {
    const c = new Clock();
    const calls: string[] = [];
    const a = { fireTimer: (arg: number): void => void calls.push(`a${arg}`) };
    const b = { fireTimer: (arg: number): void => void calls.push(`b${arg}`) };
    const ta = c.newIndexed(a, 1);
    c.setIndexed(ta, 10);
    c.freeIndexed(ta);
    // the slot (and a's place among the owners, let go with its last timer) is b's now
    const tb = c.newIndexed(b, 2);
    const tb2 = c.newIndexed(b, 3);
    const ta2 = c.newIndexed(a, 4);
    c.setIndexed(tb, 20);
    c.setIndexed(ta2, 25);
    c.setIndexed(tb2, 30);
    const t = c.at(15, () => calls.push('timer'));
    c.runUntil(100);
    expect(calls).toEqual(['timer', 'b2', 'a4', 'b3']);
    expect(t.armed).toBe(false);
  });
});
