import { describe, expect, it } from 'vitest';
import { parseDomainConfig, withOverrides } from '../../../engine/toolstack/domain-build-info';
import { ToolstackError } from '../../../engine/toolstack/toolstack-error';

function err(text: string): ToolstackError {
  try {
    parseDomainConfig(text, 'guest.cfg');
  } catch (e) {
    if (e instanceof ToolstackError) return e;
    throw e;
  }
  throw new Error('expected a ToolstackError');
}

describe('parseDomainConfig (xl_parse.c semantics)', () => {
  it('applies libxl defaults: pv, 32 MiB, 1 vCPU, destroy/restart/destroy', () => {
    const { buildInfo } = parseDomainConfig('name = "g1"\n');
    expect(buildInfo.c_info).toEqual({ type: 'pv', name: 'g1' });
    expect(buildInfo.b_info.max_memkb).toBe(32 * 1024);
    expect(buildInfo.b_info.target_memkb).toBe(32 * 1024);
    expect(buildInfo.b_info.max_vcpus).toBe(1);
    expect(buildInfo.b_info.avail_vcpus).toEqual([0]);
    expect([buildInfo.on_poweroff, buildInfo.on_reboot, buildInfo.on_crash]).toEqual(['destroy', 'restart', 'destroy']);
  });

  it('reads memory and maxmem in MiB into KiB, maxmem defaulting to memory', () => {
    expect(parseDomainConfig('name="a"\nmemory=0x200\n').buildInfo.b_info).toMatchObject({ target_memkb: 512 * 1024, max_memkb: 512 * 1024 });
    expect(parseDomainConfig('name="a"\nmemory=512\nmaxmem=1024\n').buildInfo.b_info).toMatchObject({ target_memkb: 512 * 1024, max_memkb: 1024 * 1024 });
  });

  it('matches type as a prefix like strncmp(buf, "hvm", strlen(buf))', () => {
    expect(parseDomainConfig('name="a"\ntype="h"\n').buildInfo.c_info.type).toBe('hvm');
    expect(parseDomainConfig('name="a"\ntype="pvh"\n').buildInfo.c_info.type).toBe('pvh');
    expect(parseDomainConfig('name="a"\ntype="p"\n').buildInfo.c_info.type).toBe('pv');
    expect(parseDomainConfig('name="a"\nbuilder="hvm"\n').buildInfo.c_info.type).toBe('hvm');
    expect(err('name="a"\ntype="kvm"\n').message).toBe('Invalid domain type kvm.');
    expect(err('name="a"\ntype="pv"\nbuilder="hvm"\n').message).toBe('Contradicting "builder" and "type" options specified.');
  });

  it('takes vcpus < 1 as 1 and refuses maxvcpus < vcpus with xl\'s message', () => {
    expect(parseDomainConfig('name="a"\nvcpus=0\n').buildInfo.b_info.max_vcpus).toBe(1);
    expect(parseDomainConfig('name="a"\nvcpus=2\nmaxvcpus=8\n').buildInfo.b_info).toMatchObject({ max_vcpus: 8, avail_vcpus: [0, 1] });
    expect(err('name="a"\nvcpus=4\nmaxvcpus=2\n').message).toBe('xl: maxvcpus < vcpus');
  });

  it('requires a name', () => {
    const e = err('memory = 128\n');
    expect(e.code).toBe('ECONFIG');
    expect(e.message).toBe('Domain name must be specified.');
  });

  it('names file and line for a syntax error and for a bad value', () => {
    const syntax = err('name = "a"\nmemory = = 4\n');
    expect(syntax.code).toBe('ECONFIG');
    expect(syntax.where).toMatchObject({ file: 'guest.cfg', line: 2 });
    expect(syntax.message).toContain("guest.cfg:2: config parsing error near `='");
    const bad = err('name = "a"\n\non_crash = "explode"\n');
    expect(bad.where).toMatchObject({ file: 'guest.cfg', line: 3 });
    expect(bad.message).toContain('Unknown on_crash action "explode"');
    expect(err('name="a"\nmemory="lots"\n').message).toContain("parameter `memory' is not a number");
  });

  it('appends `key=value` overrides as later lines, so they win', () => {
    const text = withOverrides('name = "a"\nmemory = 128', ['memory=256', 'name="b"']);
    const { buildInfo } = parseDomainConfig(text);
    expect(buildInfo.c_info.name).toBe('b');
    expect(buildInfo.b_info.target_memkb).toBe(256 * 1024);
  });
});
