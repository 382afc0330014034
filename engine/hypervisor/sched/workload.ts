/**
 * What a vCPU does when it runs: workload models the guest model drives and the tests
 * and benchmarks use. A workload is a small state machine over "bursts": the vCPU needs
 * `burst()` ns of CPU, then blocks for `onBurstEnd()` ns (0: it goes straight on with the
 * next burst; Infinity: it sleeps until something outside wakes it). The dispatch loop
 * (core.ts) charges the CPU time the vCPU actually gets against the burst, so a burst
 * stretched by preemption simply finishes later.
 *
 * Randomness comes only from the Rng passed in (the host's seeded stream).
 */
import type { STime } from '../clock';
import { MICROSECS } from '../clock';
import type { Rng } from '../rng';

export interface Workload {
  readonly kind: WorkloadSpec['kind'];
  /** The workload starts at `now` (attached, or its vCPU first wakes). */
  start(now: STime, rng: Rng): void;
  /** CPU ns the next burst needs (Infinity: never blocks). */
  burst(now: STime, rng: Rng): number;
  /** A burst completed at `now`: ns until the next wake-up (0: no block; Infinity: until woken). */
  onBurstEnd(now: STime, rng: Rng): number;
  /** Jobs finished after their deadline (periodic real-time only). */
  readonly jobMisses: number;
  readonly jobs: number;
}

export type WorkloadSpec =
  | { kind: 'idle' }
  | { kind: 'cpu' }
  /** Burn-then-block, I/O-like: exponential bursts and blocks with these means. */
  | { kind: 'io'; burnUs: number; blockUs: number }
  /** Periodic real-time: a job of execUs released every periodUs, deadline the next release. */
  | { kind: 'rt'; periodUs: number; execUs: number }
  /** Latency-sensitive: idle (exponential, mean idleUs), then a short burst on each wake-up. */
  | { kind: 'latency'; idleUs: number; burstUs: number }
  | { kind: 'mix'; parts: { weight: number; spec: WorkloadSpec }[] };

class Idle implements Workload {
  readonly kind = 'idle';
  readonly jobMisses = 0;
  readonly jobs = 0;
  start(): void {}
  burst(): number {
    return 0;
  }
  onBurstEnd(): number {
    return Infinity;
  }
}

class CpuBound implements Workload {
  readonly kind = 'cpu';
  readonly jobMisses = 0;
  readonly jobs = 0;
  start(): void {}
  burst(): number {
    return Infinity;
  }
  onBurstEnd(): number {
    return 0;
  }
}

class BurnBlock implements Workload {
  readonly kind = 'io';
  readonly jobMisses = 0;
  jobs = 0;
  constructor(
    private readonly burn: number,
    private readonly block: number,
  ) {}
  start(): void {}
  burst(_now: STime, rng: Rng): number {
    return Math.max(MICROSECS(1), Math.round(rng.exp(this.burn)));
  }
  onBurstEnd(_now: STime, rng: Rng): number {
    this.jobs++;
    return Math.max(MICROSECS(1), Math.round(rng.exp(this.block)));
  }
}

class Periodic implements Workload {
  readonly kind = 'rt';
  jobMisses = 0;
  jobs = 0;
  private release = 0;
  constructor(
    private readonly period: number,
    private readonly exec: number,
  ) {}
  start(now: STime): void {
    this.release = now;
  }
  burst(): number {
    return this.exec;
  }
  onBurstEnd(now: STime): number {
    this.jobs++;
    if (now > this.release + this.period) this.jobMisses++;
    this.release += this.period;
    // a job already released (we overran): start it at once
    return this.release <= now ? 0 : this.release - now;
  }
}

class Latency implements Workload {
  readonly kind = 'latency';
  readonly jobMisses = 0;
  jobs = 0;
  constructor(
    private readonly idle: number,
    private readonly burstMean: number,
  ) {}
  start(): void {}
  burst(_now: STime, rng: Rng): number {
    return Math.max(MICROSECS(1), Math.round(rng.exp(this.burstMean)));
  }
  onBurstEnd(_now: STime, rng: Rng): number {
    this.jobs++;
    return Math.max(MICROSECS(1), Math.round(rng.exp(this.idle)));
  }
}

class Mix implements Workload {
  readonly kind = 'mix';
  private cur: Workload;
  private readonly total: number;
  constructor(private readonly parts: { weight: number; wl: Workload }[]) {
    this.total = parts.reduce((a, p) => a + p.weight, 0);
    this.cur = parts[0]!.wl;
  }
  get jobMisses(): number {
    return this.parts.reduce((a, p) => a + p.wl.jobMisses, 0);
  }
  get jobs(): number {
    return this.parts.reduce((a, p) => a + p.wl.jobs, 0);
  }
  private pick(rng: Rng): Workload {
    let r = rng.float() * this.total;
    for (const p of this.parts) {
      r -= p.weight;
      if (r < 0) return p.wl;
    }
    return this.parts[this.parts.length - 1]!.wl;
  }
  start(now: STime, rng: Rng): void {
    for (const p of this.parts) p.wl.start(now, rng);
    this.cur = this.pick(rng);
  }
  burst(now: STime, rng: Rng): number {
    return this.cur.burst(now, rng);
  }
  onBurstEnd(now: STime, rng: Rng): number {
    const d = this.cur.onBurstEnd(now, rng);
    this.cur = this.pick(rng);
    return d;
  }
}

const positive = (name: string, v: number): number => {
  if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`workload ${name} must be a positive number of µs, got ${v}`);
  return Math.max(1, Math.round(MICROSECS(v)));
};

export function makeWorkload(spec: WorkloadSpec): Workload {
  switch (spec.kind) {
    case 'idle':
      return new Idle();
    case 'cpu':
      return new CpuBound();
    case 'io':
      return new BurnBlock(positive('burnUs', spec.burnUs), positive('blockUs', spec.blockUs));
    case 'rt': {
      const p = positive('periodUs', spec.periodUs);
      const e = positive('execUs', spec.execUs);
      if (e > p) throw new RangeError(`workload execUs ${spec.execUs} exceeds periodUs ${spec.periodUs}`);
      return new Periodic(p, e);
    }
    case 'latency':
      return new Latency(positive('idleUs', spec.idleUs), positive('burstUs', spec.burstUs));
    case 'mix':
      if (spec.parts.length === 0 || spec.parts.some((p) => !(p.weight > 0))) throw new RangeError('a mix needs parts with positive weights');
      return new Mix(spec.parts.map((p) => ({ weight: p.weight, wl: makeWorkload(p.spec) })));
  }
}
