/** `xl dump-core <Domain> <filename>` over a lab: xl_misc.c main_dump_core. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readXenCore } from '../../../engine/toolstack/coredump/xc-core-reader';
import { newLab, writeGuestConfig, xl } from './xl-harness';

describe('xl dump-core', () => {
  it('writes the domain\'s core to the file (relative to the working directory) and leaves the domain running', async () => {
    const lab = newLab();
    expect((await xl(lab, 'create', writeGuestConfig(lab, 'g1', 'memory = 32\n'))).code).toBe(0);
    const file = join(lab, 'g1.core');
    const r = await xl(lab, 'dump-core', 'g1', file);
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    const core = readXenCore(readFileSync(file));
    expect(core.header.nrPages).toBe(32 * 256);
    expect(core.sections.map((s) => s.name)).toContain('.xen_p2m');
    expect((await xl(lab, 'list', 'g1')).stdout).toMatch(/^g1\s+1\s+32\s+1\s+------/m);
  });

  it('a file that cannot be created: libxc\'s and libxl\'s lines, "core dump failed (rc=-3)", exit 1', async () => {
    const lab = newLab();
    await xl(lab, 'create', writeGuestConfig(lab, 'g1', 'memory = 32\n'));
    const file = join(lab, 'missing', 'core');
    const r = await xl(lab, 'dump-core', 'g1', file);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `xc: error: Could not open corefile ${file} (2 = No such file or directory): Internal error\n` +
        `libxl: error: libxl_domain.c:603:libxl_domain_core_dump: Domain 1:Core dumping domain to ${file}: No such file or directory\n` +
        'core dump failed (rc=-3)\n',
    );
    expect(existsSync(file)).toBe(false);
  });

  it('takes exactly two operands, as xl\'s SWITCH_FOREACH_OPT(..., "dump-core", 2)', async () => {
    const lab = newLab();
    const r = await xl(lab, 'dump-core', 'g1');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("'xl dump-core' requires at least 2 arguments.");
  });
});
