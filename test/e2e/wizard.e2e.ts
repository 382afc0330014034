import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openConsole } from './browser';

describe('the creation wizard', () => {
  const c = openConsole();

  it('builds an xl.cfg step by step, shows the toolstack verdict live, creates the domain', async () => {
    const { page } = c.env;
    await page.getByRole('link', { name: 'Domains' }).click();
    await page.getByRole('button', { name: 'Create domain…' }).click();
    await page.waitForURL(/\/domains\/new$/);
    await page.getByText('PV Linux', { exact: true }).click();
    await page.getByLabel('Domain name').fill('web2');
    await expect.poll(() => page.locator('[data-test=wizard-ok]').textContent()).toContain('PV domain web2');

    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('vcpus', { exact: true }).fill('4');
    await page.getByLabel('maxvcpus').fill('2');
    await expect.poll(() => page.locator('[data-test=wizard-error]').textContent()).toContain('xl: maxvcpus < vcpus');
    await page.getByLabel('maxvcpus').fill('8');
    await expect.poll(() => page.locator('[data-test=wizard-ok]').textContent()).toContain('4 of 8 vCPUs online');
    await page.screenshot({ path: 'test/e2e/artifacts/wizard.png' });

    for (let i = 0; i < 4; i++) await page.getByRole('button', { name: 'Next' }).click();
    const cfg = await page.getByLabel('The exact xl.cfg').inputValue();
    expect(cfg).toContain('name = "web2"');
    expect(cfg).toContain('maxvcpus = 8');
    expect(cfg).toContain("disk = [ \"format=raw, vdev=xvda, access=rw, target=/var/lib/xen/images/web2.img\" ]");
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await expect.poll(() => page.locator('[data-test=wizard-created]').textContent()).toContain('Created web2');

    await page.getByRole('button', { name: 'Show it in the list' }).click();
    await expect.poll(() => page.locator('[role=row][data-domid="1"]').textContent()).toContain('web2');
    const d = await c.env.server.lab.host('lab1').domain('web2');
    expect(d).toMatchObject({ type: 'pv', maxVcpus: 8, memoryMiB: 1024 });
    // the PV template's "new image": a sparse 10 GiB raw file in dom0's filesystem (the lab
    // folder), which blkback finds, so the guest's vbd comes up Connected
    const image = statSync(join(c.env.server.lab.folder!, 'var/lib/xen/images/web2.img'));
    expect(image.size).toBe(10 * 1024 ** 3);
    expect(image.blocks * 512).toBeLessThan(1024 ** 2);
    await expect.poll(async () => (await c.env.server.lab.host('lab1').domainDevices('web2')).disks[0]?.state, { timeout: 30_000 }).toBe(4);
  });

});
