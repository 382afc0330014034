/**
 * In-place insert and remove for the schedulers' ordered queues (credit's per-pCPU
 * runqueues, credit2's per-runqueue list, RTDS's runq, null's wait queue).
 * Array.prototype.splice returns a new array of what it removed on every call; on the
 * dispatch loop's hot path (a queue change per wake-up and per schedule) that garbage
 * was most of what the loop allocated.
 */
export function insertAt<T>(q: T[], i: number, x: T): void {
  let j = q.length;
  q.push(x);
  for (; j > i; j--) q[j] = q[j - 1]!;
  q[i] = x;
}

/** Remove q[i] (0 <= i < q.length) and return it. */
export function removeAt<T>(q: T[], i: number): T {
  const x = q[i]!;
  const n = q.length - 1;
  for (let j = i; j < n; j++) q[j] = q[j + 1]!;
  q.length = n;
  return x;
}
