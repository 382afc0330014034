import { describe, expect, it } from 'vitest';
import type { ServerMessage } from '../../../main/api/envelope';
import { OutgoingStream, type TimerLike } from '../../../main/api/stream';

/** Timers fired by hand, so the test decides when a flush happens. */
class ManualTimers implements TimerLike {
  private next: (() => void)[] = [];
  setTimeout(fn: () => void): unknown {
    this.next.push(fn);
    return fn;
  }
  clearTimeout(h: unknown): void {
    this.next = this.next.filter((f) => f !== h);
  }
  fire(): void {
    const fns = this.next;
    this.next = [];
    for (const f of fns) f();
  }
}

type Batch = Extract<ServerMessage, { t: 'batch' }>;
const limits = { flushMs: 10, maxItemsPerBatch: 3, window: 2, maxQueued: 5 };

describe('OutgoingStream', () => {
  it('batches items instead of one message per item', () => {
    const sent: Batch[] = [];
    const timers = new ManualTimers();
    const s = new OutgoingStream(7, (m) => sent.push(m as Batch), timers, { ...limits, maxItemsPerBatch: 100, maxQueued: 100 });
    for (let i = 0; i < 50; i++) s.push(i);
    expect(sent).toHaveLength(0);
    timers.fire();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ t: 'batch', id: 7, seq: 0 });
    expect(sent[0]!.items).toHaveLength(50);
  });

  it('stops at the window of unacknowledged batches and resumes on ack', () => {
    const sent: Batch[] = [];
    const timers = new ManualTimers();
    const s = new OutgoingStream(1, (m) => sent.push(m as Batch), timers, { ...limits, maxQueued: 100 });
    for (let i = 0; i < 10; i++) s.push(i);
    timers.fire();
    expect(sent.map((b) => b.items)).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(s.inFlight).toBe(2);
    expect(s.queued).toBe(4);
    timers.fire();
    expect(sent).toHaveLength(2); // nothing more without an ack
    s.ack(0);
    timers.fire();
    expect(sent.map((b) => b.seq)).toEqual([0, 1, 2]);
    expect(sent[2]!.items).toEqual([6, 7, 8]);
  });

  it('bounds the queue of a slow client and reports what it dropped', () => {
    const sent: Batch[] = [];
    const timers = new ManualTimers();
    const s = new OutgoingStream(1, (m) => sent.push(m as Batch), timers, { ...limits, window: 1 });
    s.push('a');
    timers.fire(); // batch 0 in flight, window full
    for (let i = 0; i < 8; i++) s.push(i);
    expect(s.queued).toBe(5);
    s.ack(0);
    timers.fire();
    expect(sent[1]).toMatchObject({ seq: 1, items: [3, 4, 5], dropped: 3 });
  });

  it('ignores acks for batches never sent, and sends nothing after close', () => {
    const sent: Batch[] = [];
    const timers = new ManualTimers();
    const s = new OutgoingStream(1, (m) => sent.push(m as Batch), timers, limits);
    s.ack(99);
    expect(s.inFlight).toBe(0);
    s.push(1);
    s.close();
    timers.fire();
    s.push(2);
    timers.fire();
    expect(sent).toHaveLength(0);
  });

  it('with flushMs 0 sends an item at once while the window has room (an echo waits for no timer)', () => {
    const sent: Batch[] = [];
    const timers = new ManualTimers();
    const s = new OutgoingStream(3, (m) => sent.push(m as Batch), timers, { ...limits, flushMs: 0 });
    expect(s.push('e')).toBe(true);
    expect(sent.map((b) => b.items)).toEqual([['e']]);
    s.push('f');
    expect(sent.map((b) => b.items)).toEqual([['e'], ['f']]);
    // the window (2) is full: the next item waits for an ack, then goes without a timer
    expect(s.push('g')).toBe(false);
    expect(sent).toHaveLength(2);
    s.ack(0);
    expect(sent.map((b) => b.items)).toEqual([['e'], ['f'], ['g']]);
  });

  it('tells a source that waits when the client is behind and when it caught up', () => {
    const sent: Batch[] = [];
    const timers = new ManualTimers();
    const s = new OutgoingStream(1, (m) => sent.push(m as Batch), timers, { ...limits, flushMs: 0, window: 1 });
    expect(s.push('a')).toBe(true);
    expect(s.push('b')).toBe(false);
    let drained = 0;
    s.onDrain(() => drained++);
    expect(drained).toBe(0);
    s.ack(0); // 'b' goes out: nothing waits any more
    expect(drained).toBe(1);
    expect(sent.map((b) => b.items)).toEqual([['a'], ['b']]);
    s.onDrain(() => drained++); // nothing queued: at once
    expect(drained).toBe(2);
  });
});
