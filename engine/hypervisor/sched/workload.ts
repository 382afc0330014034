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

/** The kinds as small integers: the model's methods switch on one field. */
const IDLE = 0;
const CPU = 1;
/** io and latency: exponential bursts, exponential blocks (io's burn/block, latency's burst/idle). */
const EXP = 2;
const RT = 3;
const MIX = 4;

/**
 * Every workload is this one class, its kind a number its methods switch on. The dispatch
 * loop calls burst() and onBurstEnd() on every vCPU's workload from one call site: with
 * a class per kind that site saw six shapes and went megamorphic (a stub lookup per call,
 * ~10 % of the 64-pCPU loop); with one class it is a direct, inlinable call.
 */
class Model implements Workload {
  private nJobs = 0;
  private nMisses = 0;
  /** Periodic: the current job's release time. */
  private release = 0;
  /** Mix: the part the next burst comes from. */
  private cur: Model | null = null;
  private readonly total: number;

  constructor(
    readonly kind: WorkloadSpec['kind'],
    private readonly k: number,
    /** EXP: mean burst ns; RT: period ns. */
    private readonly a: number,
    /** EXP: mean block ns; RT: execution ns. */
    private readonly b: number,
    private readonly parts: { weight: number; wl: Model }[] | null,
  ) {
    this.total = parts ? parts.reduce((t, p) => t + p.weight, 0) : 0;
    this.cur = parts ? parts[0]!.wl : null;
  }

  get jobs(): number {
    return this.parts ? this.parts.reduce((t, p) => t + p.wl.jobs, 0) : this.nJobs;
  }

  get jobMisses(): number {
    return this.parts ? this.parts.reduce((t, p) => t + p.wl.jobMisses, 0) : this.nMisses;
  }

  start(now: STime, rng: Rng): void {
    if (this.k === RT) this.release = now;
    else if (this.k === MIX) {
      for (const p of this.parts!) p.wl.start(now, rng);
      this.cur = this.pick(rng);
    }
  }

  burst(now: STime, rng: Rng): number {
    switch (this.k) {
      case EXP:
        return Math.max(MICROSECS(1), Math.round(rng.exp(this.a)));
      case RT:
        return this.b;
      case CPU:
        return Infinity;
      case MIX:
        return this.cur!.burst(now, rng);
      default:
        return 0;
    }
  }

  onBurstEnd(now: STime, rng: Rng): number {
    switch (this.k) {
      case EXP:
        this.nJobs++;
        return Math.max(MICROSECS(1), Math.round(rng.exp(this.b)));
      case RT: {
        this.nJobs++;
        if (now > this.release + this.a) this.nMisses++;
        this.release += this.a;
        // a job already released (we overran): start it at once
        return this.release <= now ? 0 : this.release - now;
      }
      case CPU:
        return 0;
      case MIX: {
        const d = this.cur!.onBurstEnd(now, rng);
        this.cur = this.pick(rng);
        return d;
      }
      default:
        return Infinity;
    }
  }

  private pick(rng: Rng): Model {
    const parts = this.parts!;
    let r = rng.float() * this.total;
    for (const p of parts) {
      r -= p.weight;
      if (r < 0) return p.wl;
    }
    return parts[parts.length - 1]!.wl;
  }
}

const positive = (name: string, v: number): number => {
  if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`workload ${name} must be a positive number of µs, got ${v}`);
  return Math.max(1, Math.round(MICROSECS(v)));
};

export function makeWorkload(spec: WorkloadSpec): Workload {
  return model(spec);
}

function model(spec: WorkloadSpec): Model {
  switch (spec.kind) {
    case 'idle':
      return new Model('idle', IDLE, 0, 0, null);
    case 'cpu':
      return new Model('cpu', CPU, 0, 0, null);
    case 'io':
      return new Model('io', EXP, positive('burnUs', spec.burnUs), positive('blockUs', spec.blockUs), null);
    case 'rt': {
      const p = positive('periodUs', spec.periodUs);
      const e = positive('execUs', spec.execUs);
      if (e > p) throw new RangeError(`workload execUs ${spec.execUs} exceeds periodUs ${spec.periodUs}`);
      return new Model('rt', RT, p, e, null);
    }
    case 'latency': {
      const idle = positive('idleUs', spec.idleUs);
      return new Model('latency', EXP, positive('burstUs', spec.burstUs), idle, null);
    }
    case 'mix':
      if (spec.parts.length === 0 || spec.parts.some((p) => !(p.weight > 0))) throw new RangeError('a mix needs parts with positive weights');
      return new Model('mix', MIX, 0, 0, spec.parts.map((p) => ({ weight: p.weight, wl: model(p.spec) })));
  }
}
