import { describe, expect, it } from 'vitest';
import { MILLISECS, SECONDS } from '../../../engine/hypervisor/clock';
import { EmbeddedHost } from '../../../engine/toolstack/embedded-host';
import { setMaxMemory } from '../../../engine/toolstack/domain-tuning';
import { rejection } from './rejection';
import type { ToolstackEvent } from '../../../engine/toolstack/types';

const CFG = 'name = "web1"\ntype = "pvh"\nmemory = 256\nmaxmem = 512\nvcpus = 2\nmaxvcpus = 4\n';


async function hostWithWeb1(): Promise<EmbeddedHost> {
  const h = new EmbeddedHost({ id: 'lab1' });
  await h.createDomain({ configText: CFG, file: 'web1.cfg' });
  return h;
}

const xs = (h: EmbeddedHost, p: string): string | undefined => h.xenstore.read(p);

describe('xl rename on the embedded host (libxl_domain_rename)', () => {
  it('renames: xenstore name nodes, lookups by name, the kept config and an event with the old name', async () => {
    const h = await hostWithWeb1();
    const events: ToolstackEvent[] = [];
    h.subscribe((e) => events.push(e));
    const uuid = (await h.domain(1)).uuid;
    await h.renameDomain('web1', 'www');
    expect(xs(h, '/local/domain/1/name')).toBe('www');
    expect(xs(h, `/vm/${uuid}/name`)).toBe('www');
    expect((await h.domain('www')).domid).toBe(1);
    expect((await rejection(h.domain('web1'))).code).toBe('EINVAL');
    const kept = h.configOf(1)!;
    expect(kept.buildInfo.c_info.name).toBe('www');
    expect(kept.text).toContain('name = "www"');
    expect(kept.text).not.toContain('web1');
    expect(events).toEqual([expect.objectContaining({ kind: 'domain.changed', previousName: 'web1', domain: expect.objectContaining({ name: 'www' }) })]);
    // the old name is free again
    await h.createDomain({ configText: CFG, file: 'web1.cfg' });
    expect((await h.domain('web1')).domid).toBe(2);
  });

  it('refuses a name another domain has, and changes nothing', async () => {
    const h = await hostWithWeb1();
    await h.createDomain({ configText: CFG.replace('web1', 'db1') });
    const e = await rejection(h.renameDomain('web1', 'db1'));
    expect([e.code, e.message]).toEqual(['EINVAL', 'Domain with name "db1" already exists.']);
    expect(await h.xenstore.readLive(['/local/domain/1/name'])).toEqual(['web1']);
    expect((await h.listDomains()).map((d) => d.name)).toEqual(['Domain-0', 'web1', 'db1']);
    // its own name is fine (libxl: "domain already has this name, ok")
    await h.renameDomain('web1', 'web1');
  });

  it('a restart after rename comes back with the new name', async () => {
    const h = new EmbeddedHost({ id: 'lab1' });
    await h.createDomain({ configText: `${CFG}on_poweroff = "restart"\n` });
    await h.renameDomain(1, 'renamed');
    await h.shutdown('renamed');
    expect((await h.listDomains()).map((d) => d.name)).toEqual(['Domain-0', 'renamed']);
  });
});

