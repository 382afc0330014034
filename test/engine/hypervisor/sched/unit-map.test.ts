import { describe, expect, it } from 'vitest';
import { withRoomFor } from '../../../../engine/hypervisor/sched/unit-map';

describe('withRoomFor (a scheduler map by unit idx)', () => {
  it('returns the same array when the index fits', () => {
    const a = new Int32Array(8).fill(-1);
    expect(withRoomFor(a, 7)).toBe(a);
  });

  it('grows to a power-of-two multiple that holds the index, keeping entries and filling new ones with -1', () => {
    const a = new Int32Array(4).fill(-1);
    a[2] = 5;
    const b = withRoomFor(a, 9);
    expect(b.length).toBe(16);
    expect(b[2]).toBe(5);
    expect([...b.subarray(4)].every((x) => x === -1)).toBe(true);
  });
});
