/**
 * Keys of the semantic layer acted on by the embedded host: xend-form cpuid against the
 * engine's CPUID policy, cpus="nodes:N" on a two-node host, and xl's refusals with file
 * and line.
 */
import { describe, expect, it } from 'vitest';
import { parseXendCpuid } from '../../../../engine/toolstack/config/xend-cpuid';
import { parseDomainConfig } from '../../../../engine/toolstack/domain-build-info';
import { EmbeddedHost } from '../../../../engine/toolstack/embedded-host';
import { ToolstackError } from '../../../../engine/toolstack/toolstack-error';

const X = 'x'.repeat(32);
/** A 32-character policy with `c` at bit `bit` (bit 31 first). */
const bitAt = (bit: number, c: string): string => X.slice(0, 31 - bit) + c + X.slice(32 - bit);

function fails(text: string): ToolstackError {
  try {
    parseDomainConfig(text, 'g.cfg');
  } catch (e) {
    if (e instanceof ToolstackError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe("cpuid in xend's list form", () => {
  it('maps leaf/register/bit to the features of the policy, k to the host, and reports bad items as xl does', () => {
    const r = parseXendCpuid([`1:ecx=${bitAt(28, '0')},edx=${bitAt(26, '1')}`, `7,0:ebx=${bitAt(5, 'k')}`, '1:eax=xx', 'zz', `1,:ecx=${X}`, `1;ecx=${X}`, `1:e?x=${X}`]);
    expect(r.changes).toEqual({ avx: 0, sse2: 1, avx2: 'k' });
    expect(r.entries[0]).toEqual({ leaf: 1, ecx: bitAt(28, '0'), edx: bitAt(26, '1') });
    expect(r.warnings).toEqual([
      'while parsing CPUID line: "1:eax=xx":',
      '  error #5: policy string must be exactly 32 characters long',
      'while parsing CPUID line: "zz":',
      '  error #1: illegal leaf number',
      `while parsing CPUID line: "1,:ecx=${X}":`,
      '  error #2: illegal subleaf number',
      `while parsing CPUID line: "1;ecx=${X}":`,
      '  error #3: missing colon',
      `while parsing CPUID line: "1:e?x=${X}":`,
      '  error #4: invalid register name (must be e[abcd]x)',
    ]);
  });

  it('turns avx off in the guest\'s policy at create', async () => {
    const h = new EmbeddedHost({ id: 'lab1', preset: 'haswell-ep-2s' });
    await h.createDomain({ configText: `name = "c1"\ntype = "hvm"\nmemory = 64\ncpuid = [ "1:ecx=${bitAt(28, '0')}" ]\n` });
    const p = await h.cpuPolicy('c1');
    expect(p.features).not.toContain('avx');
    expect(p.features).toContain('sse4_2');
  });

  it('refuses a bit XenDeck does not model with ENOSYS naming it, and builds nothing', async () => {
    const h = new EmbeddedHost({ id: 'lab1' });
    const e = await h.createDomain({ configText: `name = "c2"\ntype = "hvm"\nmemory = 64\ncpuid = [ "1:ecx=${bitAt(3, '1')}" ]\n`, file: 'c2.cfg' }).catch((x: unknown) => x as ToolstackError);
    expect(e).toBeInstanceOf(ToolstackError);
    expect((e as ToolstackError).code).toBe('ENOSYS');
    expect((e as ToolstackError).message).toContain('c2.cfg:4: cpuid: XenDeck does not model leaf 0x1 ecx bit 3 = 1');
    expect((await h.listDomains()).map((d) => d.name)).toEqual(['Domain-0']);
  });
});

describe("cpuid in libxl's string form", () => {
  it('takes 1, 0, k and s, leaves x at the default, and reports bad items as xl does without stopping', () => {
    const r = parseDomainConfig('name = "g"\ncpuid = "host,avx=0,sse3=1,avx2=k,xsave=x,pku,tm=2,Bad Name=1"\n', 'g.cfg');
    expect(r.buildInfo.b_info.cpuid).toEqual({ avx: 0, sse3: 1, avx2: 'k' });
    expect(r.warnings).toEqual([
      'while parsing CPUID flag: "pku":',
      '  error #1: missing "=" in key=value',
      'while parsing CPUID flag: "tm=2":',
      '  error #3: illegal CPUID value (must be: [0|1|x|k|s])',
      'while parsing CPUID flag: "Bad Name=1":',
      '  error #2: unknown CPUID flag name',
    ]);
    const n = parseDomainConfig('name = "g"\ncpuid = "avx=0"\n', 'g.cfg');
    expect(n.buildInfo.b_info.cpuid).toBeUndefined();
    expect(n.warnings).toEqual(['while parsing CPUID string: "avx=0":', '  error: first word must be "host"']);
  });
});

describe('cpus and cpus_soft', () => {
  it('takes nodes:N as every pCPU of that NUMA node of the host', async () => {
    const h = new EmbeddedHost({ id: 'lab1', preset: 'haswell-ep-2s' });
    const topo = await h.topology();
    const node1 = topo.cpus.filter((c) => c.node === 1).map((c) => c.cpu);
    await h.createDomain({ configText: 'name = "n1"\ntype = "pvh"\nmemory = 64\nvcpus = 1\ncpus = "nodes:1"\n' });
    const v = (await h.vcpuList('n1'))[0]!;
    expect(v.hardAffinity).toBe(`${node1[0]}-${node1[node1.length - 1]}`);
  });

  it('says which range is bad, on the line of the key', () => {
    expect(fails('name = "g"\ncpus = "0-3,^x"\n').message).toBe('g.cfg:2: Invalid pcpu range: ^x.');
    expect(fails('name = "g"\n\ncpus_soft = "^all"\n').message).toBe('g.cfg:3: Can\'t combine "^" and "all".');
  });
});

describe("xl's refusals of HVM keys", () => {
  it('names vga, viridian, bios and device_model_version values it does not know', () => {
    expect(fails('name = "g"\ntype = "hvm"\nvga = "vesa"\n').message).toBe('g.cfg:3: Unknown vga "vesa" specified');
    expect(fails('name = "g"\ntype = "hvm"\nviridian = [ "base", "warp" ]\n').message).toBe("g.cfg:3: xl: unknown viridian enlightenment 'warp'");
    expect(fails('name = "g"\ntype = "hvm"\nbios = "coreboot"\n').message).toBe('g.cfg:3: ERROR: invalid value "coreboot" for "bios"');
    expect(fails('name = "g"\ndevice_model_version = "qemu-9"\n').message).toBe('g.cfg:2: Unknown device_model_version "qemu-9" specified');
    expect(fails('name = "g"\nvif = [ "rate=fast" ]\n').message).toBe("g.cfg:2: config parsing error in vif: invalid rate in `fast'");
    expect(fails('name = "g"\nusbctrl = [ "type=usb4" ]\n').message).toBe("g.cfg:2: Invalid usb controller type 'usb4'");
  });
});
