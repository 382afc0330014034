/**
 * The growth step of the engine's typed-array tables and heaps (the clock's timer heap,
 * the schedulers' per-unit records, latency histograms): a new array of `length`
 * elements of the same kind, `a`'s elements first, the rest zero. Rare (capacity
 * doubles), so it need not be fast; one place keeps the copies from drifting apart.
 */
type Grown = Float64Array | Int32Array | Uint32Array;

export function grown<T extends Grown>(a: T, length: number): T {
  const b = new (a.constructor as new (n: number) => T)(length);
  (b as Grown).set(a);
  return b;
}