describe('xl mem-set on the embedded host (libxl_set_memory_target + the guest balloon driver)', () => {
  it('writes memory/target, lowers max_pages, and the balloon gives memory back over simulated time', async () => {
    const h = await hostWithWeb1();
    const free0 = (await h.summary()).freeMemoryMiB;
    await h.setMemoryTarget('web1', 128 * 1024);
    expect(xs(h, '/local/domain/1/memory/target')).toBe(String(128 * 1024));
    let d = await h.domain(1);
    expect(d).toMatchObject({ memoryMiB: 256, targetMemoryMiB: 128, maxMemoryMiB: 128 });
    // 512 pages (2 MiB) per batch, a batch every 4 ms: 64 batches to give back 128 MiB
    h.advanceClock(MILLISECS(40));
    d = await h.domain(1);
    expect(d.memoryMiB).toBeLessThan(256);
    expect(d.memoryMiB).toBeGreaterThan(128);
    const events: ToolstackEvent[] = [];
    h.subscribe((e) => events.push(e));
    h.advanceClock(SECONDS(1));
    expect((await h.domain(1)).memoryMiB).toBe(128);
    expect((await h.summary()).freeMemoryMiB).toBe(free0 + 128);
    // one event when the balloon reaches the target, with the new size (the domain list follows)
    expect(events).toEqual([expect.objectContaining({ kind: 'domain.changed', domain: expect.objectContaining({ memoryMiB: 128 }) })]);
  });

  it('balloons up to the target, never past max_pages, and up to memory/static-max only', async () => {
    const h = await hostWithWeb1();
    await h.setMemoryTarget(1, 400 * 1024);
    expect((await h.domain(1)).maxMemoryMiB).toBe(400);
    h.advanceClock(SECONDS(1));
    expect((await h.domain(1)).memoryMiB).toBe(400);
    const e = await rejection(h.setMemoryTarget(1, 600 * 1024));
    expect([e.code, e.message]).toEqual(['EINVAL', 'memory_dynamic_max must be less than or equal to memory_static_max']);
    expect(xs(h, '/local/domain/1/memory/target')).toBe(String(400 * 1024));
    // a smaller max_pages (xl mem-max is refused below the target, so lower the target first)
    await h.setMemoryTarget(1, 300 * 1024);
    h.advanceClock(SECONDS(1));
    expect((await h.domain(1)).memoryMiB).toBe(300);
  });

  it('a growing balloon stops at max_pages and retries (BP_EAGAIN) until the maximum allows it', async () => {
    const h = await hostWithWeb1();
    await h.setMemoryTarget(1, 400 * 1024);
    // set max_pages below the target behind libxl's back (as another toolstack might)
    h.xen.hypercall({ op: 'domctl.max_mem', domid: 1, maxKiB: 300 * 1024 });
    h.advanceClock(SECONDS(2));
    const g = h.guestOf(1)!;
    expect((await h.domain(1)).memoryMiB).toBe(300);
    expect(g.balloon!.state).toBe('retry');
    h.xen.hypercall({ op: 'domctl.max_mem', domid: 1, maxKiB: 400 * 1024 });
    h.advanceClock(SECONDS(40));
    expect((await h.domain(1)).memoryMiB).toBe(400);
    expect(g.balloon!.state).toBe('done');
  });

  it('mem-max stays consistent: refused below memory/target, not below tot_pages', async () => {
    const h = await hostWithWeb1();
    await h.setMemoryTarget(1, 128 * 1024);
    // the guest still has 256 MiB, but libxl compares with the target
    setMaxMemory(h, 1, 200 * 1024);
    expect((await h.domain(1)).maxMemoryMiB).toBe(200);
    expect(() => setMaxMemory(h, 1, 64 * 1024)).toThrow('memory_static_max must be greater than or or equal to memory_dynamic_max');
  });

  it('a paused domain balloons when it is unpaused', async () => {
    const h = await hostWithWeb1();
    await h.pause(1);
    await h.setMemoryTarget(1, 128 * 1024);
    h.advanceClock(SECONDS(1));
    expect((await h.domain(1)).memoryMiB).toBe(256);
    await h.unpause(1);
    h.advanceClock(SECONDS(1));
    expect((await h.domain(1)).memoryMiB).toBe(128);
  });

  it('Domain-0: libxl fills in its memory nodes, keeps it above LIBXL_MIN_DOM0_MEM, and dom0 balloons down', async () => {
    const h = await hostWithWeb1();
    const free0 = (await h.summary()).freeMemoryMiB;
    expect((await h.domain(0)).memoryMiB).toBe(1024);
    const e = await rejection(h.setMemoryTarget(0, 64 * 1024));
    expect(e.message).toBe('New target 65536 for dom0 is below the minimum threshold');
    expect(xs(h, '/local/domain/0/memory/target')).toBe(String(1024 * 1024));
    expect(xs(h, '/local/domain/0/memory/static-max')).toBe(String(16 * 1024 * 1024));
    await h.setMemoryTarget(0, 512 * 1024);
    h.advanceClock(SECONDS(2));
    expect(await h.domain(0)).toMatchObject({ memoryMiB: 512, targetMemoryMiB: 512 });
    expect((await h.summary()).freeMemoryMiB).toBe(free0 + 512);
    expect((await rejection(h.setMemoryTarget(1, -1))).code).toBe('EINVAL');
  });
});

describe('xl vcpu-set on the embedded host (cpu/N/availability + the guest hotplug)', () => {
  it('boots with vcpus online of maxvcpus, the rest offline', async () => {
    const h = await hostWithWeb1();
    expect(await h.domain(1)).toMatchObject({ onlineVcpus: 2, maxVcpus: 4 });
    expect((await h.vcpuList(1)).map((v) => v.runstate === 'offline')).toEqual([false, false, true, true]);
  });

  it('brings vCPUs up and takes them down; offline ones spend their time offline', async () => {
    const h = await hostWithWeb1();
    await h.setOnlineVcpus('web1', 4);
    expect(xs(h, '/local/domain/1/cpu/3/availability')).toBe('online');
    expect((await h.domain(1)).onlineVcpus).toBe(4);
    await h.setOnlineVcpus('web1', 1);
    expect([0, 1, 2, 3].map((i) => xs(h, `/local/domain/1/cpu/${i}/availability`))).toEqual(['online', 'offline', 'offline', 'offline']);
    h.advanceClock(MILLISECS(100));
    const vs = await h.vcpuList(1);
    expect(vs.map((v) => v.online)).toEqual([true, false, false, false]);
    expect(vs.slice(1).every((v) => v.runstate === 'offline' && v.cpu === null)).toBe(true);
    const before = (await h.domainSample(1)).runstateNs.offline;
    h.advanceClock(MILLISECS(100));
    expect((await h.domainSample(1)).runstateNs.offline - before).toBe(3 * MILLISECS(100));
    expect(h.guestOf(1)!.dmesg.some((l) => l.endsWith('smpboot: CPU 3 is now offline'))).toBe(true);
  });

  it('refuses 0 and more than maxvcpus with libxl\'s words, changing nothing', async () => {
    const h = await hostWithWeb1();
    const e0 = await rejection(h.setOnlineVcpus(1, 0));
    expect(e0.message).toBe('Requested 0 VCPUs!');
    const e5 = await rejection(h.setOnlineVcpus(1, 5));
    expect(e5.message).toBe('Requested 5 VCPUs, however maxcpus is 4!');
    expect((await h.domain(1)).onlineVcpus).toBe(2);
    expect(xs(h, '/local/domain/1/cpu/2/availability')).toBe('offline');
  });

  it('a paused guest acts on the change when unpaused', async () => {
    const h = await hostWithWeb1();
    await h.pause(1);
    await h.setOnlineVcpus(1, 4);
    expect((await h.domain(1)).onlineVcpus).toBe(2);
    await h.unpause(1);
    expect((await h.domain(1)).onlineVcpus).toBe(4);
  });
});

