/**
 * Seeded pseudo-random numbers for the simulated host. Every random choice the engine
 * makes (uuids, MAC addresses, workload jitter) comes from here so a run replays from
 * its seed. Algorithm: xoshiro128** (Blackman and Vigna), seeded through splitmix32.
 */
export class Rng {
  // The state words are kept as signed 32-bit integers (| 0): the same bits as the
  // unsigned words of the algorithm, but small integers to V8, stored in the object
  // itself; an unsigned word above 2^31 is a boxed double, one more load per word on
  // every draw (the schedulers' workloads draw on most wake-ups).
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(readonly seed: number) {
    let x = seed >>> 0;
    const next = (): number => {
      // splitmix32
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next() | 0;
    this.s1 = next() | 0;
    this.s2 = next() | 0;
    this.s3 = next() | 0;
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  u32(): number {
    const s0 = this.s0;
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    const s2 = this.s2 ^ s0;
    const s3 = this.s3 ^ s1;
    this.s1 = s1 ^ s2;
    this.s0 = s0 ^ s3;
    this.s2 = s2 ^ t;
    this.s3 = rotl(s3, 11) | 0;
    return result;
  }

  /** A float in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** An integer in [lo, hi] inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  /** An exponentially distributed value with the given mean (for arrival jitter). */
  exp(mean: number): number {
    return -Math.log(1 - this.float()) * mean;
  }

  /** A derived generator, so subsystems draw from independent streams. */
  fork(label: string): Rng {
    let h = this.seed >>> 0;
    for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
    return new Rng(h);
  }

  /** An RFC 4122 version-4 uuid drawn from this stream (as libxl_uuid_generate gives). */
  uuid(): string {
    const b = new Uint8Array(16);
    for (let i = 0; i < 16; i += 4) {
      const v = this.u32();
      b[i] = v & 0xff;
      b[i + 1] = (v >>> 8) & 0xff;
      b[i + 2] = (v >>> 16) & 0xff;
      b[i + 3] = v >>> 24;
    }
    b[6] = (b[6]! & 0x0f) | 0x40;
    b[8] = (b[8]! & 0x3f) | 0x80;
    const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
