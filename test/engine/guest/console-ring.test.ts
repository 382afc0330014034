import { describe, expect, it } from 'vitest';
import { ConsoleRingBuffer, XENCONS_OUT_SIZE } from '../../../engine/guest/console-ring';

describe('console ring (struct xencons_interface)', () => {
  it('takes what fits, wraps around the end, and keeps the bytes in order', () => {
    const r = new ConsoleRingBuffer(XENCONS_OUT_SIZE);
    const a = Uint8Array.from({ length: 1500 }, (_, i) => i % 251);
    expect(r.write(a)).toBe(1500);
    expect(r.read()).toEqual(a);
    const b = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7) % 253);
    expect(r.write(b)).toBe(XENCONS_OUT_SIZE); // full: the rest waits
    expect(r.space).toBe(0);
    expect(r.read()).toEqual(b.subarray(0, XENCONS_OUT_SIZE));
    expect(r.write(b, XENCONS_OUT_SIZE)).toBe(3000 - XENCONS_OUT_SIZE);
    expect(r.read()).toEqual(b.subarray(XENCONS_OUT_SIZE));
  });

  it('indexes wrap at 2^32 like XENCONS_RING_IDX', () => {
    const r = new ConsoleRingBuffer(1024);
    r.prod = r.cons = 0xffff_fff0;
    const d = Uint8Array.from({ length: 100 }, (_, i) => i);
    expect(r.write(d)).toBe(100);
    expect(r.prod).toBe(84);
    expect(r.used).toBe(100);
    expect(r.read()).toEqual(d);
  });
});
