/**
 * Every domain's CPU % of the last second, kept as two compact columns (domids and their
 * CPU %) instead of 10,000 reactive entries: a new second replaces the numbers in place,
 * and the domid → position index is rebuilt only when the set of domains changed. Views
 * read it through the stats store's version counter, so only what reads it (the rows in
 * view, a sort by CPU %) runs again each second.
 */
export class DomainCpuColumns {
  private domids = new Int32Array(0);
  private pct = new Float32Array(0);
  private index = new Map<number, number>();

  /** Takes one second's columns (domids[i] used cpuPct[i] %). */
  update(domids: readonly number[], cpuPct: readonly number[]): void {
    const n = Math.min(domids.length, cpuPct.length);
    let same = n === this.domids.length;
    for (let i = 0; same && i < n; i++) same = this.domids[i] === domids[i];
    if (!same) {
      this.domids = Int32Array.from(domids.slice(0, n));
      this.pct = new Float32Array(n);
      this.index = new Map();
      for (let i = 0; i < n; i++) this.index.set(domids[i]!, i);
    }
    for (let i = 0; i < n; i++) this.pct[i] = cpuPct[i]!;
  }

  /** CPU % of a domain in the last second (rounded to 0.1 as sent), undefined before its first. */
  get(domid: number): number | undefined {
    const i = this.index.get(domid);
    // Float32 keeps 0.1 steps only approximately: give back the figure that was sent
    return i === undefined ? undefined : Math.round(this.pct[i]! * 10) / 10;
  }

  get size(): number {
    return this.domids.length;
  }

  clear(): void {
    this.update([], []);
  }
}
