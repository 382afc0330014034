import { describe, expect, it } from 'vitest';
import { newLab, writeGuestConfig, xl } from './xl-harness';

// `xl sched-rtds` as xl 4.17 prints it (tools/xl/xl_sched.c main_sched_rtds and the
// libxl_sched.c calls it makes), with a guest in an RTDS pool on pCPUs 6-7.
async function rtLab(): Promise<string> {
  const lab = newLab();
  expect((await xl(lab, 'create', writeGuestConfig(lab))).code).toBe(0);
  await xl(lab, 'cpupool-cpu-remove', 'Pool-0', '6-7');
  await xl(lab, 'cpupool-create', 'name="rt"', 'sched="rtds"', 'cpus=["6", "7"]');
  expect((await xl(lab, 'cpupool-migrate', 'xendeck-pv', 'rt')).code).toBe(0);
  return lab;
}

const SET_ALL_FAILED = 'libxl_vcpu_sched_params_set_all failed.\n';

describe('xl sched-rtds', () => {
  it('lists a domain with the defaults Xen answers and libxl’s unset extratime (-1: "yes")', async () => {
    const lab = await rtLab();
    expect((await xl(lab, 'sched-rtds')).stdout).toBe(
      ['Cpupool rt: sched=RTDS', `${'Name'.padEnd(33)}   ID    Period    Budget  Extratime`, `${'xendeck-pv'.padEnd(33)}    1     10000      4000        yes`, ''].join('\n'),
    );
  });

  it('-v all with parameters is libxl_vcpu_sched_params_set_all: its checks, its messages', async () => {
    const lab = await rtLab();
    // sched_rtds_validate_params, logged without a domid
    expect(await xl(lab, 'sched-rtds', '-d', 'xendeck-pv', '-v', 'all', '-p', '5', '-b', '10', '-e', '1')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'libxl: error: libxl_sched.c:489:sched_rtds_validate_params: VCPU budget must be smaller than or equal to period, but 10 > 5\n' + SET_ALL_FAILED,
    });
    // libxl lets 5 µs through; rt_dom_cntl refuses it (RTDS_MIN_PERIOD, 10 µs): EINVAL
    expect(await xl(lab, 'sched-rtds', '-d', 'xendeck-pv', '-v', 'all', '-p', '5', '-b', '5', '-e', '1')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'libxl: error: libxl_sched.c:705:sched_rtds_vcpu_set_all: Domain 1:Setting vcpu sched rtds: Invalid argument\n' + SET_ALL_FAILED,
    });
    expect(await xl(lab, 'sched-rtds', '-d', 'Domain-0', '-v', 'all', '-p', '100', '-b', '50', '-e', '1')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'libxl: error: libxl_sched.c:861:libxl_vcpu_sched_params_set_all: Domain 0:per-VCPU parameter setting not supported for this scheduler\n' + SET_ALL_FAILED,
    });
    expect((await xl(lab, 'sched-rtds', '-d', 'xendeck-pv', '-v', 'all', '-p', '30000', '-b', '6000', '-e', '0')).code).toBe(0);
    expect((await xl(lab, 'sched-rtds', '-d', 'xendeck-pv', '-v', 'all')).stdout.split('\n')[1]).toBe(`${'xendeck-pv'.padEnd(33)}    1    0     30000      6000         no`);
  });

  it('-v N refused by the hypervisor is logged where sched_rtds_vcpu_set logs it', async () => {
    const lab = await rtLab();
    expect(await xl(lab, 'sched-rtds', '-d', 'xendeck-pv', '-v', '0', '-p', '5', '-b', '5', '-e', '1')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'libxl: error: libxl_sched.c:653:sched_rtds_vcpu_set: Domain 1:Setting vcpu sched rtds: Invalid argument\nlibxl_vcpu_sched_params_set failed.\n',
    });
  });

  it('-d D -v all of a domain outside RTDS: the header, then libxl_vcpu_sched_params_get_all’s refusal', async () => {
    const lab = await rtLab();
    expect(await xl(lab, 'sched-rtds', '-d', 'Domain-0', '-v', 'all')).toEqual({
      code: 1,
      stdout: `${'Name'.padEnd(33)}   ID VCPU    Period    Budget  Extratime\n`,
      stderr: 'libxl: error: libxl_sched.c:964:libxl_vcpu_sched_params_get_all: Domain 0:per-VCPU parameter getting not supported for this scheduler\nlibxl_vcpu_sched_params_get_all failed.\n',
    });
  });

  // xl 4.17 has no domain-wide set: -p/-b/-e want -v ("Must specify VCPU."), and as many
  // of each; per-vCPU -e is the way extratime changes
  it('-p/-b/-e need -v and one of each, as main_sched_rtds checks', async () => {
    const lab = await rtLab();
    const refused = (stderr: string) => ({ code: 1, stdout: '', stderr });
    expect(await xl(lab, 'sched-rtds', '-d', 'xendeck-pv', '-p', '20000', '-b', '5000')).toEqual(refused('Must specify VCPU.\n'));
    expect(await xl(lab, 'sched-rtds', '-d', 'xendeck-pv', '-e', '0')).toEqual(refused('Must specify VCPU.\n'));
    expect(await xl(lab, 'sched-rtds', '-d', 'xendeck-pv', '-v', 'all', '-e', '0')).toEqual(refused('Incorrect number of period, budget and extratime\n'));
    expect(await xl(lab, 'sched-rtds', '-d', 'xendeck-pv', '-v', '0', '-p', '20000', '-b', '5000')).toEqual(refused('Incorrect number of period, budget and extratime\n'));
    expect(await xl(lab, 'sched-rtds', '-d', 'xendeck-pv', '-v', 'all', '-p', '20000', '-b', '5000', '-e', '2')).toEqual(refused('Invalid extratime.\n'));
    expect((await xl(lab, 'sched-rtds', '-d', 'xendeck-pv', '-v', '0', '-p', '10000', '-b', '4000', '-e', '0')).code).toBe(0);
    expect((await xl(lab, 'sched-rtds', '-d', 'xendeck-pv', '-v', 'all')).stdout.split('\n')[1]).toBe(`${'xendeck-pv'.padEnd(33)}    1    0     10000      4000         no`);
  });

  // libxl__build_post -> libxl_domain_sched_params_set -> sched_rtds_domain_set: period=
  // over getinfo's 4000 µs budget on every vCPU; extratime= only in the putinfo flag
  // rt_dom_cntl() ignores; a period under 4000 µs refused by sched_rtds_validate_params
  it('xl create in an RTDS pool: period= on every vCPU, extratime= without effect', async () => {
    const lab = newLab();
    await xl(lab, 'cpupool-cpu-remove', 'Pool-0', '6-7');
    await xl(lab, 'cpupool-create', 'name="rt"', 'sched="rtds"', 'cpus=["6", "7"]');
    const ok = writeGuestConfig(lab, 'rt1', 'vcpus = 2\npool = "rt"\nperiod = 20000\nextratime = 0\n');
    expect((await xl(lab, 'create', ok)).code).toBe(0);
    expect((await xl(lab, 'sched-rtds', '-d', 'rt1', '-v', 'all')).stdout.split('\n').slice(1, 3)).toEqual(
      [0, 1].map((v) => `${'rt1'.padEnd(33)}    1    ${v}     20000      4000        yes`),
    );
    const short = writeGuestConfig(lab, 'rt2', 'pool = "rt"\nperiod = 3000\n');
    expect(await xl(lab, 'create', short)).toEqual({
      code: 3,
      stdout: '',
      stderr:
        `Parsing config from ${short}\n` +
        'libxl: error: libxl_sched.c:489:sched_rtds_validate_params: VCPU budget must be smaller than or equal to period, but 4000 > 3000\n' +
        'libxl: error: libxl_create.c:1640:domcreate_rebuild_done: cannot (re-)build domain: -6\n',
    });
    expect((await xl(lab, 'list')).stdout).not.toContain('rt2');
  });
});
