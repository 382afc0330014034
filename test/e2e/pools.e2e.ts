import { describe, expect, it } from 'vitest';
import { openConsole } from './browser';

describe('pools and scheduler parameters', () => {
  const c = openConsole();

  it('frees two pCPUs, makes a credit pool of them, then changes a domain\'s weight and moves it there', async () => {
    const { page } = c.env;
    const host = c.env.server.lab.host('lab1');
    await host.createDomain({ configText: 'name = "db1"\nmemory = 256\nvcpus = 2\n' });
    await page.getByRole('link', { name: 'Hosts' }).click();
    await page.getByRole('link', { name: 'lab1' }).click();
    await page.waitForURL(/\/hosts\/lab1$/);
    await page.getByRole('button', { name: 'pCPU 6', exact: true }).click();
    await page.getByRole('button', { name: 'pCPU 7', exact: true }).click();
    await page.getByRole('button', { name: 'Free them' }).click();
    await expect.poll(() => page.locator('[data-test=host-message]').textContent()).toContain('removed from their pools');
    await page.getByRole('button', { name: 'pCPU 6', exact: true }).click();
    await page.getByRole('button', { name: 'pCPU 7', exact: true }).click();
    await page.getByLabel('New pool name').fill('cp-credit');
    await page.getByLabel('New pool scheduler').selectOption('credit');
    await page.getByRole('button', { name: /Create with the 2 selected/ }).click();
    await expect.poll(() => page.locator('[data-pool=cp-credit]').textContent()).toContain('credit');
    // the credit pool's global parameters: its time slice, then a rate limit above it is refused as Xen refuses it
    const ratelimitBefore = (await host.poolSched('cp-credit')).params.ratelimitUs;
    await page.getByLabel('tslice of cp-credit').fill('5');
    await page.getByLabel('tslice of cp-credit').press('Tab');
    await expect.poll(() => page.locator('[data-test=host-message]').textContent()).toContain('tslice of cp-credit set to 5 ms');
    expect((await host.poolSched('cp-credit')).params.tsliceMs).toBe(5);
    await page.getByLabel('ratelimit of cp-credit').fill('6000');
    await page.getByLabel('ratelimit of cp-credit').press('Tab');
    await expect.poll(() => page.locator('[data-test=host-message]').textContent()).toContain('Ratelimit cannot be greater than timeslice');
    expect((await host.poolSched('cp-credit')).params.ratelimitUs).toBe(ratelimitBefore);
    await expect.poll(() => page.getByLabel('ratelimit of cp-credit').inputValue()).toBe(String(ratelimitBefore));
    await page.screenshot({ path: 'test/e2e/artifacts/host.png' });
    // the xenstore browser: db1's layout as libxl writes it
    await page.getByLabel('xenstore path').fill('/local/domain/1');
    await page.locator('[data-test=xenstore]').getByRole('button', { name: 'Go' }).click();
    await expect.poll(() => page.locator('[data-test=xenstore] tbody').textContent()).toContain('db1');
    expect(await page.locator('[data-test=xenstore] .self').textContent()).toContain('(n0,r1)');
    // the host's xenstored is its own process: its socket is shown, and after kill -9 the
    // host service restarts it from its state directory and the browser still reads it
    const xsd = c.env.server.lab.xenstored('lab1')!;
    expect(await page.locator('[data-test=xenstored-path]').textContent()).toContain(`XENSTORED_PATH=${xsd.socketPath}`);
    process.kill((await xsd.daemonPid())!, 'SIGKILL');
    await page.getByLabel('xenstore path').fill('/local/domain/1/name');
    await page.locator('[data-test=xenstore]').getByRole('button', { name: 'Go' }).click();
    // xenstored is spawned again from its state directory first: give it more than the default second on a loaded machine
    await expect.poll(() => page.locator('[data-test=xenstore] .self').textContent(), { timeout: 15_000 }).toContain('= "db1"');
    expect(await page.locator('[data-test=cpu-policy]').textContent()).toContain('GenuineIntel family 6');
    expect(await page.locator('[data-test=xl-info]').textContent()).toContain('nr_cpus: 8');
    expect((await host.listCpupools()).map((p) => [p.name, p.cpus])).toEqual([['Pool-0', [0, 1, 2, 3, 4, 5]], ['cp-credit', [6, 7]]]);

    await page.getByRole('link', { name: 'Domains' }).click();
    await page.getByRole('link', { name: 'db1' }).click();
    await page.waitForURL(/\/domains\/1$/);
    await expect.poll(() => page.locator('[data-test=sched-card]').textContent()).toContain('credit2');
    await page.getByLabel('weight').fill('512');
    await page.getByRole('button', { name: /^Apply/ }).click();
    await expect.poll(() => page.locator('[data-test=detail-message]').textContent()).toContain('weight 512');
    expect((await host.domainSched('db1')).params.weight).toBe(512);
    await page.getByLabel('weight').fill('0');
    await page.getByRole('button', { name: /^Apply/ }).click();
    await expect.poll(() => page.locator('[data-test=detail-message]').textContent()).toContain('Cpu weight out of range');

    await page.getByLabel('CPU pool').selectOption('cp-credit');
    await page.getByRole('button', { name: /^Move/ }).click();
    await expect.poll(() => page.locator('[data-test=sched-card]').textContent()).toContain('Scheduler: credit (pool cp-credit)');
    expect((await host.domain('db1')).cpupool).toBe('cp-credit');
    expect(await page.locator('[data-test=domain-config]').textContent()).toContain('name = "db1"');
    await expect.poll(() => page.locator('[data-test=domain-charts] canvas').count()).toBe(3);
    await expect.poll(() => page.locator('[data-test=domain-charts] > p').textContent(), { timeout: 5000 }).toContain('% CPU');
    // pin every vCPU of db1 to pCPU 7 (hard) with the affinity editor, then a typo is named
    await page.getByLabel('Hard affinity').fill('7');
    await page.getByRole('button', { name: /^Pin/ }).click();
    await expect.poll(() => page.locator('[data-test=detail-message]').textContent()).toContain('pinned');
    expect((await host.vcpuList('db1')).map((v) => v.hardAffinity)).toEqual(['7', '7']);
    await page.getByLabel('Hard affinity').fill('0-99');
    await page.getByRole('button', { name: /^Pin/ }).click();
    await expect.poll(() => page.locator('[data-test=detail-message]').textContent()).toContain('pCPU 99 does not exist');
    await page.screenshot({ path: 'test/e2e/artifacts/domain.png' });
  });

});

