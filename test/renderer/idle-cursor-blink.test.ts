import { describe, expect, it } from 'vitest';
import { IdleCursorBlink, type BlinkTimers } from '../../renderer/src/components/consoles/idle-cursor-blink';

/** Timers on a hand-moved clock. */
class ManualTimers implements BlinkTimers {
  t = 0;
  private pending: { at: number; fn: () => void }[] = [];
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const h = { at: this.t + ms, fn };
    this.pending.push(h);
    return h;
  }
  clearTimeout(h: unknown): void {
    this.pending = this.pending.filter((p) => p !== h);
  }
  get armed(): number {
    return this.pending.length;
  }
  advance(ms: number): void {
    const until = this.t + ms;
    for (;;) {
      const next = this.pending.filter((p) => p.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.pending = this.pending.filter((p) => p !== next);
      this.t = next.at;
      next.fn();
    }
    this.t = until;
  }
}

describe('IdleCursorBlink', () => {
  it('starts blinking once the console has been quiet for idleMs', () => {
    const timers = new ManualTimers();
    const term = { options: { cursorBlink: false } };
    new IdleCursorBlink(term, 1000, timers);
    timers.advance(999);
    expect(term.options.cursorBlink).toBe(false);
    timers.advance(1);
    expect(term.options.cursorBlink).toBe(true);
  });

  it('stops the blink at once on activity and resumes it only after a quiet idleMs', () => {
    const timers = new ManualTimers();
    const term = { options: { cursorBlink: false } };
    const blink = new IdleCursorBlink(term, 1000, timers);
    timers.advance(1000);
    expect(blink.blinking).toBe(true);
    blink.activity(); // a keystroke
    expect(term.options.cursorBlink).toBe(false);
    // typing on every 300 ms keeps it solid
    for (let i = 0; i < 5; i++) {
      timers.advance(300);
      blink.activity();
      expect(term.options.cursorBlink).toBe(false);
    }
    timers.advance(999);
    expect(term.options.cursorBlink).toBe(false);
    timers.advance(1);
    expect(term.options.cursorBlink).toBe(true);
  });

  it('keeps one timer for a burst of output, however many chunks', () => {
    const timers = new ManualTimers();
    const term = { options: { cursorBlink: false } };
    const blink = new IdleCursorBlink(term, 1000, timers);
    for (let i = 0; i < 10_000; i++) blink.activity();
    expect(timers.armed).toBe(1);
  });

  it('does nothing more once disposed', () => {
    const timers = new ManualTimers();
    const term = { options: { cursorBlink: false } };
    const blink = new IdleCursorBlink(term, 1000, timers);
    blink.dispose();
    expect(timers.armed).toBe(0);
    blink.activity();
    timers.advance(5000);
    expect(term.options.cursorBlink).toBe(false);
  });
});
