import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PeriodicSampler } from '../../../main/services/sampler';

describe('the shared 1 Hz sampler', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('samples on the next turn (not inside subscribe), then every period, one timer per key, until the last subscriber goes', async () => {
    let n = 0;
    const sample = vi.fn(async () => ++n);
    const s = new PeriodicSampler<number, [number, number]>(sample, (_k, a, b) => [a, b], 1000);
    const got: [number, number][] = [];
    const stopA = s.subscribe('h', (r) => got.push(r));
    const stopB = s.subscribe('h', () => {});
    expect(sample).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(0);
    expect(sample).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(2000);
    expect(sample).toHaveBeenCalledTimes(3);
    expect(got).toEqual([[1, 2], [2, 3]]);
    stopA();
    await vi.advanceTimersByTimeAsync(1000);
    expect(sample).toHaveBeenCalledTimes(4);
    stopB();
    await vi.advanceTimersByTimeAsync(3000);
    expect(sample).toHaveBeenCalledTimes(4);
  });
});
