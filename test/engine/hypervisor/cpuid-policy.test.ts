import { describe, expect, it } from 'vitest';
import { CpuPolicies } from '../../../engine/hypervisor/cpuid-policy';
import { XenError } from '../../../engine/hypervisor/errno';
import { EmbeddedHost } from '../../../engine/toolstack/embedded-host';

describe('CPUID policies', () => {
  const host = new CpuPolicies({ vendor: 'GenuineIntel', family: 6, model: 0x55, tscKhz: 2_500_000, features: ['sse', 'sse2', 'avx2', 'avx', 'pku', 'page1gb', 'vmx', 'ept', 'cat'] });

  it('keeps the host-side capabilities from guests, and 1G pages and PKU from PV guests', () => {
    expect(host.host.features).toEqual(['sse', 'sse2', 'avx', 'avx2', 'pku', 'vmx', 'ept', 'page1gb', 'cat']);
    expect(host.hvmMax.features).toEqual(['sse', 'sse2', 'avx', 'avx2', 'pku', 'page1gb']);
    expect(host.pvMax.features).toEqual(['sse', 'sse2', 'avx', 'avx2']);
  });

  it('only narrows a domain within its max, naming what is refused', () => {
    expect(host.derive('hvm', ['sse', 'avx']).features).toEqual(['sse', 'avx']);
    expect(() => host.derive('pv', ['page1gb'])).toThrow(XenError);
    expect(() => host.derive('pv', ['page1gb'])).toThrow('CPUID feature page1gb is not available to PV guests on this host');
    expect(() => host.derive('hvm', ['warp-drive'])).toThrow('unknown CPUID feature "warp-drive"');
  });

  it("follows the preset's CPU and applies xl.cfg's cpuid (libxl form) at create", async () => {
    const h = new EmbeddedHost({ id: 'h', preset: 'haswell-ep-2s' });
    const hostPolicy = await h.cpuPolicy();
    expect(hostPolicy).toMatchObject({ vendor: 'GenuineIntel', family: 6, model: 0x3f, tscKhz: 2_300_000 });
    expect(hostPolicy.features).not.toContain('pku'); // Haswell has no protection keys
    await h.createDomain({ configText: 'name = "g"\ntype = "hvm"\nmemory = 64\ncpuid = "host,avx2=0"\n' });
    const g = await h.cpuPolicy('g');
    expect(g.features).toContain('avx');
    expect(g.features).not.toContain('avx2');
    expect(g.features).not.toContain('vmx');
    const bad = await h.createDomain({ configText: 'name = "p"\nmemory = 64\ncpuid = "host,pku=1"\n' }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 'EINVAL' });
    expect((await h.listDomains()).map((d) => d.name)).toEqual(['Domain-0', 'g']);
  });
});
