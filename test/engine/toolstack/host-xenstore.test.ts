import { describe, expect, it } from 'vitest';
import { EmbeddedHost } from '../../../engine/toolstack/embedded-host';

describe("the embedded host's xenstore", () => {
  it("holds dom0's nodes from boot", async () => {
    const h = new EmbeddedHost({ id: 'h' });
    const l = await h.xenstoreList('/local/domain/0');
    expect(l.children.map((c) => [c.path, c.value])).toEqual(expect.arrayContaining([['/local/domain/0/name', 'Domain-0'], ['/local/domain/0/domid', '0']]));
  });

  it("writes libxl's layout when a domain is created and removes it when it is destroyed", async () => {
    const h = new EmbeddedHost({ id: 'h' });
    const { domid } = await h.createDomain({ configText: 'name = "web1"\nmemory = 256\nvcpus = 2\nmaxvcpus = 4\n' });
    const dom = await h.xenstoreList(`/local/domain/${domid}`);
    const value = (p: string): string | undefined => dom.children.find((c) => c.path === `/local/domain/${domid}/${p}`)?.value;
    expect(value('name')).toBe('web1');
    expect(value('domid')).toBe(String(domid));
    expect(dom.node.perms).toEqual(['n0', `r${domid}`]);
    const cpus = await h.xenstoreList(`/local/domain/${domid}/cpu`);
    expect(cpus.children).toHaveLength(4);
    const avail = await Promise.all(cpus.children.map(async (c) => (await h.xenstoreList(`${c.path}/availability`)).node.value));
    expect(avail).toEqual(['online', 'online', 'offline', 'offline']);
    const mem = await h.xenstoreList(`/local/domain/${domid}/memory`);
    expect(mem.children.find((c) => c.path.endsWith('/target'))?.value).toBe(String(256 * 1024));
    const uuid = (await h.domain('web1')).uuid;
    expect((await h.xenstoreList(`/vm/${uuid}/name`)).node.value).toBe('web1');

    await h.destroy('web1');
    await expect(h.xenstoreList(`/local/domain/${domid}`)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(h.xenstoreList(`/vm/${uuid}`)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
