import { describe, expect, it } from 'vitest';
import { EmbeddedHost } from '../../../engine/toolstack/embedded-host';
import { rejection } from './rejection';
import type { ToolstackEvent } from '../../../engine/toolstack/types';

const CFG = 'name = "web1"\ntype = "pvh"\nmemory = 256\nvcpus = 2\n';


describe('EmbeddedHost', () => {
  it('boots with Domain-0 only', async () => {
    const h = new EmbeddedHost({ id: 'lab1' });
    const doms = await h.listDomains();
    expect(doms.map((d) => [d.domid, d.name])).toEqual([[0, 'Domain-0']]);
    const s = await h.summary();
    expect(s.nrCpus).toBe(8);
    expect(s.totalMemoryMiB).toBe(16 * 1024);
    expect(s.freeMemoryMiB).toBe(16 * 1024 - doms[0]!.memoryMiB);
  });

  it('creates a domain with its memory and vCPUs, and frees it all on destroy', async () => {
    const h = new EmbeddedHost({ id: 'lab1' });
    const free0 = (await h.summary()).freeMemoryMiB;
    const events: ToolstackEvent[] = [];
    h.subscribe((e) => events.push(e));
    const r = await h.createDomain({ configText: CFG, file: 'web1.cfg' });
    expect(r.domid).toBe(1);
    const d = await h.domain('web1');
    expect(d).toMatchObject({ domid: 1, name: 'web1', type: 'pvh', memoryMiB: 256, maxMemoryMiB: 256, maxVcpus: 2, cpupool: 'Pool-0' });
    expect(d.state[2]).toBe('-'); // not paused
    expect((await h.summary()).freeMemoryMiB).toBe(free0 - 256);
    expect((await h.summary()).nrDomains).toBe((await h.listDomains()).length);
    expect((await h.summary()).nrDomains).toBe(2);
    await h.destroy(1);
    expect((await h.summary()).freeMemoryMiB).toBe(free0);
    expect((await h.summary()).nrDomains).toBe(1);
    expect(events.map((e) => e.kind)).toEqual(['domain.created', 'domain.destroyed']);
  });

  it('leaves a domain paused with `paused` (xl create -p) and unpauses it', async () => {
    const h = new EmbeddedHost({ id: 'lab1' });
    await h.createDomain({ configText: CFG, paused: true });
    expect((await h.domain(1)).state[2]).toBe('p');
    await h.unpause('web1');
    expect((await h.domain(1)).state[2]).toBe('-');
    const e = await rejection(h.unpause('web1'));
    expect(e.code).toBe('EINVAL');
  });

  it('refuses a second domain of the same name with libxl\'s message and changes nothing', async () => {
    const h = new EmbeddedHost({ id: 'lab1' });
    await h.createDomain({ configText: CFG });
    const before = await h.summary();
    const e = await rejection(h.createDomain({ configText: CFG }));
    expect(e.code).toBe('EEXIST');
    expect(e.message).toBe('Domain with name "web1" already exists.');
    expect(await h.summary()).toEqual(before);
  });

  it('rolls back a create that runs out of host memory', async () => {
    const h = new EmbeddedHost({ id: 'lab1' });
    const before = await h.listDomains();
    const free = (await h.summary()).freeMemoryMiB;
    const e = await rejection(h.createDomain({ configText: `name="big"\nmemory=${free + 1}\n` }));
    expect(e.code).toBe('ENOMEM');
    expect(await h.listDomains()).toEqual(before);
    expect((await h.summary()).freeMemoryMiB).toBe(free);
    // the domid it had taken is not leaked: the next domain still gets a fresh one
    const r = await h.createDomain({ configText: CFG });
    expect(r.domid).toBeGreaterThan(0);
  });

  it('does a dry run without building anything', async () => {
    const h = new EmbeddedHost({ id: 'lab1' });
    const r = await h.createDomain({ configText: CFG, dryRun: true });
    expect(r.domid).toBeUndefined();
    expect(r.buildInfo.b_info.target_memkb).toBe(256 * 1024);
    expect((await h.listDomains()).length).toBe(1);
  });

  it('a dry run does not check the name against running domains, as xl -N stops after parsing', async () => {
    const h = new EmbeddedHost({ id: 'lab1' });
    await h.createDomain({ configText: CFG });
    const r = await h.createDomain({ configText: CFG, dryRun: true });
    expect(r.domid).toBeUndefined();
    expect((await h.listDomains()).length).toBe(2);
  });

  it('keeps the creation time with the config and reports physinfo', async () => {
    const h = new EmbeddedHost({ id: 'lab1' });
    await h.createDomain({ configText: CFG });
    expect(h.configOf('web1')?.createdNs).toBe(h.xen.clock.now);
    expect((await h.physinfo()).nrCpus).toBe(8);
  });

  it('names unknown domains as xl does', async () => {
    const h = new EmbeddedHost({ id: 'lab1' });
    expect((await rejection(h.pause('nosuch'))).message).toBe('nosuch is an invalid domain identifier (rc=-6)');
    expect((await rejection(h.destroy(99))).code).toBe('ESRCH');
    expect((await rejection(h.destroy(0))).code).toBe('EINVAL');
  });

  it('runs on_poweroff / on_reboot: destroy on shutdown, re-create on reboot', async () => {
    const h = new EmbeddedHost({ id: 'lab1' });
    await h.createDomain({ configText: CFG });
    await h.shutdown('web1', { reboot: true });
    const after = await h.listDomains();
    expect(after.map((d) => d.name)).toEqual(['Domain-0', 'web1']);
    expect(after[1]!.domid).toBe(2);
    await h.shutdown('web1');
    expect((await h.listDomains()).map((d) => d.name)).toEqual(['Domain-0']);
  });

  it('keeps a preserved domain in the shutdown state', async () => {
    const h = new EmbeddedHost({ id: 'lab1' });
    await h.createDomain({ configText: `${CFG}on_poweroff = "preserve"\n` });
    await h.shutdown(1);
    const d = await h.domain(1);
    expect(d.state[3]).toBe('s');
    expect(d.shutdownReason).toBe('poweroff');
  });

  it('is deterministic: the same seed gives the same uuids', async () => {
    const a = new EmbeddedHost({ id: 'a', seed: 7 });
    const b = new EmbeddedHost({ id: 'b', seed: 7 });
    await a.createDomain({ configText: CFG });
    await b.createDomain({ configText: CFG });
    expect((await a.domain(1)).uuid).toBe((await b.domain(1)).uuid);
  });

  it('reads the hypervisor console ring', async () => {
    const h = new EmbeddedHost({ id: 'lab1' });
    expect(await h.dmesg()).toContain('Xen version 4.17');
  });
});
