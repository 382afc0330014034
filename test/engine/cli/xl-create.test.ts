import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, fixtureExit, jsonSkeleton, newLab, writeGuestConfig, xl } from './xl-harness';

describe('xl create, held against a real Xen 4.17', () => {
  it('says "Parsing config from FILE" on stderr, prints nothing on stdout, exit 0', async () => {
    const lab = newLab();
    const cfg = writeGuestConfig(lab);
    const r = await xl(lab, 'create', cfg);
    expect(r.stderr).toBe(fixture('xl-create-pv.err').replace('/etc/xen/xendeck-pv.cfg', cfg));
    expect(r.stdout).toBe(fixture('xl-create-pv.out'));
    expect(r.code).toBe(fixtureExit('xl-create-pv'));
    expect((await xl(lab, 'domid', 'xendeck-pv')).stdout).toBe('1\n');
  });

  it('a name in use: libxl\'s error lines, exit 3, nothing made', async () => {
    const lab = newLab();
    const cfg = writeGuestConfig(lab);
    await xl(lab, 'create', cfg);
    const before = await xl(lab, 'list', '-v');
    const r = await xl(lab, 'create', cfg);
    expect(r.code).toBe(fixtureExit('xl-create-duplicate'));
    const real = fixture('xl-create-duplicate.err').replace('/etc/xen/xendeck-pv.cfg', cfg).split('\n');
    const ours = r.stderr.split('\n');
    expect(ours[0]).toBe(real[0]);
    // the embedded host checks the name before making a domain: no domid to name
    expect(ours[1]).toBe(real[1]!.replace('Domain 3:', ''));
    expect(ours[2]).toBe(real[2]!.replace('Domain 3:', ''));
    expect(await xl(lab, 'list', '-v')).toEqual(before);
  });

  it('a syntax error: the same three lines as xl, exit 1', async () => {
    const lab = newLab();
    const bad = join(lab, 'bad.cfg');
    writeFileSync(bad, 'name = "bad"\nmemory = = 3\n');
    const r = await xl(lab, 'create', bad);
    expect(r.stderr).toBe(fixture('xl-create-syntax-error.err').replaceAll('/tmp/bad.cfg', bad));
    expect(r.stdout).toBe('');
    expect(r.code).toBe(fixtureExit('xl-create-syntax-error'));
  });

  it('a missing file: "Failed to read config file", exit 3', async () => {
    const r = await xl(newLab(), 'create', '/etc/xen/nosuch.cfg');
    expect(r.stderr).toBe(fixture('xl-create-missing-file.err'));
    expect(r.stdout).toBe('');
    expect(r.code).toBe(fixtureExit('xl-create-missing-file'));
  });

  it('a config that looks like Python gets xl\'s three warnings', async () => {
    const lab = newLab();
    const cfg = join(lab, 'py.cfg');
    writeFileSync(cfg, 'name = "py"\nmemory = 512 + 1\n');
    const r = await xl(lab, 'create', cfg);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('warning: Config file looks like it contains Python code.\n');
    expect(r.stderr.endsWith('Failed to parse config: Invalid argument\n')).toBe(true);
  });

  it('a semantic error from parse_config_data: its message, exit 1', async () => {
    const lab = newLab();
    const cfg = join(lab, 'noname.cfg');
    writeFileSync(cfg, 'memory = 64\n');
    const r = await xl(lab, 'create', cfg);
    expect(r).toEqual({ code: 1, stdout: '', stderr: `Parsing config from ${cfg}\nDomain name must be specified.\n` });
  });

  it('-p leaves the domain paused; key=value arguments are appended to the config', async () => {
    const lab = newLab();
    const cfg = writeGuestConfig(lab);
    const r = await xl(lab, 'create', '-p', cfg, 'name="other"', 'memory=64');
    expect(r.code).toBe(0);
    const row = (await xl(lab, 'list', 'other')).stdout.split('\n')[1]!;
    expect(row).toMatch(/^other {35} +1 +64 +1 {5}..p--- /);
    // the file may also come after the options, or by -f
    expect((await xl(lab, 'create', '-q', '-f', cfg)).stderr).toBe('');
  });

  it('-N (and -n) print libxl\'s config JSON and build nothing', async () => {
    const lab = newLab();
    const cfg = join(lab, 'vm1.cfg');
    writeFileSync(cfg, 'name = "vm1"\ntype = "pvh"\nmemory = 512\nvcpus = 2\nkernel = "/boot/vmlinuz"\n');
    const before = await xl(lab, 'list');
    const r = await xl(lab, '-N', 'create', cfg);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`Parsing config from ${cfg}\n`);
    const json = JSON.parse(r.stdout) as Record<string, unknown>;
    // the shape of real xl 4.17's dry run (reference: xen-facts §3.3)
    expect(Object.keys(json)).toEqual(['c_info', 'b_info', 'on_reboot', 'on_soft_reset']);
    expect(json['c_info']).toEqual({ type: 'pvh', name: 'vm1', run_hotplug_scripts: 'True' });
    expect(json['b_info']).toEqual({
      max_vcpus: 2,
      avail_vcpus: [0, 1],
      max_memkb: 524288,
      target_memkb: 524288,
      sched_params: {},
      claim_mode: 'True',
      kernel: '/boot/vmlinuz',
      'type.pvh': {},
      arch_arm: {},
      arch_x86: {},
    });
    expect(r.stdout).toContain('        "sched_params": {\n\n        },\n');
    expect(await xl(lab, 'list')).toEqual(before);
    expect(existsSync(join(lab, 'journal.jsonl'))).toBe(false);
    const n = await xl(lab, 'create', '-n', cfg);
    expect(jsonSkeleton(n.stdout)).toBe(jsonSkeleton(r.stdout));
    expect(await xl(lab, 'list')).toEqual(before);
  });

  it('-c in a lab: the domain is created, the console says it needs a running XenDeck, create still exits 0', async () => {
    const lab = newLab();
    const r = await xl(lab, 'create', '-c', writeGuestConfig(lab));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('xl console: needs a running XenDeck');
    expect((await xl(lab, 'list')).stdout.split('\n').length).toBe(4);
  });

  it('records the config text in the journal, so a later edit of the file changes nothing', async () => {
    const lab = newLab();
    const cfg = writeGuestConfig(lab);
    await xl(lab, 'create', cfg);
    writeFileSync(cfg, 'name = "changed"\n');
    expect((await xl(lab, 'list', 'xendeck-pv')).code).toBe(0);
    const journal = readFileSync(join(lab, 'journal.jsonl'), 'utf8');
    expect(journal).toContain('"name = \\"xendeck-pv\\"');
  });

  it('a build that fails in the hypervisor: xc\'s and libxl\'s lines, exit 3, host unchanged', async () => {
    const lab = newLab();
    const before = await xl(lab, 'list', '-v');
    const r = await xl(lab, 'create', '/dev/null', 'name="big"', 'memory=99999999');
    expect(r.code).toBe(fixtureExit('xl-create-too-small'));
    const ours = r.stderr.split('\n');
    expect(ours[0]).toBe('Parsing config from /dev/null');
    expect(ours[1]).toMatch(/^xc: error: .*: Cannot allocate memory$/);
    // the real capture's third line, without a domid: the façade does not name the one it rolled back
    const real = fixture('xl-create-too-small.err').split('\n');
    expect(ours[2]).toBe(real[3]!.replace('Domain 5:', ''));
    expect(await xl(lab, 'list', '-v')).toEqual(before);
  });
});
