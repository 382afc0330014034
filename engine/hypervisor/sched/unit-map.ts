/**
 * A scheduler's map from unit idx (core.ts Unit.idx) to one integer of its own (a record
 * number, an assigned pCPU), -1 for none: the hot hooks get units by idx and look them up
 * here, in a small typed array, instead of through the Unit object.
 */
import { grown } from '../typed-grow';

/** `a`, or a copy with room for index `idx` (capacity doubles; new entries -1). */
export function withRoomFor<T extends Int32Array>(a: T, idx: number): T {
  if (idx < a.length) return a;
  let n = Math.max(a.length, 1);
  while (n <= idx) n *= 2;
  const b = grown(a, n);
  b.fill(-1, a.length);
  return b;
}
