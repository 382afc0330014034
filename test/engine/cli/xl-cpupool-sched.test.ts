import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fieldEnds, fixture, fixtureExit, newLab, writeGuestConfig, xl } from './xl-harness';

const lines = (s: string): string[] => s.split('\n').filter((l) => l !== '');
/** The captured guest is domain 2 (a failed create used domid 1); here it is domain 1. */
const asDomid1 = (text: string): string => text.replace(/^(xendeck-pv +)2( )/gm, '$11$2').replace(/Domain 2:/g, 'Domain 1:');

async function labWithGuest(): Promise<string> {
  const lab = newLab();
  expect((await xl(lab, 'create', writeGuestConfig(lab))).code).toBe(0);
  return lab;
}

describe('xl cpupool-* and sched-*, replaying the real capture\'s sequence', () => {
  it('the capture, step by step: pools, migration, schedulers, refusals', async () => {
    const lab = newLab();
    // before the guest: Pool-0 on credit2 with Domain-0 alone
    expect(await xl(lab, 'sched-credit2')).toEqual({ code: 0, stdout: fixture('xl-sched-credit2.out'), stderr: '' });
    expect(await xl(lab, 'sched-credit')).toEqual({ code: 0, stdout: fixture('xl-sched-credit-none.out'), stderr: '' });
    expect(await xl(lab, 'sched-rtds')).toEqual({ code: 0, stdout: fixture('xl-sched-rtds-none.out'), stderr: '' });
    const pl = lines((await xl(lab, 'cpupool-list')).stdout);
    const realPl = lines(fixture('xl-cpupool-list.out'));
    expect(pl[0]).toBe(realPl[0]);
    expect(fieldEnds(pl[1]!)).toEqual(fieldEnds(realPl[1]!));
    expect(lines((await xl(lab, 'cpupool-list', '-c')).stdout)[0]).toBe(lines(fixture('xl-cpupool-list-c.out'))[0]);

    await xl(lab, 'create', writeGuestConfig(lab));
    expect((await xl(lab, 'sched-credit2', '-d', 'xendeck-pv')).stdout).toBe(asDomid1(fixture('xl-sched-credit2-d.out')));
    expect((await xl(lab, 'sched-credit2', '-d', 'xendeck-pv', '-w', '512')).code).toBe(0);
    expect((await xl(lab, 'sched-credit2', '-d', 'xendeck-pv')).stdout).toBe(asDomid1(fixture('xl-sched-credit2-set-weight.out')));
    const bad = await xl(lab, 'sched-credit2', '-d', 'xendeck-pv', '-w', '0');
    expect(bad).toEqual({ code: fixtureExit('xl-sched-credit2-bad-weight'), stdout: '', stderr: asDomid1(fixture('xl-sched-credit2-bad-weight.err')) });

    // a credit pool on the last pCPU (pCPU 1 of the captured 2-pCPU host, 7 here)
    expect(await xl(lab, 'cpupool-cpu-remove', 'Pool-0', '7')).toEqual({ code: 0, stdout: fixture('xl-cpupool-cpu-remove.out'), stderr: '' });
    expect(await xl(lab, 'cpupool-create', 'name="cp-credit"', 'sched="credit"', 'cpus="7"')).toEqual({ code: 0, stdout: fixture('xl-cpupool-create-credit.out'), stderr: '' });
    const two = lines((await xl(lab, 'cpupool-list')).stdout);
    const realTwo = lines(fixture('xl-cpupool-list-2.out'));
    expect(two.length).toBe(realTwo.length);
    expect(two[2]).toBe(realTwo[2]);
    expect(lines((await xl(lab, 'cpupool-list', '-c')).stdout)).toEqual(['Name               CPU list', 'Pool-0             0,1,2,3,4,5,6', 'cp-credit          7']);

    expect(await xl(lab, 'cpupool-migrate', 'xendeck-pv', 'cp-credit')).toEqual({ code: 0, stdout: fixture('xl-cpupool-migrate.out'), stderr: '' });
    const lc = lines((await xl(lab, 'list', '-c')).stdout);
    expect(lc[2]!.endsWith('       cp-credit')).toBe(true);
    // moving to another pool resets the weight: 512 under credit2 is 256 under credit
    expect((await xl(lab, 'sched-credit')).stdout).toBe(asDomid1(fixture('xl-sched-credit.out')));
    expect((await xl(lab, 'sched-credit', '-d', 'xendeck-pv')).stdout).toBe(asDomid1(fixture('xl-sched-credit-d.out')));
    expect((await xl(lab, 'sched-credit2')).stdout).toBe(fixture('xl-sched-credit2-pools.out'));
    expect(await xl(lab, 'sched-credit2', '-d', 'xendeck-pv')).toEqual({
      code: fixtureExit('xl-sched-credit2-wrong-sched'),
      stdout: fixture('xl-sched-credit2-wrong-sched.out'),
      stderr: fixture('xl-sched-credit2-wrong-sched.err'),
    });
    expect(await xl(lab, 'cpupool-destroy', 'cp-credit')).toEqual({
      code: fixtureExit('xl-cpupool-destroy-busy'),
      stdout: fixture('xl-cpupool-destroy-busy.out'),
      stderr: fixture('xl-cpupool-destroy-busy.err'),
    });

    // back to one pool (xl-cpupool-migrate-back)
    expect((await xl(lab, 'cpupool-migrate', 'xendeck-pv', 'Pool-0')).code).toBe(0);
    expect((await xl(lab, 'cpupool-destroy', 'cp-credit')).code).toBe(0);
    expect((await xl(lab, 'cpupool-cpu-add', 'Pool-0', '7')).code).toBe(0);
    const back = lines((await xl(lab, 'cpupool-list')).stdout);
    const realBack = lines(fixture('xl-cpupool-migrate-back.out'));
    expect(back[0]).toBe(realBack[0]);
    expect(back[1]).toBe(realBack[1]!.replace('  2   credit2', '  8   credit2'));
  });

  it('pool and scheduler changes are journalled and replayed', async () => {
    const lab = await labWithGuest();
    await xl(lab, 'cpupool-cpu-remove', 'Pool-0', '6-7');
    await xl(lab, 'cpupool-create', 'name="rt"', 'sched="rtds"', 'cpus=["6", "7"]');
    await xl(lab, 'cpupool-rename', 'rt', 'realtime');
    await xl(lab, 'cpupool-migrate', 'xendeck-pv', 'realtime');
    await xl(lab, 'sched-credit2', '-s', '-r', '500');
    const pools = await xl(lab, 'cpupool-list', '-c');
    expect(lines(pools.stdout)).toEqual(['Name               CPU list', 'Pool-0             0,1,2,3,4,5', 'realtime           6,7']);
    expect((await xl(lab, 'sched-credit2', '-s')).stdout).toBe('Cpupool Pool-0: ratelimit=500us\n');
    const rt = lines((await xl(lab, 'sched-rtds')).stdout);
    expect(rt[0]).toBe('Cpupool realtime: sched=RTDS');
    expect(rt[1]).toBe(`${'Name'.padEnd(33)}   ID    Period    Budget  Extratime`);
    expect(rt[2]).toMatch(/^xendeck-pv {24} +1 +\d+ +\d+ +(yes|no)$/);
    expect((await xl(lab, 'sched-rtds', '-d', 'xendeck-pv', '-v', 'all', '-p', '20000', '-b', '5000', '-e', '1')).code).toBe(0);
    const v = lines((await xl(lab, 'sched-rtds', '-d', 'xendeck-pv', '-v', 'all')).stdout);
    expect(v[1]).toMatch(/^xendeck-pv {24} +1 +0 +20000 +5000 +yes$/);
    expect((await xl(lab, 'info', 'free_cpus')).stdout).toBe('0\n');
  });

  it('xl\'s refusals: unknown pools, option clashes, busy pCPUs', async () => {
    const lab = await labWithGuest();
    expect(await xl(lab, 'cpupool-list', 'nope')).toEqual({ code: 1, stdout: '', stderr: "Pool 'nope' does not exist\n" });
    expect(await xl(lab, 'cpupool-destroy', 'nope')).toEqual({ code: 1, stdout: '', stderr: "unknown cpupool 'nope'\n" });
    expect(await xl(lab, 'cpupool-migrate', 'nosuch', 'Pool-0')).toEqual({ code: 1, stdout: '', stderr: "unknown domain 'nosuch'\n" });
    expect(await xl(lab, 'cpupool-create', 'name="x"', 'cpus="3"')).toEqual({ code: 1, stdout: '', stderr: 'cpu 3 illegal or not free\n' });
    expect(await xl(lab, 'cpupool-create', 'name="Pool-0"')).toEqual({ code: 1, stdout: '', stderr: 'Pool name "Pool-0" already exists\n' });
    expect(await xl(lab, 'cpupool-create', 'sched="credit"')).toEqual({ code: 1, stdout: '', stderr: 'Missing cpupool name!\n' });
    expect(await xl(lab, 'cpupool-cpu-add', 'Pool-0', '^all')).toEqual({ code: 1, stdout: '', stderr: 'Can\'t combine "^" and "all".\n' });
    expect(await xl(lab, 'sched-credit', '-w', '5')).toEqual({ code: 1, stdout: '', stderr: 'Must specify a domain.\n' });
    expect(await xl(lab, 'sched-credit', '-s', '-d', '0')).toEqual({ code: 1, stdout: '', stderr: 'Specifying a cpupool or schedparam is not allowed with domain options.\n' });
    expect(await xl(lab, 'sched-credit', '-t', '5')).toEqual({ code: 1, stdout: '', stderr: 'Must specify schedparam to set schedule parameter values.\n' });
    expect(await xl(lab, 'sched-credit2', '-p', 'Pool-0', '-d', '0')).toEqual({ code: 1, stdout: '', stderr: 'Specifying a cpupool is not allowed with other options.\n' });
    // libxl's cap bound is the domain's vCPUs, not the host's pCPUs: (max_vcpu_id + 1) * 100
    const vcpus = lines((await xl(lab, 'vcpu-list', 'xendeck-pv')).stdout).length - 1;
    const over = await xl(lab, 'sched-credit2', '-d', 'xendeck-pv', '-c', String(vcpus * 100 + 1));
    expect(over).toEqual({
      code: 1,
      stdout: '',
      stderr: `libxl: error: libxl_sched.c:455:sched_credit2_domain_set: Domain 1:Cpu cap out of range, valid range is from 0 to ${vcpus * 100} for specified number of vcpus\nlibxl_domain_sched_params_set failed.\n`,
    });
    expect((await xl(lab, 'sched-credit2', '-d', 'xendeck-pv', '-c', String(vcpus * 100))).code).toBe(0);
    // a dry run of cpupool-create prints what it would make and makes nothing
    const dry = await xl(lab, '-N', 'cpupool-create', 'name="dry"', 'sched="credit"');
    expect(dry.stdout).toBe('Using config file "command line"\ncpupool name:   dry\nscheduler:      credit\nnumber of cpus: 0\n');
    expect((await xl(lab, 'cpupool-list', 'dry')).code).toBe(1);
  });

  it('vcpu-list: the real header and row layout, one row per vCPU', async () => {
    const lab = await labWithGuest();
    const ours = lines((await xl(lab, 'vcpu-list')).stdout);
    const real = lines(fixture('xl-vcpu-list-guest.out'));
    expect(ours[0]).toBe(real[0]);
    // Domain-0 has 4 vCPUs here, 1 on the captured host
    expect(ours.length).toBe(1 + 4 + 1);
    expect(fieldEnds(ours[1]!)).toEqual(fieldEnds(real[1]!));
    expect(fieldEnds(ours[5]!)).toEqual(fieldEnds(real[2]!));
    expect(ours[5]).toMatch(/^xendeck-pv {23} +1 +0 +\d+ +[-r][-b]- +\d+\.\d {2}all \/ all$/);
    expect(lines((await xl(lab, 'vcpu-list', 'xendeck-pv')).stdout)).toEqual([ours[0], ours[5]]);
    expect((await xl(lab, 'vcpu-list', 'nosuch')).stderr).toBe('nosuch is an invalid domain identifier (rc=-6)\n');
  });

  it('info -n: the cpu_topology, device and numa_info tables where the real xl puts them', async () => {
    const lab = newLab();
    const ours = lines((await xl(lab, 'info', '-n')).stdout);
    const real = lines(fixture('xl-info-n.out'));
    for (const header of ['cpu_topology           :', 'cpu:    core    socket     node', 'device topology        :', 'device           node', 'No device topology data available', 'numa_info              :', 'node:    memsize    memfree    distances']) {
      expect(ours).toContain(header);
    }
    const at = (ls: string[], s: string): number => ls.indexOf(s);
    expect(ours[at(ours, 'cpu_topology           :') - 1]!.startsWith('free_cpus')).toBe(true);
    expect(fieldEnds(ours[at(ours, 'cpu:    core    socket     node') + 1]!)).toEqual(fieldEnds(real[at(real, 'cpu:    core    socket     node') + 1]!));
    expect(fieldEnds(ours[at(ours, 'node:    memsize    memfree    distances') + 1]!)).toEqual(fieldEnds(real[at(real, 'node:    memsize    memfree    distances') + 1]!));
  });

  it('info -n on a two-node host: each node its own size, free memory (XEN_SYSCTL_numainfo) and distances', async () => {
    const lab = newLab();
    writeFileSync(join(lab, 'lab.json'), JSON.stringify({ format: 1, preset: 'haswell-ep-2s', seed: 1, hostname: 'numa' }));
    await xl(lab, 'create', writeGuestConfig(lab, 'big', 'memory = 2048\n'));
    const out = lines((await xl(lab, 'info', '-n')).stdout);
    const at = out.indexOf('node:    memsize    memfree    distances');
    const rows = out.slice(at + 1, at + 3).map((l) => l.trim().split(/:?\s+/));
    expect(rows.map((r) => [r[0], r[1], r[3]])).toEqual([['0', '131072', '10,21'], ['1', '131072', '21,10']]);
    const free = rows.map((r) => Number(r[2]));
    // dom0 (1 GiB) and the 2 GiB guest come out of the nodes' memory; the sum is xl info's free_memory
    expect(free[0]! + free[1]!).toBe(Number(out.find((l) => l.startsWith('free_memory'))!.split(': ')[1]));
    expect(free[0]! + free[1]!).toBeLessThanOrEqual(2 * 131072 - 1024 - 2048);
  });
});
