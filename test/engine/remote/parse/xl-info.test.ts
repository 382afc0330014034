import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../../engine/remote/errors';
import { parseXlInfo } from '../../../../engine/remote/parse/xl-info';
import { realOut } from '../fixtures';

describe('xl info parser (real Xen 4.17 output)', () => {
  it('reads the host, memory and hypervisor fields with their units', () => {
    const i = parseXlInfo(realOut('xl-info'));
    expect(i.host).toBe('xenhost');
    expect(i.nrCpus).toBe(2);
    expect(i.maxCpuId).toBe(1);
    expect(i.coresPerSocket).toBe(2);
    expect(i.threadsPerCore).toBe(1);
    expect(i.totalMemoryMiB).toBe(2047);
    expect(i.freeMemoryMiB).toBeGreaterThan(0);
    expect(i.freeMemoryMiB).toBeLessThan(i.totalMemoryMiB);
    expect(i.hwCaps).toHaveLength(8);
    expect(i.virtCaps).toContain('pv');
    expect(i.xenMajor).toBe(4);
    expect(i.xenMinor).toBe(17);
    expect(i.xenVersion).toMatch(/^4\.17\.\d+$/);
    expect(i.xenScheduler).toBe('credit2');
    expect(i.xenPagesize).toBe(4096);
    expect(i.xenCaps).toContain('xen-3.0-x86_64');
    expect(i.xenCommandline).toContain('dom0_mem=768M');
    expect(i.buildId).toMatch(/^[0-9a-f]{40}$/);
    expect(i.xendConfigFormat).toBe(4);
    // xl prints an empty changeset as "xen_changeset          : "
    expect(i.xenChangeset).toBe('');
    expect(i.cpuTopology).toBeUndefined();
  });

  it('reads the -n tables: cpu topology and NUMA nodes with distances', () => {
    const i = parseXlInfo(realOut('xl-info-n'));
    expect(i.cpuTopology).toEqual([
      { cpu: 0, core: 0, socket: 0, node: 0 },
      { cpu: 1, core: 1, socket: 0, node: 0 },
    ]);
    expect(i.numaInfo).toHaveLength(1);
    expect(i.numaInfo?.[0]?.memsizeMiB).toBe(2047);
    expect(i.numaInfo?.[0]?.distances).toEqual([10]);
    expect(i.xenScheduler).toBe('credit2');
  });

  it('keeps fields it does not know and rejects output that is not xl info', () => {
    const text = realOut('xl-info').replace('xend_config_format     : 4', 'xend_config_format     : 4\nnew_field_of_4_99      : yes');
    expect(parseXlInfo(text).fields.new_field_of_4_99).toBe('yes');
    expect(() => parseXlInfo('hello world\n')).toThrow(ParseError);
    expect(() => parseXlInfo(realOut('xl-info').replace(/^nr_cpus.*\n/m, ''))).toThrow(/no nr_cpus field/);
  });
});
