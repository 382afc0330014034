import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { XL_LIST_HEADER, xlInfo, xlList } from '../../../engine/cli/xl-format';
import { Xen } from '../../../engine/hypervisor/xen';
import { findPreset } from '../../../engine/hypervisor/host-presets';

const fixture = (f: string): string => readFileSync(`test/fixtures/realxen/${f}`, 'utf8');

describe('xl output formats, held against a real Xen 4.17', () => {
  const xen = Xen.boot({ seed: 3, topology: findPreset('small-lab')!.topology, dom0MemMiB: 768 });

  it('xl list: same header and column layout as the real one', () => {
    const real = fixture('xl-list.out').split('\n');
    const ours = xlList(xen.hypercall({ op: 'sysctl.getdomaininfolist' })).split('\n');
    expect(ours[0]).toBe(real[0]);
    expect(ours[0]).toBe(XL_LIST_HEADER);
    // Domain-0 with 768 MiB: name, ID and Mem columns identical; VCPUs differs (the real host has 1)
    expect(ours[1]!.slice(0, 52)).toBe(real[1]!.slice(0, 52));
    expect(ours[1]!.length).toBe(real[1]!.length);
    expect(ours[1]).toMatch(/^Domain-0 {32} {5}0 {3}768 {5}4 {5}[-r][-b][-p][-s][-c][-d] +\d+\.\d$/);
  });

  it('xl info: the real field names in the real order, "%-23s: " layout', () => {
    const realKeys = fixture('xl-info.out').split('\n').filter(Boolean).map((l) => l.slice(0, 23).trim());
    const out = xlInfo({
      host: 'lab',
      physinfo: xen.hypercall({ op: 'sysctl.physinfo' }),
      xenMajor: 4,
      xenMinor: 17,
      xenExtra: '.0',
      scheduler: 'credit2',
      commandline: 'dom0_mem=768M',
    });
    const lines = out.split('\n').filter(Boolean);
    for (const l of lines) expect(l).toMatch(/^[a-z_]+ *: /);
    const ourKeys = lines.map((l) => l.slice(0, 23).trim());
    // every field we print exists in the real output, in the same relative order
    const positions = ourKeys.map((k) => realKeys.indexOf(k));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(out).toContain('nr_cpus                : 8\n');
  });
});
