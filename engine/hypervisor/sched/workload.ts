/**
 * What a vCPU does when it runs: workload models the guest model drives and the tests
 * and benchmarks use. A workload is a small state machine over "bursts": the vCPU needs
 * `workloadBurst()` ns of CPU, then blocks for `workloadBurstEnd()` ns (0: it goes straight
 * on with the next burst; Infinity: it sleeps until something outside wakes it). The dispatch loop
 * (core.ts) charges the CPU time the vCPU actually gets against the burst, so a burst
 * stretched by preemption simply finishes later.
 *
 * Randomness comes only from the Rng passed in (the host's seeded stream).
 */
import type { STime } from '../clock';
import { MICROSECS } from '../clock';
import type { Rng } from '../rng';

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

/**
 * The model's state lives in the vCPU's row of the host's VcpuTable (vcpu-table.ts), at
 * `i` = row base + R_WL, these fields after it: the loop draws a burst or ends one from
 * the row it already has in cache, without touching a workload object. A mix keeps its
 * current part and that part's leaf there (kind, parameters, release), and reads its
 * (shared) definition only for its picks; its deadline misses are the whole workload's (a
 * mix's are the sum of its parts').
 */
/** Kind code of the current leaf (IDLE..RT), plus MIX_BIT when the workload is a mix. */
const W_KIND = 0;
/** EXP: mean burst ns; RT: period ns. */
const W_A = 1;
/** EXP: mean block ns; RT: execution ns. */
const W_B = 2;
/** RT: the current job's release time. */
const W_REL = 3;
/** RT: jobs finished after their deadline (a mix's: the sum of its parts'). */
const W_MISS = 4;
/** Mix: the index of its current part. */
const W_CUR = 5;

/** The kinds as small integers: the loop switches on the row's code. */
const IDLE = 0;
const CPU = 1;
/** io and latency: exponential bursts, exponential blocks (io's burn/block, latency's burst/idle). */
const EXP = 2;
const RT = 3;
const MIX = 4;
const MIX_BIT = 8;
const LEAF = 7;

/** CPU ns the next burst of the row's workload needs (Infinity: never blocks). */
export function workloadBurst(f: Float64Array, i: number, rng: Rng): number {
  switch (f[i + W_KIND]! & LEAF) {
    case EXP:
      return Math.max(MICROSECS(1), Math.round(rng.exp(f[i + W_A]!)));
    case RT:
      return f[i + W_B]!;
    case CPU:
      return Infinity;
    default:
      return 0;
  }
}

/**
 * A burst completed at `now`: ns until the next wake-up (0: no block; Infinity: until
 * woken). `wl` is the row's workload, asked only by a mix for its next part.
 */
export function workloadBurstEnd(f: Float64Array, i: number, now: STime, rng: Rng, wl: Workload): number {
  const k = f[i + W_KIND]!;
  let d: number;
  switch (k & LEAF) {
    case EXP:
      d = Math.max(MICROSECS(1), Math.round(rng.exp(f[i + W_B]!)));
      break;
    case RT: {
      const a = f[i + W_A]!;
      let rel = f[i + W_REL]!;
      if (now > rel + a) f[i + W_MISS]!++;
      rel += a;
      f[i + W_REL] = rel;
      // a job already released (we overran): start it at once
      d = rel <= now ? 0 : rel - now;
      break;
    }
    case CPU:
      d = 0;
      break;
    default:
      d = Infinity;
  }
  if (k & MIX_BIT) wl.next(f, i, rng);
  return d;
}

/** Jobs finished after their deadline (periodic real-time only). */
export function workloadJobMisses(f: Float64Array, i: number): number {
  return f[i + W_MISS]!;
}

/**
 * A workload's definition: its kind and parameters, and for a mix its parts (a tree).
 * Immutable and shared by every vCPU given an equal spec (the 4096-pCPU bench's 2048
 * mixes read one, in cache, instead of a tree of objects each).
 */
class WorkloadDef {
  readonly total: number;
  /** Mix: its parts' weights in order, for the pick walk. */
  readonly weights: Float64Array | null;
  /** A part's slot in a vCPU's state vector (a nested mix's current part, a real-time
   * part's release while another part runs); -1 for the root and stateless parts. */
  slot = -1;
  /** Root only: slots in the state vector; 0 when the row holds all the state (a leaf,
   * or a mix whose parts are leaves keeping nothing but jobs: no real-time, no mix). */
  nSlots = 0;
  /** Root with nSlots 0: the one Workload of every vCPU running it (it has no state). */
  shared: Workload | null = null;

  constructor(
    readonly kind: WorkloadSpec['kind'],
    readonly k: number,
    /** EXP: mean burst ns; RT: period ns. */
    readonly a: number,
    /** EXP: mean block ns; RT: execution ns. */
    readonly b: number,
    readonly parts: WorkloadDef[] | null,
    weights: number[] | null,
  ) {
    this.weights = weights ? Float64Array.from(weights) : null;
    this.total = weights ? weights.reduce((t, w) => t + w, 0) : 0;
  }
}

/**
 * The workload a vCPU runs: its definition, and for a mix with real-time or mix parts the
 * state the row has no room for (one number per such part). A mix's current part is in
 * the row's W_CUR; inside a nested mix, in the state vector.
 */
export class Workload {
  private st: Float64Array | null = null;

  constructor(private readonly def: WorkloadDef) {}

