import { describe, expect, it } from 'vitest';
import { parseMemSizeKb } from '../../../engine/cli/xl/commands/mem-max';
import { printBitmap } from '../../../engine/cli/xl/format/bitmap';
import { parseCpuRange } from '../../../engine/cli/xl/cpu-range';
import { newLab, writeGuestConfig, xl } from './xl-harness';

const lines = (s: string): string[] => s.split('\n').filter((l) => l !== '');

async function labWithGuest(): Promise<string> {
  const lab = newLab();
  await xl(lab, 'create', writeGuestConfig(lab, 'xendeck-pv', 'vcpus = 2\n'));
  return lab;
}

describe('xl vcpu-pin and mem-max', () => {
  it('vcpu-pin sets hard and soft affinity, "-" leaves one alone; vcpu-list shows it, a later run too', async () => {
    const lab = await labWithGuest();
    expect(await xl(lab, 'vcpu-pin', 'xendeck-pv', '0', '2-3')).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await xl(lab, 'vcpu-pin', 'xendeck-pv', '1', '-', 'nodes:0,^1')).toEqual({ code: 0, stdout: '', stderr: '' });
    const rows = lines((await xl(lab, 'vcpu-list', 'xendeck-pv')).stdout);
    expect(rows[1]!.endsWith('  2-3 / all')).toBe(true);
    expect(rows[2]!.endsWith('  all / 0,2-7')).toBe(true);
    await xl(lab, 'vcpu-pin', 'xendeck-pv', 'all', '4,6', '0-1');
    expect(lines((await xl(lab, 'vcpu-list', 'xendeck-pv')).stdout).slice(1).map((l) => l.split(/ {2}/).pop())).toEqual(['4,6 / 0-1', '4,6 / 0-1']);
  });

  it('vcpu-pin: -N prints the cpumaps and pins nothing; xl\'s errors', async () => {
    const lab = await labWithGuest();
    const before = await xl(lab, 'vcpu-list');
    expect(await xl(lab, '-N', 'vcpu-pin', 'xendeck-pv', '0', '0-3', '6')).toEqual({ code: 0, stdout: 'cpumap: 0-3 6\n', stderr: '' });
    expect(await xl(lab, '-N', 'vcpu-pin', 'xendeck-pv', '0', '-')).toEqual({ code: 0, stdout: 'cpumap: -\n', stderr: '' });
    expect(await xl(lab, 'vcpu-list')).toEqual(before);
    expect(await xl(lab, 'vcpu-pin', 'xendeck-pv', 'x', '1')).toEqual({ code: 1, stdout: '', stderr: 'Error: Invalid argument x as VCPU.\n' });
    expect(await xl(lab, 'vcpu-pin', '-f', 'xendeck-pv', 'all', '1')).toEqual({ code: 1, stdout: '', stderr: "Error: --force and 'all' as VCPU not allowed.\n" });
    expect(await xl(lab, 'vcpu-pin', 'xendeck-pv', '7', '1')).toEqual({ code: 1, stdout: '', stderr: `libxl: error: libxl_sched.c:62:libxl__set_vcpuaffinity: Domain 1:Setting vcpu affinity: Invalid argument\nCould not set affinity for vcpu \`7'.\n` });
    expect(await xl(lab, 'vcpu-pin', 'xendeck-pv', '0', '3-1')).toEqual({ code: 1, stdout: '', stderr: 'Invalid pcpu range: 3-1.\n' });
    expect(await xl(lab, 'vcpu-list')).toEqual(before);
  });

  // vcpu_set_affinity() (Xen 4.17): EBUSY while the vCPU's affinity is broken (its pCPUs
  // left its cpupool); for `all`, the vCPUs pinned before the failing one are put back
  it('vcpu-pin fails while a vCPU\'s affinity is broken, changing nothing', async () => {
    const lab = await labWithGuest();
    await xl(lab, 'cpupool-cpu-remove', 'Pool-0', '6,7');
    await xl(lab, 'cpupool-create', 'name="p"', 'cpus=["6", "7"]');
    expect((await xl(lab, 'cpupool-migrate', 'xendeck-pv', 'p')).code).toBe(0);
    await xl(lab, 'vcpu-pin', 'xendeck-pv', '1', '7');
    expect((await xl(lab, 'cpupool-cpu-remove', 'p', '7')).code).toBe(0);
    const before = await xl(lab, 'vcpu-list', 'xendeck-pv');
    expect(await xl(lab, 'vcpu-pin', 'xendeck-pv', '1', '6')).toEqual({ code: 1, stdout: '', stderr: `libxl: error: libxl_sched.c:62:libxl__set_vcpuaffinity: Domain 1:Setting vcpu affinity: Device or resource busy\nCould not set affinity for vcpu \`1'.\n` });
    expect(await xl(lab, 'vcpu-pin', 'xendeck-pv', 'all', '6')).toEqual({ code: 0, stdout: '', stderr: 'Could not set affinity.\n' });
    expect(await xl(lab, 'vcpu-list', 'xendeck-pv')).toEqual(before);
    expect(await xl(lab, 'vcpu-pin', 'xendeck-pv', '0', '6')).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('mem-max raises the static maximum (list -l shows it); below the current memory it is libxl\'s error', async () => {
    const lab = await labWithGuest();
    expect(await xl(lab, 'mem-max', 'xendeck-pv', '1g')).toEqual({ code: 0, stdout: '', stderr: '' });
    const json = JSON.parse((await xl(lab, 'list', '-l', 'xendeck-pv')).stdout) as [{ config: { b_info: { max_memkb: number; target_memkb: number } } }];
    expect(json[0].config.b_info).toMatchObject({ max_memkb: 1024 * 1024, target_memkb: 128 * 1024 });
    expect(await xl(lab, 'mem-max', 'xendeck-pv', '64')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'libxl: error: libxl_mem.c:59:libxl_domain_setmaxmem: Domain 1:memory_static_max must be greater than or or equal to memory_dynamic_max\ncannot set domid 1 static max memory to : 64\n',
    });
    expect(await xl(lab, 'mem-max', 'xendeck-pv', '12q')).toEqual({ code: 1, stdout: '', stderr: 'invalid memory size: 12q\n' });
  });

  it('parse_mem_size_kb, print_bitmap and cpu ranges as xl reads and writes them', () => {
    expect([parseMemSizeKb('512'), parseMemSizeKb('512m'), parseMemSizeKb('2G'), parseMemSizeKb('1t'), parseMemSizeKb('4096k'), parseMemSizeKb('2048b')]).toEqual([524288, 524288, 2097152, 1073741824, 4096, 2]);
    expect([parseMemSizeKb('1mb'), parseMemSizeKb('x')]).toEqual([undefined, undefined]);
    expect([printBitmap([0, 1, 2, 3], 4), printBitmap([], 4), printBitmap([0, 1, 2, 5, 7], 8), printBitmap([3], 8)]).toEqual(['all', 'none', '0-2,5,7', '3']);
    const ctx = { nrCpus: 8, nodeCpus: [[0, 1, 2, 3], [4, 5, 6, 7]] };
    expect(parseCpuRange('all,^nodes:1,6', ctx)).toEqual({ ok: true, cpus: [0, 1, 2, 3, 6] });
    expect(parseCpuRange('node:0-1,^2-5', ctx)).toEqual({ ok: true, cpus: [0, 1, 6, 7] });
    expect(parseCpuRange('a', ctx)).toEqual({ ok: false, message: 'Invalid pcpu range: a.' });
  });
});
