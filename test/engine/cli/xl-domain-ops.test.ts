import { describe, expect, it } from 'vitest';
import { parseVcpuCount } from '../../../engine/cli/xl/commands/vcpu-set';
import { newLab, writeGuestConfig, xl } from './xl-harness';

const lines = (s: string): string[] => s.split('\n').filter((l) => l !== '');

async function labWithGuest(extra = 'vcpus = 2\nmaxvcpus = 4\nmaxmem = 512\n'): Promise<string> {
  const lab = newLab();
  await xl(lab, 'create', writeGuestConfig(lab, 'xendeck-pv', extra));
  return lab;
}

describe('xl rename', () => {
  it('renames; domid, list and a later run see the new name', async () => {
    const lab = await labWithGuest();
    expect(await xl(lab, 'rename', 'xendeck-pv', 'web1')).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await xl(lab, 'domid', 'web1')).toEqual({ code: 0, stdout: '1\n', stderr: '' });
    expect(lines((await xl(lab, 'list')).stdout)[2]!.startsWith('web1 ')).toBe(true);
    const json = JSON.parse((await xl(lab, 'list', '-l', 'web1')).stdout) as [{ config: { c_info: { name: string } } }];
    expect(json[0].config.c_info.name).toBe('web1');
  });

  it('a taken name is libxl\'s error and "Can\'t rename domain"; a missing domain is find_domain\'s', async () => {
    const lab = await labWithGuest();
    await xl(lab, 'create', writeGuestConfig(lab, 'db1'));
    expect(await xl(lab, 'rename', 'xendeck-pv', 'db1')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'libxl: error: libxl_domain.c:81:libxl__domain_rename: Domain 1:Domain with name "db1" already exists.\nCan\'t rename domain \'xendeck-pv\'.\n',
    });
    expect(await xl(lab, 'rename', 'nosuch', 'x')).toEqual({ code: 1, stdout: '', stderr: 'nosuch is an invalid domain identifier (rc=-6)\n' });
    expect((await xl(lab, 'domid', 'xendeck-pv')).stdout).toBe('1\n');
  });
});

describe('xl mem-set', () => {
  it('sets the target (list -l target_memkb) at once; the balloon needs simulated time, which a lab does not run', async () => {
    const lab = await labWithGuest();
    expect(await xl(lab, 'mem-set', 'xendeck-pv', '64m')).toEqual({ code: 0, stdout: '', stderr: '' });
    const json = JSON.parse((await xl(lab, 'list', '-l', 'xendeck-pv')).stdout) as [{ config: { b_info: { max_memkb: number; target_memkb: number } } }];
    expect(json[0].config.b_info).toMatchObject({ target_memkb: 64 * 1024, max_memkb: 64 * 1024 });
  });

  it('above memory/static-max is libxl\'s error then xl\'s line; a bad size is xl\'s', async () => {
    const lab = await labWithGuest();
    expect(await xl(lab, 'mem-set', 'xendeck-pv', '1g')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'libxl: error: libxl_mem.c:278:libxl_set_memory_target: Domain 1:memory_dynamic_max must be less than or equal to memory_static_max\n\ncannot set domid 1 dynamic max memory to : 1g\n',
    });
    expect(await xl(lab, 'mem-set', 'xendeck-pv', '12q')).toEqual({ code: 1, stdout: '', stderr: 'invalid memory size: 12q\n' });
    expect(await xl(lab, 'mem-set', '0', '64')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'libxl: error: libxl_mem.c:287:libxl_set_memory_target: Domain 0:New target 65536 for dom0 is below the minimum threshold\ncannot set domid 0 dynamic max memory to : 64\n',
    });
    expect(await xl(lab, 'mem-set', 'Domain-0', '512')).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await xl(lab, 'mem-set', 'xendeck-pv')).toMatchObject({ code: 2 });
  });
});

describe('xl vcpu-set', () => {
  it('changes the online vCPUs (vcpu-list, list) and a later run sees it', async () => {
    const lab = await labWithGuest();
    expect(lines((await xl(lab, 'list', 'xendeck-pv')).stdout)[1]!.split(/\s+/)[3]).toBe('2');
    expect(await xl(lab, 'vcpu-set', 'xendeck-pv', '4')).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(lines((await xl(lab, 'list', 'xendeck-pv')).stdout)[1]!.split(/\s+/)[3]).toBe('4');
    expect(await xl(lab, 'vcpu-set', 'xendeck-pv', '1')).toEqual({ code: 0, stdout: '', stderr: '' });
    const rows = lines((await xl(lab, 'vcpu-list', 'xendeck-pv')).stdout).slice(1);
    // xl prints "-" for the CPU of an offline vCPU and "--p" for its state
    expect(rows.map((r) => r.split(/\s+/).slice(2, 5))).toEqual([
      ['0', expect.stringMatching(/^\d+$/), expect.stringMatching(/^[-r][-b]-$/)],
      ['1', '-', '--p'],
      ['2', '-', '--p'],
      ['3', '-', '--p'],
    ]);
  });

  it('xl\'s and libxl\'s refusals', async () => {
    const lab = await labWithGuest('vcpus = 2\nmaxvcpus = 16\n');
    expect(await xl(lab, 'vcpu-set', 'xendeck-pv', 'x')).toEqual({ code: 1, stdout: '', stderr: 'Error: Invalid argument.\n' });
    expect(await xl(lab, 'vcpu-set', 'xendeck-pv', '12')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'You are overcommmitting! You have 8 physical CPUs and want 12 vCPUs! Aborting, use --ignore-host to continue\n',
    });
    expect(await xl(lab, 'vcpu-set', '-i', 'xendeck-pv', '12')).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await xl(lab, 'vcpu-set', '--ignore-host', 'xendeck-pv', '17')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'libxl: error: libxl_domain.c:1869:libxl_set_vcpuonline: Domain 1:Requested 17 VCPUs, however maxcpus is 16!\nlibxl_set_vcpuonline failed domid=1 max_vcpus=17, rc: -3\n',
    });
    expect(await xl(lab, 'vcpu-set', 'xendeck-pv', '0')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'libxl: error: libxl_domain.c:1863:libxl_set_vcpuonline: Domain 1:Requested 0 VCPUs!\nlibxl_set_vcpuonline failed domid=1 max_vcpus=0, rc: -3\n',
    });
    expect(lines((await xl(lab, 'list', 'xendeck-pv')).stdout)[1]!.split(/\s+/)[3]).toBe('12');
  });

  it('reads the count as strtoul does', () => {
    expect(['4', ' 4', '+4', '4x', '-0', '-1', 'x', '', '2147483648'].map(parseVcpuCount)).toEqual([4, 4, 4, 4, 0, undefined, undefined, undefined, undefined]);
  });
});

