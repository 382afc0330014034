/**
 * The hot per-vCPU state of a host in one typed table: a row of ROW numbers per vCPU,
 * indexed by its scheduling unit's idx (sched/core.ts). The dispatch loop reads and
 * writes it directly (`f[base + R_x]`); Vcpu (vcpu.ts) keeps accessors over the same row,
 * so the toolstack, xl and the rest of the engine see plain properties.
 *
 * Why a table: a wake-up or a context switch touches the vCPU's runstate (state, entry
 * time and the four sums of vcpu_runstate_info), its pause flags, the CPU left in its
 * workload burst, when it woke and its workload's parameters. As object fields these were
 * a Vcpu, a workload object and, for every field holding a number beyond 2^31 (every
 * time in ns), a heap box of its own: several cache misses per event on the 4096-pCPU
 * host's ~40 MB heap. Here they are side by side in one row of 256 bytes, with the
 * scheduling unit's own state (scheduler, pCPU, flags, wake-up timer) and its
 * scheduler's record of it (R_SCHED_PRIV).
 *
 * A Vcpu made outside a host (tests, or before its unit exists) keeps its fields in a
 * one-row table of its own; the core moves them into the host's table when it makes
 * the unit (bind) and back out when the unit is freed (unbind). Rows 0..nrCpus-1 are
 * unused (unit idx starts after the pCPUs: the clock's timer argument tells them apart).
 */
import type { STime } from './clock';

/** vcpu_runstate_info.state_entry_time. */
export const R_ENTRY = 0;
/** vcpu_runstate_info.state as RS_* (RUNSTATE_running 0, runnable 1, blocked 2, offline 3). */
export const R_RS = 1;
/** Why the vCPU may not run: NR_* bits; 0 is Xen's vcpu_runnable(). */
export const R_NR = 2;
/** v->processor. */
export const R_PROC = 3;
/** vcpu_runstate_info.time[]: ns in running, runnable, blocked, offline (R_TIME + state). */
export const R_TIME = 4;
/** The fields above are the Vcpu's own (bind and unbind move them); the rest the core's. */
export const R_VCPU_END = 8;
/** CPU ns left in the current workload burst (sched/core.ts). */
export const R_LEFT = 8;
/** When the vCPU last woke from blocked, for the wake-to-run latency; -1 if not waiting. */
export const R_WOKE = 9;
/** The workload model's kind code and state (sched/workload.ts: W_*, 6 fields). */
export const R_WL = 10;
/** Its wake-to-run latency samples' count, sum and maximum (sched/latency-table.ts). */
export const R_LAT = 16;
/** The scheduling unit's own state (sched/core.ts Unit), here so that no object of the
 * vCPU is touched on the hot path: its scheduler's slot in the core (-1 detached) ... */
export const R_SCHED = 19;
/** ... the pCPU it runs on (-1 when not running) ... */
export const R_PCPU = 20;
/** ... its U_* flags (awake, affinity) ... */
export const R_UFL = 21;
/** ... and its workload's wake-up timer on the clock (-1 until it has a workload). */
export const R_WTIMER = 22;
/** RTDS: the unit's deadline misses (Unit.deadlineMisses), counted where its replenishment
 * is handled: a field of the row that handler already has in cache, not of the Unit object. */
export const R_DMISS = 23;
/**
 * The scheduler-private region: 8 numbers (64 bytes) that the scheduler the unit is
 * attached to owns (its per-unit record: Xen's unit->priv, e.g. credit's csched_unit).
 * A unit is in one scheduler at a time: the scheduler initialises the region when the
 * unit is inserted and leaves it to the next one when the unit is removed. Here, and
 * not in a buffer of the scheduler's own, so that the scheduler's record of a waking or
 * switching unit is the line after the core's, not a miss of its own elsewhere.
 * Integer fields use the table's Int32Array view `i` (two integers a number: from
 * 2·(base + R_SCHED_PRIV)).
 */
export const R_SCHED_PRIV = 24;
export const R_SCHED_PRIV_LEN = 8;
/** 24 numbers, then the private region: 256 bytes, four cache lines. */
export const ROW = 32;

