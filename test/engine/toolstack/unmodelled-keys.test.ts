import { describe, expect, it } from 'vitest';
import { parseDomainConfig } from '../../../engine/toolstack/domain-build-info';
import { EmbeddedHost } from '../../../engine/toolstack/embedded-host';

const BASE = 'name = "t"\ntype = "pv"\nkernel = "/boot/vmlinuz"\nmemory = 128\n';

describe('xl.cfg keys XenDeck does not model are refused, never silently dropped', () => {
  it.each([
    ['vtpm = [ "backend=vtpmmgr" ]', 'vtpm', 'virtual TPMs'],
    ['p9 = [ "tag=share, path=/srv, security_model=none" ]', 'p9', '9pfs shares'],
    ['channel = [ "name=org.example.agent, connection=socket, path=/run/a" ]', 'channel', 'PV channels'],
    ['iomem = [ "fe000,1" ]', 'iomem', 'I/O memory passthrough'],
  ])('%s: ENOSYS naming the key and its line', (line, key, what) => {
    expect(() => parseDomainConfig(`${BASE}${line}\n`, 't.cfg')).toThrow(expect.objectContaining({ code: 'ENOSYS', message: `t.cfg:5: ${key}: ${what} (${key}) are not implemented in XenDeck yet` }));
  });

  it('a refused create leaves the host as it was; an unknown key stays ignored as xl ignores it', async () => {
    const h = new EmbeddedHost({ id: 'h' });
    const before = await h.listDomains();
    await expect(h.createDomain({ configText: `${BASE}vsnd = [ [ "card, short-name=Main" ] ]\n`, file: 't.cfg' })).rejects.toMatchObject({ code: 'ENOSYS' });
    expect(await h.listDomains()).toEqual(before);
    await expect(h.createDomain({ configText: `${BASE}no_such_key = 1\n`, file: 't.cfg' })).resolves.toMatchObject({ name: 't' });
  });
});
