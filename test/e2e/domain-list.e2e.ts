import { describe, expect, it } from 'vitest';
import { openConsole } from './browser';

describe('the domain list at work: sorting, bulk actions, keyboard, command palette', () => {
  const c = openConsole(async (w) => {
    const host = w.server.lab.host('lab1');
    for (const [name, mem] of [['alpha', 128], ['bravo', 512], ['charlie', 256]] as const) await host.createDomain({ configText: `name = "${name}"\nmemory = ${mem}\n` });
  });

  it('shows the pCPU heat map on the dashboard', async () => {
    await expect.poll(() => c.env.page.locator('[data-test=heat-map] canvas').count()).toBe(1);
    expect(await c.env.page.locator('[data-test=heat-map] figcaption').textContent()).toContain('8 pCPUs');
  });

  it('sorts by memory, pauses a selection in bulk, and opens a domain from the keyboard', async () => {
    const { page } = c.env;
    await page.getByRole('link', { name: 'Domains' }).click();
    await expect.poll(() => page.locator('[data-test=domain-count]').textContent()).toBe('4 of 4');
    await page.getByRole('columnheader', { name: 'Mem (MiB)' }).click();
    const names = async (): Promise<string[]> => page.locator('.body [role=row] .name').allTextContents();
    await expect.poll(names).toEqual(['Domain-0', 'bravo', 'charlie', 'alpha']);

    await page.getByLabel('Select all shown domains').check();
    await expect.poll(() => page.locator('[data-test=bulk-bar]').textContent()).toContain('3 selected');
    await page.locator('[data-test=bulk-bar]').getByRole('button', { name: 'Pause', exact: true }).click();
    const host = c.env.server.lab.host('lab1');
    await expect.poll(async () => (await host.listDomains()).filter((d) => d.state[2] === 'p').map((d) => d.name).sort()).toEqual(['alpha', 'bravo', 'charlie']);

    await page.locator('.body[tabindex="0"]').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/domains\/2$/);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain('bravo');
  });

  it('runs an action from the command palette (Ctrl+K)', async () => {
    const { page } = c.env;
    await page.keyboard.press('Control+k');
    await expect.poll(() => page.getByRole('dialog', { name: 'Command palette' }).count()).toBe(1);
    await page.getByLabel('Command', { exact: true }).fill('unpause alpha');
    // the palette offers Unpause once the bulk pause has reached this window's store
    await expect.poll(() => page.getByRole('dialog', { name: 'Command palette' }).getByRole('option').first().textContent(), { timeout: 5000 }).toContain('Unpause alpha');
    await page.keyboard.press('Enter');
    const host = c.env.server.lab.host('lab1');
    await expect.poll(async () => (await host.domain('alpha')).state[2]).toBe('-');
    await page.keyboard.press('Control+k');
    await expect.poll(() => page.getByRole('dialog', { name: 'Command palette' }).count()).toBe(1);
    await page.getByLabel('Command', { exact: true }).fill('Create a domain');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/domains\/new$/);
  });

  it('lists the events it saw, and a failure comes as a notification with its code', async () => {
    const { page } = c.env;
    await page.getByRole('link', { name: 'Domains' }).click();
    await page.locator('[role=row][data-domid="2"]').hover();
    await page.locator('[role=row][data-domid="2"]').getByRole('button', { name: 'Unpause' }).click();
    await expect.poll(() => page.locator('[role=row][data-domid="2"]').textContent()).toContain('Pause');
    await page.locator('[role=row][data-domid="3"]').getByLabel('Select charlie').check();
    await page.locator('[data-test=bulk-bar]').getByRole('button', { name: 'Unpause', exact: true }).click();
    await page.locator('[data-test=bulk-bar]').getByRole('button', { name: 'Unpause', exact: true }).click();
    await expect.poll(() => page.locator('[data-test=notification]').first().textContent()).toContain('1 failed');
    await page.getByRole('link', { name: 'Events' }).click();
    await page.getByLabel('Filter events').fill('bravo');
    await expect.poll(() => page.locator('tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('tbody').textContent()).toContain('bravo (domid 2) is now');
    await page.screenshot({ path: 'test/e2e/artifacts/events.png' });
  });

});
