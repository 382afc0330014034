/**
 * A shared once-a-second sampler: one timer per key (a host, a domain) however many
 * subscribers watch it, turning two consecutive samples into the item they receive, and
 * stopping when the last subscriber goes. A slow sample skips a beat instead of piling up;
 * a failed one starts the pair over.
 */
export class PeriodicSampler<S, R> {
  private readonly watches = new Map<string, { listeners: Set<(r: R) => void>; timer: ReturnType<typeof setInterval>; last: S | undefined; busy: boolean }>();

  constructor(
    private readonly sample: (key: string) => Promise<S>,
    private readonly diff: (key: string, a: S, b: S) => R,
    private readonly periodMs = 1000,
  ) {}

  subscribe(key: string, listener: (r: R) => void): () => void {
    let w = this.watches.get(key);
    if (!w) {
      const watch = { listeners: new Set<(r: R) => void>(), timer: setInterval(() => void this.tick(key), this.periodMs), last: undefined as S | undefined, busy: false };
      this.watches.set(key, watch);
      w = watch;
      // the first sample on the next turn, not inside subscribe: a host with 10,000 domains
      // takes a while to sample, and the page's other first requests should not wait for it
      setTimeout(() => void this.tick(key), 0);
    }
    w.listeners.add(listener);
    const mine = w;
    return () => {
      mine.listeners.delete(listener);
      if (mine.listeners.size === 0 && this.watches.get(key) === mine) {
        clearInterval(mine.timer);
        this.watches.delete(key);
      }
    };
  }

  close(): void {
    for (const w of this.watches.values()) clearInterval(w.timer);
    this.watches.clear();
  }

  private async tick(key: string): Promise<void> {
    const w = this.watches.get(key);
    if (!w || w.busy) return;
    w.busy = true;
    try {
      const s = await this.sample(key);
      if (w.last !== undefined) {
        const r = this.diff(key, w.last, s);
        for (const l of w.listeners) l(r);
      }
      w.last = s;
    } catch {
      w.last = undefined;
    } finally {
      w.busy = false;
    }
  }
}
