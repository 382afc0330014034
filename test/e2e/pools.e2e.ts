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
    await expect.poll(() => page.locator('[data-test=xenstore] .self').textContent()).toContain('= "db1"');
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
    await host.createDomain({ configText: 'name = "rt1"\nmemory = 128\npool = "rt"\n' });
  });

  it("sets a domain's RTDS budget and period from its page", async () => {
    const { page } = c.env;
    await page.getByRole('link', { name: 'Domains' }).click();
    await page.getByRole('link', { name: 'rt1' }).click();
    await expect.poll(() => page.locator('[data-test=sched-card]').textContent()).toContain('Scheduler: rtds (pool rt)');
    await expect.poll(() => page.getByLabel('budget (µs)').inputValue()).toBe('4000');
    await page.getByLabel('budget (µs)').fill('2000');
    await page.getByLabel('period (µs)').fill('5000');
    await page.getByRole('button', { name: /^Apply to every vCPU/ }).click();
    await expect.poll(() => page.locator('[data-test=detail-message]').textContent()).toContain('RTDS budget 2000 µs, period 5000 µs');
    const s = await c.env.server.lab.host('lab1').domainSched('rt1');
    expect(s.vcpus?.[0]).toMatchObject({ budget: 2000, period: 5000 });
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
