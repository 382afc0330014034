/**
 * Credit2's integer arithmetic, as Xen 4.17's credit2.c does it in s_time_t (int64) and
 * unsigned ints: the load averages (update_runq_load / update_svc_load, Q18 fixed point
 * on a 1024 ns grain, with shifts) and the conversions between time and credit
 * (t2c_update with its residual, c2t).
 *
 * JavaScript numbers are doubles: integers below 2^53 are exact, and so are a product
 * of such integers while it stays below 2^53, a multiplication by a power of two (what
 * a shift is), and Math.floor of a quotient of integers below 2^53 (the rounded quotient
 * cannot cross an integer: an integer q with q - a/b > 0 is at least 1/b away, more
 * than half an ulp of a/b < 2^53 / b). Each function says why its values stay below
 * 2^53, and takes an exact slower path where they might not.
 */

/** LOADAVG_GRANULARITY_SHIFT: loads are tracked on a grain of 2^10 ns ("now >>= 10"). */
export const LOADAVG_GRANULARITY_SHIFT = 10;
export const LOADAVG_WINDOW_SHIFT = 30;
export const LOADAVG_PRECISION_SHIFT = 18;
/**
 * prv->load_window_shift: the window in grains, opt_load_window_shift less the grain
 * (csched2_init: 30 - 10 = 20, a window of 2^20 grains, about 1.07 s).
 */
export const LOAD_WINDOW_SHIFT = LOADAVG_WINDOW_SHIFT - LOADAVG_GRANULARITY_SHIFT;

/** 1 << load_window_shift, in grains. */
const W = 2 ** LOAD_WINDOW_SHIFT;
/** 1 << load_precision_shift: a load of one unit in Q18. */
const P = 2 ** LOADAVG_PRECISION_SHIFT;
const INV_W = 2 ** -LOAD_WINDOW_SHIFT;
const INV_GRAIN = 2 ** -LOADAVG_GRANULARITY_SHIFT;
/** P / W (= 2^-2): (x << P) >> W is floor(x * P / W), as P < W. */
const P_OVER_W = P * INV_W;
const EXACT = 2 ** 53;

/** now >> LOADAVG_GRANULARITY_SHIFT, for a time in ns (an integer, 0 <= now < 2^53). */
export const loadGrain = (now: number): number => Math.floor(now * INV_GRAIN);

/**
 * update_runq_load()'s / update_svc_load()'s reset condition: more than a whole window
 * has passed since the last update (`load_last_update + (1 << W) < now`, strict, grains).
 */
export const loadWindowPassed = (lastUpdate: number, nowGrain: number): boolean => lastUpdate + W < nowGrain;

/** load << load_precision_shift: the average after a reset. */
export const loadQ = (load: number): number => load * P;

/**
 * avgload + ((delta * (load << P)) >> W) - ((delta * avgload) >> W), Xen's two floors in
 * that order, for 0 <= delta <= 2^W grains (the caller has handled the reset) and
 * integers load >= 0, avgload >= 0.
 *
 * Bounds: (delta * (load << P)) >> W is floor(delta * load / 2^(W-P)), and delta * load
 * <= 2^20 * load is exact for any load below 2^33. A step does not take an average above
 * L << P, L the largest of its start and the loads it has seen (the step is a convex
 * combination, floored: avg' < avg·(1 - delta/2^W) + delta·load·P/2^W + 1 <= L·P + 1), so
 * delta * avgload <= 2^20 · L · 2^18 < 2^53 while L < 2^15 units (b_avgload also holds
 * what _runq_assign added: the same bound counts those units). Above that (never on the
 * hosts the engine models, but Xen's int load allows it) the product is split at 2^W:
 * avgload = hi·2^W + lo gives floor(delta·avgload / 2^W) = delta·hi + floor(delta·lo / 2^W),
 * each part exact.
 */
export function loadavgStep(avgload: number, delta: number, load: number): number {
  const decay = delta * avgload;
  return avgload + Math.floor(delta * load * P_OVER_W) - (decay < EXACT ? Math.floor(decay * INV_W) : decaySplit(avgload, delta));
}

/** (delta * avgload) >> W for a product past 2^53 (kept out of loadavgStep, which is inlined). */
function decaySplit(avgload: number, delta: number): number {
  const hi = Math.floor(avgload * INV_W);
  return delta * hi + Math.floor(delta * (avgload - hi * W) * INV_W);
}

/**
 * t2c_update()'s division: the credits `time` ns cost a unit of `weight` on a runqueue
 * whose max_weight is `maxWeight`, with the residual it carries: (time * max_weight +
 * residual) / weight, an integer division. time * max_weight + residual stays below 2^53
 * while time < 2^37 ns (137 s; max_weight <= 65535, residual < weight): a unit's credits
 * are burnt at every schedule of its pCPU, whose slice is at most CSCHED2_MAX_TIMER or
 * the ratelimit (<= 500 ms), so only a pCPU left unscheduled for minutes could pass it;
 * then the division is done in BigInt, exactly.
 */
export function t2cCredits(time: number, maxWeight: number, weight: number, residual: number): number {
  // the unit of the runqueue's largest weight (every unit, when all have the default):
  // (time * weight + residual) / weight is time, the residual stays, no division needed
  if (weight === maxWeight && residual < weight) return time;
  const val = time * maxWeight + residual;
  return val < EXACT ? Math.floor(val / weight) : t2cBig(time, maxWeight, weight, residual, false);
}

/** t2c_update()'s new residual (do_div's remainder), given the credits t2cCredits() returned. */
export function t2cResidual(time: number, maxWeight: number, weight: number, residual: number, credits: number): number {
  if (weight === maxWeight && residual < weight) return residual;
  const val = time * maxWeight + residual;
  return val < EXACT ? val - credits * weight : t2cBig(time, maxWeight, weight, residual, true);
}

/** The quotient (or the remainder) of time * max_weight + residual past 2^53, in BigInt. */
function t2cBig(time: number, maxWeight: number, weight: number, residual: number, remainder: boolean): number {
  const val = BigInt(time) * BigInt(maxWeight) + BigInt(residual);
  return Number(remainder ? val % BigInt(weight) : val / BigInt(weight));
}

/**
 * c2t(): credit * weight / max_weight in s_time_t, C's division truncating toward zero
 * (for a negative credit too). |credit| < 2^31 (an int in Xen) and weight < 2^16: the
 * product is below 2^47, exact. At weight == max_weight it is the credit itself.
 */
export const c2t = (credit: number, weight: number, maxWeight: number): number => (weight === maxWeight ? credit : Math.trunc((credit * weight) / maxWeight));