/** The scheduler has been told the unit is awake (a wake without a sleep since). */
export const U_AWAKE = 1;
/** Hard affinity is every pCPU (or broken): no test needed. */
export const U_HARD_ALL = 2;
/** Soft affinity says something useful (not all pCPUs, meets hard). */
export const U_HAS_SOFT = 4;
/** Hard affinity does not meet the pool's pCPUs: Xen breaks it (treat as all). */
export const U_AFF_BROKEN = 8;

export const RS_RUNNING = 0;
export const RS_RUNNABLE = 1;
export const RS_BLOCKED = 2;
export const RS_OFFLINE = 3;

/** VPF_down: offline (vcpu-set) or never brought up. */
export const NR_DOWN = 1;
/** VPF_blocked: the guest blocked waiting for an event (SCHEDOP_block). */
export const NR_BLOCKED = 2;
/** v->pause_count > 0. */
export const NR_PAUSED = 4;
/** The domain is paused, shut down or dying (d->pause_count, d->is_shut_down). */
export const NR_OWNER = 8;
/**
 * _VPF_migrating: the unit is moving to another pCPU (sched/unit-migrate.ts). Set by
 * sched_unit_migrate_start() and credit2's migrate() of a running unit, cleared when
 * sched_unit_migrate_finish() moves it (at once, or when the pCPU it runs on switches it
 * out): not runnable meanwhile, so the hot paths need no test of their own.
 */
export const NR_MIGRATING = 16;

/**
 * `n` doubles, so placed that a row's four lines are four cache lines, not parts of
 * five, when the allocator places the buffer as glibc does a chunk above its mmap
 * threshold: 16 bytes past a page boundary, so the table starts 48 bytes into its buffer.
 * JS cannot see addresses, so this is a guess, not a guarantee: glibc serves chunks
 * below its (dynamic: it rises to the size of the largest mmap'd chunk freed, up to
 * 32 MiB) threshold from its heap, 16-byte aligned, i.e. 48 bytes past a line only one
 * time in four (seen with %DebugPrint's backing_store), and other allocators (Electron's
 * PartitionAlloc, macOS, Windows) place buffers their own way. A wrong guess costs 64
 * bytes and nothing else. The table doubles as it grows, so each new buffer is larger
 * than any it replaced and usually stays above the threshold. Measured on case (b)
 * (credit, 8 alternated runs, load 2.7-6): 1.49M → 1.71M events per CPU second (median).
 */
const ALIGN_SKEW = 48;
function lineAligned(n: number): Float64Array {
  return new Float64Array(new ArrayBuffer(n * 8 + 64), ALIGN_SKEW, n);
}

/** The rows; `f` and `i` are replaced (same object) when the table grows. */
export class VcpuTable {
  f: Float64Array;
  /** The same buffer as 32-bit integers (for the private regions' integer fields). */
  i: Int32Array;

  constructor(rows: number) {
    this.f = lineAligned(Math.max(1, rows) * ROW);
    this.i = new Int32Array(this.f.buffer, this.f.byteOffset, this.f.length * 2);
  }

  /** Room for rows 0..rows-1 (capacity doubles). */
  ensure(rows: number): void {
    if (rows * ROW <= this.f.length) return;
    let n = this.f.length;
    while (n < rows * ROW) n *= 2;
    const f = lineAligned(n);
    f.set(this.f);
    this.f = f;
    this.i = new Int32Array(f.buffer, f.byteOffset, f.length * 2);
  }
}

/**
 * vcpu_runstate_change(): add the time in the old state to its sum, enter `state` at
 * `now` (xen/common/sched/core.c). The one implementation, for Vcpu and the loop.
 */
export function runstateChange(f: Float64Array, b: number, state: number, now: STime): void {
  const entry = f[b + R_ENTRY]!;
  if (now < entry) throw new RangeError(`runstate change at ${now} before entry ${entry}`);
  f[b + R_TIME + f[b + R_RS]!]! += now - entry;
  f[b + R_RS] = state;
  f[b + R_ENTRY] = now;
}
