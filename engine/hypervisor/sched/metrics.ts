/**
 * Scheduling metrics without per-event allocation: a log-linear latency histogram (8
 * sub-buckets per power of two, so a percentile is within ~6% of the true value; the
 * maximum and the mean are exact), and the summary shapes the toolstack reads.
 */
const SUB_BITS = 3;
const SUB = 1 << SUB_BITS;
/** Buckets for 0 .. 2^32 ns (4.3 s); longer waits land in the last bucket (max stays exact). */
export const NBUCKETS = (32 - SUB_BITS + 1) * SUB;

export function bucketOf(v: number): number {
  if (v < SUB) return v < 0 ? 0 : Math.floor(v);
  if (v >= 4294967295) return NBUCKETS - 1;
  const x = v >>> 0;
  const e = 31 - Math.clz32(x);
  return (e - SUB_BITS + 1) * SUB + ((x >>> (e - SUB_BITS)) & (SUB - 1));
}

function bucketMid(b: number): number {
  if (b < SUB) return b;
  const e = (b >> SUB_BITS) + SUB_BITS - 1;
  const m = b & (SUB - 1);
  const width = 2 ** (e - SUB_BITS);
  return (SUB + m) * width + width / 2;
}

export interface LatencySummary {
  count: number;
  /** ns */
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

export class LatencyStats {
  private buckets: Uint32Array | null = null;
  count = 0;
  sum = 0;
  max = 0;

  record(ns: number): void {
    const b = (this.buckets ??= new Uint32Array(NBUCKETS));
    b[bucketOf(ns)]!++;
    this.count++;
    this.sum += ns;
    if (ns > this.max) this.max = ns;
  }

  /** Add a histogram kept elsewhere (NBUCKETS counts from `hist[base]`). */
  mergeRaw(hist: Uint32Array, base: number, count: number, sum: number, max: number): void {
    if (count === 0) return;
    const b = (this.buckets ??= new Uint32Array(NBUCKETS));
    for (let i = 0; i < NBUCKETS; i++) b[i]! += hist[base + i]!;
    this.count += count;
    this.sum += sum;
    if (max > this.max) this.max = max;
  }

  merge(o: LatencyStats): void {
    if (o.count === 0 || !o.buckets) return;
    const b = (this.buckets ??= new Uint32Array(NBUCKETS));
    for (let i = 0; i < NBUCKETS; i++) b[i]! += o.buckets[i]!;
    this.count += o.count;
    this.sum += o.sum;
    if (o.max > this.max) this.max = o.max;
  }

  reset(): void {
    this.buckets?.fill(0);
    this.count = 0;
    this.sum = 0;
    this.max = 0;
  }

  /** The q-quantile (0..1), ns; 0 with no samples. */
  quantile(q: number): number {
    const b = this.buckets;
    if (!b || this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < NBUCKETS; i++) {
      seen += b[i]!;
      if (seen >= rank) return Math.min(bucketMid(i), this.max);
    }
    return this.max;
  }

  summary(): LatencySummary {
    return {
      count: this.count,
      p50: this.quantile(0.5),
      p99: this.quantile(0.99),
      max: this.max,
      mean: this.count > 0 ? this.sum / this.count : 0,
    };
  }
}

/** ns in each runstate (vcpu_runstate_info.time[]). */
export interface RunstateTimes {
  running: number;
  runnable: number;
  blocked: number;
  offline: number;
}

export interface VcpuSchedMetrics {
  domid: number;
  vcpu: number;
  /** pCPU it runs on or last ran on. */
  cpu: number;
  cpuTime: number;
  runstate: RunstateTimes;
  wakeLatency: LatencySummary;
  /** RTDS: periods that ended with budget left while the vCPU wanted to run. */
  deadlineMisses: number;
  /** Periodic real-time workload: jobs that completed after their deadline. */
  jobMisses: number;
}

export interface DomainSchedMetrics {
  domid: number;
  name: string;
  poolId: number;
  cpuTime: number;
  runstate: RunstateTimes;
  wakeLatency: LatencySummary;
  deadlineMisses: number;
  jobMisses: number;
}

export interface PcpuSchedMetrics {
  cpu: number;
  /** -1 when the pCPU is free (in no pool). */
  poolId: number;
  busyNs: number;
  /** busy / elapsed since boot, 0..1 */
  utilisation: number;
  contextSwitches: number;
  scheduleCalls: number;
  /** Wake-up-to-run latency of the vCPUs woken onto this pCPU. */
  wakeLatency: LatencySummary;
}

export interface PoolSchedMetrics {
  poolId: number;
  name: string;
  sched: string;
  nCpus: number;
  nDom: number;
  cpuTime: number;
  /** busy time of the pool's pCPUs / (elapsed × pCPUs), 0..1 */
  utilisation: number;
  wakeLatency: LatencySummary;
  deadlineMisses: number;
  jobMisses: number;
}
