/**
 * xc_domain_dumpcore's file format (docs/misc/dump-core-format.txt), written by the
 * embedded toolstack and read back by our own reader: pages by pfn, the p2m / pfn table,
 * the notes, the vCPU contexts, the shared info page.
 */
import { mkdtempSync, readFileSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmbeddedHost } from '../../../../engine/toolstack/embedded-host';
import { readXenCore } from '../../../../engine/toolstack/coredump/xc-core-reader';
import { EM_X86_64, XC_CORE_MAGIC, XC_CORE_MAGIC_HVM } from '../../../../engine/toolstack/coredump/xc-core-format';
import { timeScale } from '../../../../engine/toolstack/coredump/shared-info-page';
import { ToolstackError } from '../../../../engine/toolstack/toolstack-error';

const PV = 'name = "web1"\ntype = "pv"\nkernel = "/boot/vmlinuz"\nmemory = 64\nvcpus = 2\n';
const HVM = 'name = "win1"\ntype = "hvm"\nmemory = 64\nvcpus = 1\n';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'xendeck-core-'));
}

async function withGuest(cfg: string): Promise<{ host: EmbeddedHost; domid: number }> {
  const host = new EmbeddedHost({ id: 'lab1' });
  const r = await host.createDomain({ configText: cfg, paused: true });
  return { host, domid: r.domid! };
}

describe('xl dump-core: the xen dump-core ELF file', () => {
  it('a PV guest: ELF64 ET_CORE, sections in libxc order, the p2m with machine frames, a written page read back by pfn', async () => {
    const { host, domid } = await withGuest(PV);
    const mem = host.xen.hypercall({ op: 'privcmd.map_foreign', domid });
    const pattern = new TextEncoder().encode('XenDeck core page 0x1234');
    mem.write(0x1234, 100, pattern);
    const file = join(tmp(), 'web1.core');
    const r = await host.coreDump(domid, file);
    const info = host.xen.hypercall({ op: 'domctl.getdomaininfo', domid });
    const bytes = readFileSync(file);
    expect(statSync(file).size).toBe(r.bytes);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const core = readXenCore(bytes);
    expect(core.machine).toBe(EM_X86_64);
    expect(core.sections.map((s) => s.name)).toEqual(['', '.shstrtab', '.note.Xen', '.xen_prstatus', '.xen_shared_info', '.xen_pages', '.xen_p2m']);
    expect(core.header).toEqual({ magic: XC_CORE_MAGIC, nrVcpus: 2, nrPages: info.totPages, pageSize: 4096 });
    expect(core.formatVersion).toEqual({ major: 0, minor: 1 });
    expect(core.xenVersion).toMatchObject({ major: 4, minor: 17, extra: '.0-xendeck' });
    expect(core.xenVersion.capabilities).toContain('xen-3.0-x86_64');
    // every populated pfn, ascending, each with the mfn the guest's p2m maps it to
    expect(core.pfns.length).toBe(info.totPages);
    expect(core.pfns).toEqual([...core.pfns].sort((a, b) => a - b));
    const frames = new Map<number, number>();
    mem.forEachFrame((g, m, n) => {
      for (let i = 0; i < n; i++) frames.set(g + i, m + i);
    });
    core.pfns.forEach((pfn, j) => expect(core.gmfns![j]).toBe(frames.get(pfn)));
    const page = core.page(0x1234)!;
    expect(Buffer.from(page.subarray(100, 100 + pattern.length)).toString()).toBe('XenDeck core page 0x1234');
    expect(page.subarray(0, 100).every((b) => b === 0)).toBe(true);
    expect(core.page(0)!.every((b) => b === 0)).toBe(true);
    // .xen_pages is page aligned; a vCPU context per online vCPU, flagged online and in kernel
    expect(core.sections.find((s) => s.name === '.xen_pages')!.offset % 4096).toBe(0);
    expect(core.vcpuContexts.map((c) => new DataView(c.buffer, c.byteOffset).getBigUint64(512, true))).toEqual([0x24n, 0x24n]);
    expect(r).toMatchObject({ pages: info.totPages, dataPages: 1, vcpus: 2 });
    // shared info: arch.max_pfn and vCPU 0's time scale
    const si = new DataView(core.sharedInfo!.buffer, core.sharedInfo!.byteOffset, 4096);
    expect(Number(si.getBigUint64(3088, true))).toBe(mem.gfnLimit);
    expect(si.getUint32(32 + 24, true)).toBe(timeScale(host.xen.cpuKhz).mul);
    // the domain is left as it was
    expect((await host.domain(domid)).state).toBe('--p---');
  });

  it('an HVM guest: .xen_pfn without the VGA hole, the HVM magic, no shared info section', async () => {
    const { host, domid } = await withGuest(HVM);
    const file = join(tmp(), 'win1.core');
    await host.coreDump(domid, file);
    const core = readXenCore(readFileSync(file));
    expect(core.hvm).toBe(true);
    expect(core.header.magic).toBe(XC_CORE_MAGIC_HVM);
    expect(core.sections.map((s) => s.name)).toEqual(['', '.shstrtab', '.note.Xen', '.xen_prstatus', '.xen_pages', '.xen_pfn']);
    expect(core.gmfns).toBeUndefined();
    expect(core.pfns.some((p) => p >= 0xa0 && p < 0xc0)).toBe(false);
    expect(core.pfns).toContain(0x9f);
    expect(core.pfns).toContain(0xc0);
    // fewer pfns than tot_pages (the hole's pages are left out): padded with invalid entries
    expect(core.pfns.length).toBeLessThan(core.header.nrPages);
    expect(core.vcpuContexts.map((c) => new DataView(c.buffer, c.byteOffset).getBigUint64(512, true))).toEqual([0x20n]);
  });

  it('a file that cannot be opened fails with xc\'s words and writes nothing', async () => {
    const { host, domid } = await withGuest(PV);
    const file = join(tmp(), 'no', 'such', 'dir', 'core');
    const e = await host.coreDump(domid, file).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ToolstackError);
    expect((e as ToolstackError).code).toBe('ENOENT');
    expect((e as ToolstackError).message).toBe(`Could not open corefile ${file}: No such file or directory`);
    expect(existsSync(file)).toBe(false);
  });

  it('Domain-0 and an unknown domain are refused', async () => {
    const { host } = await withGuest(PV);
    await expect(host.coreDump(0, join(tmp(), 'd0'))).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(host.coreDump(42, join(tmp(), 'x'))).rejects.toMatchObject({ code: 'ESRCH' });
  });
});
