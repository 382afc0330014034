import { describe, expect, it } from 'vitest';
import { EmbeddedHost } from '../../../engine/toolstack/embedded-host';
import { ToolstackError } from '../../../engine/toolstack/toolstack-error';

async function fails(p: Promise<unknown>): Promise<ToolstackError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  if (!(e instanceof ToolstackError)) throw new Error(`expected a ToolstackError, got ${String(e)}`);
  return e;
}

describe('cpupools and scheduler parameters through the toolstack', () => {
  it('boots with Pool-0 holding every pCPU and dom0', async () => {
    const h = new EmbeddedHost({ id: 'h' });
    expect(await h.listCpupools()).toEqual([{ poolId: 0, name: 'Pool-0', sched: 'credit2', cpus: [0, 1, 2, 3, 4, 5, 6, 7], nDomains: 1 }]);
  });

  it('moves pCPUs to a new credit pool, creates a domain in it and refuses to destroy it while busy', async () => {
    const h = new EmbeddedHost({ id: 'h' });
    expect((await fails(h.createCpupool('cp-credit', 'credit', [6, 7]))).code).toBe('EBUSY');
    await h.cpupoolRemoveCpus('Pool-0', [6, 7]);
    const p = await h.createCpupool('cp-credit', 'credit', [6, 7]);
    expect(p).toMatchObject({ name: 'cp-credit', sched: 'credit', cpus: [6, 7], nDomains: 0 });
    await h.createDomain({ configText: 'name = "g"\nmemory = 64\npool = "cp-credit"\n' });
    expect((await h.domain('g')).cpupool).toBe('cp-credit');
    const busy = await fails(h.destroyCpupool('cp-credit'));
    expect(busy.message).toBe("Can't destroy cpupool 'cp-credit'");
    await h.migrateToCpupool('g', 'Pool-0');
    expect((await h.domain('g')).cpupool).toBe('Pool-0');
    await h.destroyCpupool('cp-credit');
    expect((await h.listCpupools()).map((x) => x.name)).toEqual(['Pool-0']);
    await h.cpupoolAddCpus('Pool-0', [6, 7]);
    expect((await h.listCpupools())[0]!.cpus).toHaveLength(8);
  });

  it('refuses a config naming a pool that does not exist, building nothing', async () => {
    const h = new EmbeddedHost({ id: 'h' });
    const e = await fails(h.createDomain({ configText: 'name = "g"\npool = "nope"\n' }));
    expect(e.code).toBe('ENOENT');
    expect((await h.listDomains()).length).toBe(1);
  });

  it('reads and sets credit2 weight and cap with libxl range checks', async () => {
    const h = new EmbeddedHost({ id: 'h' });
    await h.createDomain({ configText: 'name = "g"\nmemory = 64\n' });
    expect(await h.domainSched('g')).toMatchObject({ sched: 'credit2', pool: 'Pool-0', params: { weight: 256, cap: 0 } });
    await h.setDomainSched('g', { weight: 512 });
    expect((await h.domainSched('g')).params.weight).toBe(512);
    const bad = await fails(h.setDomainSched('g', { weight: 0 }));
    expect(bad.message).toBe('Cpu weight out of range, valid values are within range from 1 to 65535');
    const wrong = await fails(h.setDomainSched('g', { weight: 300 }, 'credit'));
    expect(wrong.message).toBe('libxl_domain_sched_params_get returned credit2 not credit.');
    expect((await h.domainSched('g')).params.weight).toBe(512);
  });

  // libxl's sched_rtds_domain_set(): xc_sched_rtds_domain_get's values (the RTDS
  // defaults, 10000/4000 µs: rt_dom_cntl's getinfo) with the given ones over them, checked
  // by sched_rtds_validate_params before Xen is asked; nothing changes when refused
  it('checks RTDS domain parameters as libxl does before putinfo', async () => {
    const h = new EmbeddedHost({ id: 'h' });
    await h.cpupoolRemoveCpus('Pool-0', [6, 7]);
    await h.createCpupool('rt', 'rtds', [6, 7]);
    await h.createDomain({ configText: 'name = "g"\nmemory = 64\npool = "rt"\n' });
    const before = await h.domainSched('g');
    expect((await fails(h.setDomainSched('g', { period: 1000, budget: 2000 }))).message).toBe('VCPU budget must be smaller than or equal to period, but 2000 > 1000');
    expect((await fails(h.setDomainSched('g', { budget: 12000 }))).message).toBe('VCPU budget must be smaller than or equal to period, but 12000 > 10000');
    expect((await fails(h.setDomainSched('g', { period: 0, budget: 0 }))).message).toBe('Invalid VCPU period of 0 (it should be >= 1)');
    expect((await fails(h.setDomainSched('g', { period: 100, budget: -1 }))).message).toBe('Invalid VCPU budget of -1 (it should be >= 1)');
    expect(await h.domainSched('g')).toEqual(before);
    await h.setDomainSched('g', { period: 20000, budget: 5000 });
    expect((await h.domainSched('g')).vcpus![0]).toMatchObject({ period: 20000, budget: 5000 });
  });

  // sched_rtds_domain_set() sends putinfo with getinfo's period and budget (the defaults)
  // where none was given and the extratime flag, which rt_dom_cntl() does not read: every
  // vCPU gets the period and budget, each keeps its own extratime
  it('sets every RTDS vCPU with getinfo under what is given; extratime stays as it was', async () => {
    const h = new EmbeddedHost({ id: 'h' });
    await h.cpupoolRemoveCpus('Pool-0', [6, 7]);
    await h.createCpupool('rt', 'rtds', [6, 7]);
    await h.createDomain({ configText: 'name = "g"\nmemory = 64\nvcpus = 2\npool = "rt"\n' });
    await h.setVcpuSched('g', [{ vcpu: 1, period: 30000, budget: 6000, extratime: false }]);
    await h.setDomainSched('g', { period: 20000 });
    expect((await h.domainSched('g')).vcpus).toEqual([
      { vcpu: 0, period: 20000, budget: 4000, extratime: true },
      { vcpu: 1, period: 20000, budget: 4000, extratime: false },
    ]);
    // extratime alone: the defaults go to every vCPU, the flag to no one
    await h.setDomainSched('g', { extratime: true });
    await h.setDomainSched('g', { budget: 500, extratime: false });
    expect((await h.domainSched('g')).vcpus).toEqual([
      { vcpu: 0, period: 10000, budget: 500, extratime: true },
      { vcpu: 1, period: 10000, budget: 500, extratime: false },
    ]);
    // under putvcpuinfo's 10 µs: libxl and rt_dom_cntl's putinfo both let it through
    await h.setDomainSched('g', { period: 5, budget: 5 });
    expect((await h.domainSched('g')).vcpus![0]).toMatchObject({ period: 5, budget: 5 });
    // weight and cap are credit's and credit2's: sched_rtds_domain_set does not read them
    await h.setDomainSched('g', { weight: 0, cap: -1, period: 30000 });
    expect((await h.domainSched('g')).vcpus![0]).toMatchObject({ period: 30000, budget: 4000 });
    await h.createDomain({ configText: 'name = "w"\nmemory = 64\npool = "rt"\ncpu_weight = 70000\n' });
    expect((await h.domainSched('w')).vcpus).toEqual([{ vcpu: 0, period: 10000, budget: 4000, extratime: true }]);
  });

  // libxl__build_post -> libxl_domain_sched_params_set -> sched_rtds_domain_set: xl.cfg's
  // period over getinfo's budget (xl 4.17 reads no budget key); extratime= goes in the flag
  // rt_dom_cntl() ignores, so it changes nothing for RTDS
  it('applies xl.cfg period at create in an RTDS pool; extratime= has no effect there', async () => {
    const h = new EmbeddedHost({ id: 'h' });
    await h.cpupoolRemoveCpus('Pool-0', [6, 7]);
    await h.createCpupool('rt', 'rtds', [6, 7]);
    await h.createDomain({ configText: 'name = "g"\nmemory = 64\nvcpus = 2\npool = "rt"\nperiod = 20000\nextratime = 0\n' });
    expect((await h.domainSched('g')).vcpus).toEqual([0, 1].map((vcpu) => ({ vcpu, period: 20000, budget: 4000, extratime: true })));
    await h.createDomain({ configText: 'name = "e"\nmemory = 64\npool = "rt"\nextratime = 0\n' });
    expect((await h.domainSched('e')).vcpus).toEqual([{ vcpu: 0, period: 10000, budget: 4000, extratime: true }]);
    // a period under getinfo's 4000 µs budget: sched_rtds_validate_params refuses, nothing is left
    const e = await fails(h.createDomain({ configText: 'name = "s"\nmemory = 64\npool = "rt"\nperiod = 3000\n' }));
    expect(e.message).toBe('VCPU budget must be smaller than or equal to period, but 4000 > 3000');
    expect((await h.listDomains()).map((d) => d.name)).toEqual(['Domain-0', 'g', 'e']);
  });

  it('lists vCPUs with their pCPU and affinity', async () => {
    const h = new EmbeddedHost({ id: 'h' });
    await h.createDomain({ configText: 'name = "g"\nmemory = 64\nvcpus = 2\n' });
    const v = await h.vcpuList('g');
    expect(v.map((x) => [x.name, x.vcpu, x.online])).toEqual([['g', 0, true], ['g', 1, true]]);
    expect(v[0]!.hardAffinity).toBe('all');
  });
});
