/**
 * One subscription's outgoing stream: items are gathered for STREAM.flushMs and sent as
 * one batch (never one message per event); at most STREAM.window batches may be
 * unacknowledged, after which items wait in a bounded queue. When the queue overflows,
 * the oldest items are dropped and the next batch says how many (a slow client never
 * makes the service's memory grow without bound).
 *
 * flushMs 0 is for a source that coalesces a burst itself (the console service: one item
 * per burst of guest output): an item goes out at once while the window has room, so a
 * keystroke's echo waits for no batch timer. A source that can wait (a console: the
 * guest's ring is simply not read) watches push()'s answer: false once items queue
 * behind a full window, then onDrain() tells it the queue emptied — it holds back
 * instead of having its items dropped.
 */
import { STREAM, type ServerMessage } from './envelope';

export interface TimerLike {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: TimerLike = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface StreamLimits {
  flushMs: number;
  maxItemsPerBatch: number;
  window: number;
  maxQueued: number;
}

export class OutgoingStream {
  private queue: unknown[] = [];
  private dropped = 0;
  private seq = 0;
  /** Highest seq the client acknowledged. */
  private acked = -1;
  private timer: unknown = undefined;
  private closed = false;
  private drainListeners: (() => void)[] = [];

  constructor(
    readonly id: number,
    private readonly send: (m: ServerMessage) => void,
    private readonly timers: TimerLike = realTimers,
    private readonly limits: StreamLimits = STREAM,
  ) {}

  /** Queue an item; false when it waits behind a full window (the client is behind). */
  push(item: unknown): boolean {
    if (this.closed) return true;
    this.queue.push(item);
    if (this.queue.length > this.limits.maxQueued) {
      const over = this.queue.length - this.limits.maxQueued;
      this.queue.splice(0, over);
      this.dropped += over;
    }
    this.arm();
    return this.queue.length === 0 || this.inFlight < this.limits.window;
  }

  /** Call `fn` once, when nothing waits behind the window any more. */
  onDrain(fn: () => void): void {
    if (this.closed) return;
    if (this.queue.length === 0) fn();
    else this.drainListeners.push(fn);
  }

  /** The client processed batches up to `seq`. */
  ack(seq: number): void {
    if (seq > this.acked && seq < this.seq) this.acked = seq;
    this.arm();
  }

  get inFlight(): number {
    return this.seq - 1 - this.acked;
  }

  get queued(): number {
    return this.queue.length;
  }

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.queue = [];
    this.drainListeners = [];
  }

  private arm(): void {
    if (this.closed || this.timer !== undefined || this.queue.length === 0) return;
    if (this.inFlight >= this.limits.window) return; // wait for an ack
    if (this.limits.flushMs <= 0) this.flush();
    else this.timer = this.timers.setTimeout(() => this.flush(), this.limits.flushMs);
  }

  private flush(): void {
    this.timer = undefined;
    while (!this.closed && this.queue.length > 0 && this.inFlight < this.limits.window) {
      const items = this.queue.splice(0, this.limits.maxItemsPerBatch);
      const msg: ServerMessage = { t: 'batch', id: this.id, seq: this.seq++, items };
      if (this.dropped > 0) {
        msg.dropped = this.dropped;
        this.dropped = 0;
      }
      this.send(msg);
    }
    if (this.queue.length === 0 && this.drainListeners.length > 0) {
      const fns = this.drainListeners;
      this.drainListeners = [];
      for (const fn of fns) fn();
    }
  }
}