describe('an RTDS pool', () => {
  const c = openConsole(async (w) => {
    const host = w.server.lab.host('lab1');
    await host.cpupoolRemoveCpus('Pool-0', [7]);
    await host.createCpupool('rt', 'rtds', [7]);
    await host.createDomain({ configText: 'name = "rt1"\nmemory = 128\nmaxmem = 256\nvcpus = 2\nmaxvcpus = 3\npool = "rt"\n' });
  });

  it("sets a domain's RTDS budget and period from its page", async () => {
    const { page } = c.env;
    await page.getByRole('link', { name: 'Domains' }).click();
    await page.getByRole('link', { name: 'rt1' }).click();
    await expect.poll(() => page.locator('[data-test=sched-card]').textContent()).toContain('Scheduler: rtds (pool rt)');
    await expect.poll(() => page.getByLabel('budget (µs)').inputValue()).toBe('4000');
    await page.getByLabel('budget (µs)').fill('2000');
    await page.getByLabel('period (µs)').fill('5000');
    // extratime off on every vCPU, then on again: xl sched-rtds -d rt1 -v all (the
    // per-vCPU set; Xen's domain-wide putinfo would leave extratime as it is)
    await page.getByLabel('extratime of every vCPU').uncheck();
    await page.getByRole('button', { name: /^Apply to every vCPU/ }).click();
    await expect.poll(() => page.locator('[data-test=detail-message]').textContent()).toContain('RTDS budget 2000 µs, period 5000 µs, extratime off');
    const s = await c.env.server.lab.host('lab1').domainSched('rt1');
    expect(s.vcpus?.map((v) => [v.budget, v.period, v.extratime])).toEqual([[2000, 5000, false], [2000, 5000, false], [2000, 5000, false]]);
    await page.getByLabel('extratime of every vCPU').check();
    await page.getByRole('button', { name: /^Apply to every vCPU/ }).click();
    await expect.poll(() => page.locator('[data-test=detail-message]').textContent()).toContain('extratime on');
    expect((await c.env.server.lab.host('lab1').domainSched('rt1')).vcpus?.every((v) => v.extratime)).toBe(true);
  });

  it('per-vCPU RTDS, the balloon target, online vCPUs, runstate bars and rename from its page', async () => {
    const { page } = c.env;
    const host = c.env.server.lab.host('lab1');
    await page.getByRole('link', { name: 'Domains' }).click();
    await page.getByRole('link', { name: 'rt1' }).click();
    await page.waitForURL(/\/domains\/1$/);
    // vCPU 1 alone: budget 1500 µs, no extratime (xl sched-rtds -d rt1 -v 1 -p 5000 -b 1500 -e 0)
    await expect.poll(() => page.locator('[data-test=rtds-vcpus] tbody tr').count()).toBe(3);
    await page.getByLabel('Budget of vCPU 1 (µs)').fill('1500');
    await page.getByLabel('Extratime of vCPU 1').uncheck();
    await page.getByRole('button', { name: /^Set vCPU 1/ }).click();
    await expect.poll(() => page.locator('[data-test=detail-message]').textContent()).toContain('vCPU 1: RTDS budget 1500 µs');
    const s = await host.domainSched('rt1');
    expect(s.vcpus?.map((v) => [v.budget, v.extratime])).toEqual([[2000, true], [1500, false], [2000, true]]);
    // a budget above the period is refused by name, and nothing changes
    await page.getByLabel('Budget of vCPU 0 (µs)').fill('9000');
    await page.getByRole('button', { name: /^Set vCPU 0/ }).click();
    await expect.poll(() => page.locator('[data-test=detail-message]').textContent()).toContain('budget must be smaller than or equal to period');
    expect((await host.domainSched('rt1')).vcpus?.[0]?.budget).toBe(2000);

    // the balloon: target 64 MiB, then back up to 200; the guest's balloon driver gets there
    await page.getByLabel('Memory target (MiB)').fill('64');
    await page.getByRole('button', { name: 'Set target (xl mem-set)' }).click();
    await expect.poll(() => page.locator('[data-test=memory-target]').textContent()).toBe('64 MiB');
    await expect.poll(() => page.locator('[data-test=memory-current]').textContent(), { timeout: 10_000 }).toBe('64 MiB');
    await expect.poll(() => page.locator('[data-test=balloon-status]').textContent()).toBe('at its target');
    expect((await host.domain('rt1')).memoryMiB).toBe(64);
    await page.getByLabel('Memory target (MiB)').fill('300');
    await page.getByRole('button', { name: 'Set target (xl mem-set)' }).click();
    await expect.poll(() => page.locator('[data-test=detail-message]').textContent()).toContain('memory_dynamic_max must be less than or equal to memory_static_max');
    await page.getByLabel('Memory target (MiB)').fill('200');
    await page.getByRole('button', { name: 'Set target (xl mem-set)' }).click();
    await expect.poll(() => page.locator('[data-test=memory-current]').textContent(), { timeout: 10_000 }).toBe('200 MiB');

    // online vCPUs: 2 -> 3 -> 1; the runstate bars show the offline ones
    await page.getByLabel('Online vCPUs').fill('1');
    await page.getByRole('button', { name: 'Set vCPUs (xl vcpu-set)' }).click();
    await expect.poll(() => page.locator('[data-test=detail-message]').textContent()).toContain('1 vCPU(s) online');
    expect((await host.domain('rt1')).onlineVcpus).toBe(1);
    await expect.poll(() => page.locator('[data-test=runstate-bars] [data-vcpu="2"]').getAttribute('aria-label'), { timeout: 5000 }).toContain('offline 100%');
    await page.screenshot({ path: 'test/e2e/artifacts/domain-ops.png' });

    // rename from the header, by keyboard
    await page.getByRole('button', { name: 'Rename…' }).click();
    await page.getByLabel('New domain name').fill('rt-renamed');
    await page.getByLabel('New domain name').press('Enter');
    await expect.poll(() => page.locator('h1').first().textContent()).toContain('rt-renamed');
    expect((await host.domain(1)).name).toBe('rt-renamed');
  });

  it('the host view shows the credit2 runqueues of Pool-0, read-only', async () => {
    const { page } = c.env;
    await page.getByRole('link', { name: 'Hosts' }).click();
    await page.getByRole('link', { name: 'lab1' }).click();
    await page.waitForURL(/\/hosts\/lab1$/);
    await expect.poll(() => page.locator('[data-test=credit2-runqueues]').textContent()).toContain('credit2_runqueue=socket');
    expect(await page.locator('[data-test=credit2-runqueues] [data-runqueue-pool=Pool-0] tbody tr').count()).toBeGreaterThan(0);
  });
});

