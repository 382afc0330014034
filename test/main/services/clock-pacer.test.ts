import { describe, expect, it } from 'vitest';
import { EmbeddedHost } from '../../../engine/toolstack/embedded-host';
import { ClockPacer, type PacerTimers } from '../../../main/services/clock-pacer';

function timers(): PacerTimers & { wall: number; fire(): void } {
  let fn: (() => void) | undefined;
  const t = {
    wall: 0,
    now: () => t.wall,
    setInterval: (f: () => void) => {
      fn = f;
      return 1;
    },
    clearInterval: () => {
      fn = undefined;
    },
    fire: () => fn?.(),
  };
  return t;
}

describe('ClockPacer', () => {
  it('advances embedded hosts by the wall time between ticks, capped per tick', () => {
    const h = new EmbeddedHost({ id: 'lab1' });
    const t = timers();
    const p = new ClockPacer(() => [h], { timers: t, maxStepMs: 100 });
    p.start();
    t.wall = 10;
    t.fire();
    expect(h.xen.clock.now).toBe(10_000_000);
    t.wall = 5_000; // the process stalled: the guests do not jump ahead
    t.fire();
    expect(h.xen.clock.now).toBe(110_000_000);
    p.stop();
    t.wall = 6_000;
    t.fire();
    expect(h.xen.clock.now).toBe(110_000_000);
    expect(p.running).toBe(false);
  });
});
