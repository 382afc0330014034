import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newLab, xl } from './xl-harness';

describe('xl cpupool-numa-split', () => {
  it('splits a two-node lab host into Pool-node0 and Pool-node1, kept across runs, and refuses a second split', async () => {
    const lab = newLab();
    writeFileSync(join(lab, 'lab.json'), JSON.stringify({ format: 1, preset: 'haswell-ep-2s', seed: 1, hostname: 'numa' }));
    expect(await xl(lab, 'cpupool-numa-split')).toEqual({ code: 0, stdout: '', stderr: '' });
    // a new run replays the journal: the split is still there
    const list = (await xl(lab, 'cpupool-list')).stdout.split('\n').filter((l) => l !== '');
    expect(list.map((l) => l.split(/\s+/).slice(0, 4))).toEqual([
      ['Name', 'CPUs', 'Sched', 'Active'],
      ['Pool-node0', '36', 'credit2', 'y'],
      ['Pool-node1', '36', 'credit2', 'y'],
    ]);
    expect(await xl(lab, 'cpupool-numa-split')).toEqual({ code: 1, stdout: '', stderr: 'splitting not possible, already cpupools in use\n' });
  });
});