describe('a two-node host split by NUMA node', () => {
  const c = openConsole(async (w) => {
    w.server.lab.addEmbedded({ id: 'numa', preset: 'haswell-ep-2s', seed: 1 });
  });

  it('makes Pool-node0 and Pool-node1 with one click (xl cpupool-numa-split)', async () => {
    const { page } = c.env;
    await page.getByRole('link', { name: 'Hosts' }).click();
    await page.getByRole('link', { name: 'numa' }).click();
    await page.waitForURL(/\/hosts\/numa$/);
    // xl info -n's numa_info, as a table: two nodes of 36 pCPUs and 128 GiB
    await expect.poll(() => page.locator('[data-test=numa-nodes] tbody tr').count()).toBe(2);
    const node1 = await page.locator('[data-test=numa-nodes] tbody tr').nth(1).textContent();
    expect(node1).toContain('36-71');
    expect(node1).toContain('131072');
    expect(node1).toContain('21,10');
    await page.locator('[data-test=numa-split]').click();
    await expect.poll(() => page.locator('[data-test=host-message]').textContent()).toContain('one pool per NUMA node');
    await expect.poll(() => page.locator('[data-pool=Pool-node1]').textContent()).toContain('credit2');
    expect((await c.env.server.lab.host('numa').listCpupools()).map((p) => [p.name, p.cpus.length])).toEqual([['Pool-node0', 36], ['Pool-node1', 36]]);
    expect(await page.locator('[data-test=numa-split]').isDisabled()).toBe(true);
  });
});