  /** The workload starts at `now` (attached, or its vCPU first wakes): its row at `i` is reset. */
  start(f: Float64Array, i: number, now: STime, rng: Rng): void {
    const d = this.def;
    f[i + W_MISS] = 0;
    f[i + W_CUR] = 0;
    f[i + W_REL] = 0;
    this.st = d.nSlots > 0 ? new Float64Array(d.nSlots) : null;
    if (d.k === RT) f[i + W_REL] = now;
    else if (d.k === MIX) {
      for (const p of d.parts!) this.startPart(p, now, rng);
      f[i + W_CUR] = pick(d, rng);
    }
    this.load(f, i);
  }

  /** A mix's leaf burst ended: every mix on the way down to it picks its next part,
   * innermost first (each after its current part has ended, as the recursion of the
   * tree of models did), and the new leaf goes into the row. */
  next(f: Float64Array, i: number, rng: Rng): void {
    const d = this.def;
    if (d.nSlots === 0) {
      f[i + W_CUR] = pick(d, rng);
      this.load(f, i);
      return;
    }
    const st = this.st!;
    const old = this.leaf(f, i);
    if (old.k === RT) st[old.slot] = f[i + W_REL]!;
    const top = d.parts![f[i + W_CUR]!]!;
    this.pickDown(top, rng);
    f[i + W_CUR] = pick(d, rng);
    this.load(f, i);
  }

  private startPart(n: WorkloadDef, now: STime, rng: Rng): void {
    if (n.k === RT) this.st![n.slot] = now;
    else if (n.k === MIX) {
      for (const p of n.parts!) this.startPart(p, now, rng);
      this.st![n.slot] = pick(n, rng);
    }
  }

  private pickDown(n: WorkloadDef, rng: Rng): void {
    if (n.k !== MIX) return;
    const st = this.st!;
    this.pickDown(n.parts![st[n.slot]!]!, rng);
    st[n.slot] = pick(n, rng);
  }

  /** The current leaf: from the root's current part down the nested mixes' ones. */
  private leaf(f: Float64Array, i: number): WorkloadDef {
    const d = this.def;
    if (d.k !== MIX) return d;
    let n = d.parts![f[i + W_CUR]!]!;
    while (n.k === MIX) n = n.parts![this.st![n.slot]!]!;
    return n;
  }

  /** The current leaf's kind, parameters and release into the row. */
  private load(f: Float64Array, i: number): void {
    const l = this.leaf(f, i);
    f[i + W_KIND] = l.k | (this.def.k === MIX ? MIX_BIT : 0);
    f[i + W_A] = l.a;
    f[i + W_B] = l.b;
    if (l !== this.def && l.k === RT) f[i + W_REL] = this.st![l.slot]!;
  }
}

/** A mix's next part, by weight (one draw). */
function pick(d: WorkloadDef, rng: Rng): number {
  const w = d.weights!;
  let r = rng.float() * d.total;
  for (let j = 0; j < w.length; j++) {
    r -= w[j]!;
    if (r < 0) return j;
  }
  return w.length - 1;
}

const positive = (name: string, v: number): number => {
  if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`workload ${name} must be a positive number of µs, got ${v}`);
  return Math.max(1, Math.round(MICROSECS(v)));
};

/** Definitions by spec (JSON): equal specs share one. Bounded: a host whose guests keep
 * inventing new specs starts the cache over rather than grow it without end. */
const DEFS = new Map<string, WorkloadDef>();
const DEFS_MAX = 1024;

export function makeWorkload(spec: WorkloadSpec): Workload {
  const key = JSON.stringify(spec);
  let d = DEFS.get(key);
  if (!d) {
    d = defOf(spec);
    let n = 0;
    const numberSlots = (p: WorkloadDef): void => {
      if (p.k === RT || p.k === MIX) p.slot = n++;
      for (const q of p.parts ?? []) numberSlots(q);
    };
    for (const p of d.parts ?? []) numberSlots(p);
    d.nSlots = n;
    if (DEFS.size >= DEFS_MAX) DEFS.clear();
    DEFS.set(key, d);
  }
  // a workload with no state outside the row is one object for every vCPU that runs it
  return d.nSlots === 0 ? (d.shared ??= new Workload(d)) : new Workload(d);
}

function defOf(spec: WorkloadSpec): WorkloadDef {
  switch (spec.kind) {
    case 'idle':
      return new WorkloadDef('idle', IDLE, 0, 0, null, null);
    case 'cpu':
      return new WorkloadDef('cpu', CPU, 0, 0, null, null);
    case 'io':
      return new WorkloadDef('io', EXP, positive('burnUs', spec.burnUs), positive('blockUs', spec.blockUs), null, null);
    case 'rt': {
      const p = positive('periodUs', spec.periodUs);
      const e = positive('execUs', spec.execUs);
      if (e > p) throw new RangeError(`workload execUs ${spec.execUs} exceeds periodUs ${spec.periodUs}`);
      return new WorkloadDef('rt', RT, p, e, null, null);
    }
    case 'latency': {
      const idle = positive('idleUs', spec.idleUs);
      return new WorkloadDef('latency', EXP, positive('burstUs', spec.burstUs), idle, null, null);
    }
    case 'mix':
      if (spec.parts.length === 0 || spec.parts.some((p) => !(p.weight > 0))) throw new RangeError('a mix needs parts with positive weights');
      return new WorkloadDef(
        'mix',
        MIX,
        0,
        0,
        spec.parts.map((p) => defOf(p.spec)),
        spec.parts.map((p) => p.weight),
      );
  }
}