describe('xl sched-rtds -v (per-vCPU parameters)', () => {
  async function rtdsLab(): Promise<string> {
    const lab = await labWithGuest();
    await xl(lab, 'cpupool-cpu-remove', 'Pool-0', '6,7');
    await xl(lab, 'cpupool-create', 'name="rt"', 'sched="rtds"', 'cpus="6,7"');
    await xl(lab, 'cpupool-migrate', 'xendeck-pv', 'rt');
    return lab;
  }
  const HEADER = 'Name                                ID VCPU    Period    Budget  Extratime\n';

  it('sets single vCPUs (-v N -p -b -e, repeated) and shows them (-v N, -v all, -v all without -d)', async () => {
    const lab = await rtdsLab();
    expect(await xl(lab, 'sched-rtds', '-d', 'xendeck-pv', '-v', '1', '-p', '20000', '-b', '5000', '-e', '0', '-v', '3', '-p', '30000', '-b', '3000', '-e', '1')).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await xl(lab, 'sched-rtds', '-d', 'xendeck-pv', '-v', '1', '-v', '0')).toEqual({
      code: 0,
      stdout: `${HEADER}xendeck-pv                           1    1     20000      5000         no\nxendeck-pv                           1    0     10000      4000        yes\n`,
      stderr: '',
    });
    expect(lines((await xl(lab, 'sched-rtds', '-d', 'xendeck-pv', '-v', 'all')).stdout)[4]).toBe('xendeck-pv                           1    3     30000      3000        yes');
    const all = await xl(lab, 'sched-rtds', '-v', 'all');
    expect(all.code).toBe(0);
    expect(lines(all.stdout).slice(0, 2)).toEqual(['Cpupool rt: sched=RTDS', HEADER.trimEnd()]);
    expect(lines(all.stdout)).toHaveLength(6);
  });

  it('libxl\'s refusals leave every vCPU as it was', async () => {
    const lab = await rtdsLab();
    const before = await xl(lab, 'sched-rtds', '-d', 'xendeck-pv', '-v', 'all');
    expect(await xl(lab, 'sched-rtds', '-d', 'xendeck-pv', '-v', '0', '-p', '100', '-b', '50', '-e', '1', '-v', '9', '-p', '100', '-b', '50', '-e', '1')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'libxl: error: libxl_sched.c:627:sched_rtds_vcpu_set: Domain 1:Invalid VCPU 9: valid range is [0, 3]\nlibxl_vcpu_sched_params_set failed.\n',
    });
    expect(await xl(lab, 'sched-rtds', '-d', 'xendeck-pv', '-v', '0', '-p', '100', '-b', '500', '-e', '1')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'libxl: error: libxl_sched.c:489:sched_rtds_validate_params: VCPU budget must be smaller than or equal to period, but 500 > 100\nlibxl_vcpu_sched_params_set failed.\n',
    });
    expect(await xl(lab, 'sched-rtds', '-d', 'xendeck-pv', '-v', '7')).toEqual({
      code: 1,
      stdout: HEADER,
      stderr: 'libxl: error: libxl_sched.c:524:sched_rtds_vcpu_get: Domain 1:VCPU index is out of range, valid values are within range from 0 to 3\nlibxl_vcpu_sched_params_get failed.\n',
    });
    expect(await xl(lab, 'sched-rtds', '-d', 'xendeck-pv', '-v', 'all')).toEqual(before);
  });

  it('a domain outside RTDS: libxl says per-vCPU parameters are not for its scheduler', async () => {
    const lab = await labWithGuest();
    expect(await xl(lab, 'sched-rtds', '-d', 'xendeck-pv', '-v', '0', '-p', '100', '-b', '50', '-e', '1')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'libxl: error: libxl_sched.c:826:libxl_vcpu_sched_params_set: Domain 1:per-VCPU parameter setting not supported for this scheduler\nlibxl_vcpu_sched_params_set failed.\n',
    });
  });
});
