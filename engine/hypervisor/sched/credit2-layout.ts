/**
 * Credit2's constants, with Xen 4.17's names and values (xen/common/sched/credit2.c), and
 * the layout of its typed tables: a unit's record (F, I: credit2-units.ts), its flags
 * (C2) and a runqueue's load row (RQ: credit2-runq.ts). The layouts are const enums:
 * esbuild writes their numbers into the code of every file that reads them.
 */
import { MICROSECS, MILLISECS } from '../clock';

export const CSCHED2_DEFAULT_WEIGHT = 256;
export const CSCHED2_MIN_TIMER = MICROSECS(500);
export const CSCHED2_CREDIT_INIT = MILLISECS(10);
export const CSCHED2_CREDIT_MIN = -CSCHED2_CREDIT_INIT;
export const CSCHED2_IDLE_CREDIT = CSCHED2_CREDIT_MIN - 1;
export const CSCHED2_CARRYOVER_MAX = CSCHED2_MIN_TIMER;
export const CSCHED2_MIGRATE_RESIST = MICROSECS(500);
export const CSCHED2_MIGRATE_COMPENSATION = MICROSECS(50);
export const CSCHED2_RATELIMIT_TICKLE_TOLERANCE = MICROSECS(50);
export const CSCHED2_CREDIT_RESET = 0;
export const CSCHED2_MAX_TIMER = CSCHED2_CREDIT_INIT;
export const CSCHED2_CAP_PERIOD_MS = 10;
export const MAX_CPUS_RUNQ = 16;
export const LOADAVG_WINDOW_SHIFT = 30;
export const LOADAVG_PRECISION_SHIFT = 18;
/** credit2_balance_under / credit2_balance_over (in powers of two of one vCPU of load). */
export const BALANCE_UNDER_TOLERANCE = 0;
export const BALANCE_OVER_TOLERANCE = -3;

export type Credit2RunqueueKind = 'cpu' | 'core' | 'socket' | 'node' | 'all';

export interface Credit2Options {
  runqueue?: Credit2RunqueueKind;
  maxCpusRunqueue?: number;
  ratelimitUs?: number;
}

export const W = 2 ** LOADAVG_WINDOW_SHIFT;
export const P = 2 ** LOADAVG_PRECISION_SHIFT;
/** 1/W: W is a power of two, so x * INV_W is exactly x / W, without a division per update. */
export const INV_W = 1 / W;

/**
 * A unit's record in the table (credit2-units.ts), 64 bytes at the unit's idx: five
 * doubles in `tf` from idx·F.STRIDE (ns; avgload in Q18 fixed point), then six integers
 * in `ti` from idx·I.STRIDE. Const enums, so the offsets are numbers in the code.
 */
export const enum F {
  STRIDE = 8,
  CREDIT = 0,
  START_TIME = 1,
  /** When the current run started (for the ratelimit). */
  RUN_START = 2,
  AVGLOAD = 3,
  LOAD_LAST_UPDATE = 4,
}
export const enum I {
  STRIDE = 16,
  WEIGHT = 10,
  /** C2 flags. */
  FLAGS = 11,
  /** The pCPU tickled to run it, -1 if none. */
  TICKLED_CPU = 12,
  /** v->processor, mirrored: every write to Unit.processor while it is in credit2 is known here. */
  PROCESSOR = 13,
  /** Its runqueue's slot, -1 when assigned to none (svc->rqd). */
  RQD = 14,
  /** 1 while the unit wants to run (queued, running, parked). */
  LOAD = 15,
}
/** A record's flags. */
export const enum C2 {
  /** On its runqueue's list of waiting units. */
  ON_RUNQ = 1,
  /** Parked: its domain is out of budget (park_unit). */
  PARKED = 2,
  /** has_cap(): its domain has a cap, its budget is in the table's `budget`. */
  CAPPED = 4,
  /**
   * Running on a pCPU (the core's Unit.pcpu ≥ 0). That pCPU is its I.PROCESSOR: the core
   * sets v->processor when it starts running it, and credit2 moves only units that do not run.
   */
  RUNNING = 8,
  /** Unit.hardAll when it joined: hard affinity needs no test. */
  HARD_ALL = 16,
  /** Unit.hasSoft when it joined: soft affinity is worth testing. */
  HAS_SOFT = 32,
  /** Its soft affinity (cpu_soft_affinity, as set) is every pCPU, when it joined. */
  SOFT_ALL = 64,
}
/** A runqueue's load row (credit2-runq.ts RunqLoads), by its slot. */
export const enum RQ {
  STRIDE = 4,
  /** Units that want to run (instload). */
  LOAD = 0,
  AVGLOAD = 1,
  /** The average used for balancing: also moved along with the units assigned (b_avgload). */
  B_AVGLOAD = 2,
  LOAD_LAST_UPDATE = 3,
}
