/** `xl list -n`: each domain's NODE Affinity (domain_update_node_affinity), printed as print_bitmap does. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newLab, xl } from './xl-harness';

describe('xl list -n', () => {
  it('prints the nodes of the pCPUs the vCPUs may run on: all, one node, narrowed by soft affinity', async () => {
    const lab = newLab();
    writeFileSync(join(lab, 'lab.json'), JSON.stringify({ format: 1, preset: 'haswell-ep-2s', seed: 1, hostname: 'h' }));
    const cfg = (name: string, extra: string): string => {
      const f = join(lab, `${name}.cfg`);
      writeFileSync(f, `name="${name}"\nmemory=64\nvcpus=2\n${extra}`);
      return f;
    };
    await xl(lab, 'create', cfg('free', ''));
    await xl(lab, 'create', cfg('pinned', 'cpus="0-1"\n'));
    await xl(lab, 'create', cfg('soft', 'cpus_soft="nodes:1"\n'));
    const r = await xl(lab, 'list', '-n');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('Name                                        ID   Mem VCPUs\tState\tTime(s) NODE Affinity');
    const affinity = Object.fromEntries(lines.slice(1, -1).map((l) => [l.split(/\s+/)[0], l.split(' ').at(-1)]));
    expect(affinity).toEqual({ 'Domain-0': 'all', free: 'all', pinned: '0', soft: '1' });
  });
});