describe('per-vCPU RTDS parameters (libxl_vcpu_sched_params_set)', () => {
  async function rtdsHost(): Promise<EmbeddedHost> {
    const h = await hostWithWeb1();
    await h.cpupoolRemoveCpus('Pool-0', [6, 7]);
    await h.createCpupool('rt', 'rtds', [6, 7]);
    await h.migrateToCpupool(1, 'rt');
    return h;
  }

  it('sets the named vCPUs only and reads them back', async () => {
    const h = await rtdsHost();
    await h.setVcpuSched('web1', [{ vcpu: 1, period: 20000, budget: 5000, extratime: false }]);
    const s = await h.domainSched(1);
    expect(s.vcpus).toEqual([
      { vcpu: 0, period: 10000, budget: 4000, extratime: true },
      { vcpu: 1, period: 20000, budget: 5000, extratime: false },
      { vcpu: 2, period: 10000, budget: 4000, extratime: true },
      { vcpu: 3, period: 10000, budget: 4000, extratime: true },
    ]);
  });

  it('all or nothing: a bad entry anywhere changes no vCPU; other schedulers refuse', async () => {
    const h = await rtdsHost();
    const before = await h.domainSched(1);
    const bad = [
      { vcpu: 0, period: 20000, budget: 5000, extratime: false },
      { vcpu: 1, period: 1000, budget: 5000, extratime: false },
    ];
    expect((await rejection(h.setVcpuSched(1, bad))).message).toBe('VCPU budget must be smaller than or equal to period, but 5000 > 1000');
    expect((await rejection(h.setVcpuSched(1, [{ vcpu: 4, period: 100, budget: 50, extratime: true }]))).message).toBe('Invalid VCPU 4: valid range is [0, 3]');
    // the hypervisor's own floor (rt.c: 10 µs) after libxl's checks
    expect((await rejection(h.setVcpuSched(1, [{ vcpu: 0, period: 5, budget: 5, extratime: true }]))).code).toBe('EINVAL');
    expect(await h.domainSched(1)).toEqual(before);
    await h.migrateToCpupool(1, 'Pool-0');
    expect((await rejection(h.setVcpuSched(1, [{ vcpu: 0, period: 100, budget: 50, extratime: true }]))).message).toBe('per-VCPU parameter setting not supported for this scheduler');
  });
});

describe('what the GUI reads: credit2 runqueues and per-vCPU runstate times', () => {
  it('a credit2 pool reports its runqueue arrangement (credit2_runqueue=socket by default) and their pCPUs', async () => {
    const h = new EmbeddedHost({ id: 'lab1', preset: 'haswell-ep-2s' });
    const s = await h.poolSched('Pool-0');
    expect(s.sched).toBe('credit2');
    expect(s.runqueues?.arrangement).toBe('socket');
    const topo = await h.topology();
    // one runqueue per socket, each holding exactly that socket's pCPUs
    for (const rq of s.runqueues!.runqueues) expect(new Set(rq.cpus.map((c) => topo.cpus[c]!.socket)).size).toBe(1);
    expect(s.runqueues!.runqueues.flatMap((r) => r.cpus).sort((a, b) => a - b)).toEqual(topo.cpus.map((c) => c.cpu));
    await h.cpupoolRemoveCpus('Pool-0', [1]);
    await h.createCpupool('c1', 'credit', [1]);
    expect((await h.poolSched('c1')).runqueues).toBeUndefined();
  });

  it('vcpu-list carries each vCPU\'s runstate times, which add up to its life', async () => {
    const h = await hostWithWeb1();
    h.advanceClock(MILLISECS(50));
    for (const v of await h.vcpuList(1)) {
      const t = v.runstateNs!;
      expect(t.running + t.runnable + t.blocked + t.offline).toBe(MILLISECS(50));
    }
  });
});
