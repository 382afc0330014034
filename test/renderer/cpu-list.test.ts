import { describe, expect, it } from 'vitest';
import { formatCpuList, parseCpuList } from '../../renderer/src/util/cpu-list';

describe("xl's CPU list syntax", () => {
  it('takes all, single pCPUs, ranges and exclusions, left to right', () => {
    expect(parseCpuList('all', 4)).toEqual([0, 1, 2, 3]);
    expect(parseCpuList('0-3,^1', 8)).toEqual([0, 2, 3]);
    expect(parseCpuList('all,^2-5', 8)).toEqual([0, 1, 6, 7]);
    expect(parseCpuList(' 5 ', 8)).toEqual([5]);
  });

  it('names what is wrong', () => {
    expect(() => parseCpuList('9', 8)).toThrow('pCPU 9 does not exist (this host has 0-7)');
    expect(() => parseCpuList('3-1', 8)).toThrow('range 3-1 runs backwards');
    expect(() => parseCpuList('x', 8)).toThrow('"x" is not a pCPU');
    expect(() => parseCpuList('1,^1', 8)).toThrow('leaves no pCPU');
    expect(() => parseCpuList('', 8)).toThrow('empty CPU list');
  });

  it('prints a pCPU set back as xl does, and round-trips', () => {
    expect(formatCpuList([])).toBe('');
    expect(formatCpuList([3])).toBe('3');
    expect(formatCpuList([5, 0, 1, 2, 7, 8])).toBe('0-2,5,7-8');
    const cpus = [0, 1, 2, 3, 36, 37, 38, 70];
    expect(parseCpuList(formatCpuList(cpus), 72)).toEqual(cpus);
  });
});
