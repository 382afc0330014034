import { describe, expect, it } from 'vitest';
import { openConsole } from './browser';

describe('a second, simulated host', () => {
  const c = openConsole();

  it('boots a Haswell-EP host from its preset and switches the views to it', async () => {
    const { page } = c.env;
    await page.getByRole('link', { name: 'Hosts' }).click();
    await page.getByRole('button', { name: 'Add a simulated host…' }).click();
    await page.getByLabel('Host name').fill('lab2');
    await page.getByLabel('Hardware preset').selectOption('haswell-ep-2s');
    await page.getByRole('button', { name: 'Boot it' }).click();
    await expect.poll(() => page.locator('[data-host=lab2]').textContent()).toContain('72');
    await page.getByLabel('Current host').selectOption('lab2');
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await expect.poll(() => page.locator('[data-test=heat-map] figcaption').textContent()).toContain('72 pCPUs');
    expect((await c.env.server.lab.list()).map((h) => h.id)).toEqual(['lab1', 'lab2']);
  });


  it('refuses a custom topology the hardware could not have, then boots one it could', async () => {
    const { page } = c.env;
    await page.getByRole('link', { name: 'Hosts' }).click();
    await page.getByRole('button', { name: 'Add a simulated host…' }).click();
    await page.getByLabel('Host name').fill('lab3');
    await page.getByText('custom topology').click();
    await page.getByLabel('Sockets').fill('4');
    await page.getByLabel('Cores per socket').fill('40');
    await page.getByLabel('Threads per core').fill('2');
    await page.getByRole('button', { name: 'Boot it' }).click();
    await expect.poll(() => page.locator('[data-test=notification]').first().textContent()).toContain('x2APIC');
    await page.getByText('x2APIC (needed above 255 pCPUs)').click();
    await page.getByRole('button', { name: 'Boot it' }).click();
    await expect.poll(() => page.locator('[data-host=lab3]').textContent()).toContain('320');
  });
});
