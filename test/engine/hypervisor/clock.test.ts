import { describe, expect, it } from 'vitest';
import { Clock, MILLISECS } from '../../../engine/hypervisor/clock';
import { Rng } from '../../../engine/hypervisor/rng';

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
