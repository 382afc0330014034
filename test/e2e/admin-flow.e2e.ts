/**
 * One administrator's session end to end (issue 8): create a domain with the wizard, see
 * it running in the list, open its console, change its weight, move it to another CPU
 * pool, shut it down from the console, and see it gone.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openConsole } from './browser';

async function screen(page: Page): Promise<string> {
  const rows = await page.locator('[role=tabpanel]:visible .xterm-rows > div').allTextContents();
  return rows.map((r) => r.replace(/\u00a0/g, ' ').trimEnd()).join('\n');
}

describe('an administrator from wizard to shutdown', () => {
  const c = openConsole(async (w) => {
    const host = w.server.lab.host('lab1');
    await host.cpupoolRemoveCpus('Pool-0', [6, 7]);
    await host.createCpupool('batch', 'credit', [6, 7]);
  });

  it('creates app1 with the wizard, works with it and shuts it down', async () => {
    const { page } = c.env;
    const host = c.env.server.lab.host('lab1');
    await page.getByRole('link', { name: 'Domains' }).click();
    await page.getByRole('button', { name: 'Create domain…' }).click();
    await page.getByText('A PVH guest:').click();
    await page.getByLabel('Domain name').fill('app1');
    await expect.poll(() => page.locator('[data-test=wizard-ok]').textContent()).toContain('PVH domain app1');
    for (let i = 0; i < 5; i++) await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await expect.poll(() => page.locator('[data-test=wizard-created]').textContent()).toContain('Created app1');

    // running (its guest boots on the paced clock): r or b in xl's State column
    await page.getByRole('button', { name: 'Show it in the list' }).click();
    const row = page.locator('[role=row][data-domid="1"]');
    await expect.poll(() => row.textContent(), { timeout: 15_000 }).toMatch(/running|blocked/);

    // its console: the login prompt
    await page.goto(c.env.server.url.replace(/\/\?token=.*$/, '/consoles?host=lab1&domid=1'));
    await expect.poll(() => screen(page), { timeout: 20_000 }).toContain('app1 login:');

    // weight, then the pool
    await page.goto(c.env.server.url.replace(/\/\?token=.*$/, '/domains/1'));
    await page.getByLabel('weight').fill('768');
    await page.getByRole('button', { name: /^Apply/ }).click();
    await expect.poll(async () => (await host.domainSched('app1')).params.weight).toBe(768);
    await page.getByLabel('CPU pool').selectOption('batch');
    await page.getByRole('button', { name: /^Move/ }).click();
    await expect.poll(async () => (await host.domain('app1')).cpupool).toBe('batch');

    // shut it down: the guest answers, on_poweroff=destroy removes it
    await page.getByRole('button', { name: 'Shutdown' }).click();
    await expect.poll(async () => (await host.listDomains()).map((d) => d.name), { timeout: 15_000 }).toEqual(['Domain-0']);
    await page.getByRole('link', { name: 'Domains' }).click();
    await expect.poll(() => page.locator('[data-test=domain-count]').textContent()).toBe('1 of 1');
  });
});
