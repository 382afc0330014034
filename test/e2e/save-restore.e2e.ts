import { describe, expect, it } from 'vitest';
import { EmbeddedHost } from '../../engine/toolstack/embedded-host';
import { openConsole } from './browser';

describe('save and restore from the GUI (xl save / xl restore)', () => {
  const c = openConsole();

  it('saves a domain from its page (it goes), lists the image on the host page and restores it byte for byte', async () => {
    const { page } = c.env;
    const host = c.env.server.lab.host('lab1') as EmbeddedHost;
    const { domid } = await host.createDomain({ configText: 'name = "keep1"\nmemory = 64\nvcpus = 2\n' });
    const fm = host.xen.hypercall({ op: 'privcmd.map_foreign', domid: domid! });
    const marker = new TextEncoder().encode('written before the save');
    fm.write(1234, 100, marker);
    const uuid = (await host.domain('keep1')).uuid;

    await page.getByRole('link', { name: 'Domains' }).click();
    await page.getByRole('link', { name: 'keep1' }).click();
    await page.waitForURL(new RegExp(`/domains/${domid}$`));
    await page.getByLabel('Save image name').fill('keep1-img');
    await page.getByRole('button', { name: 'Save (xl save)' }).click();
    await page.waitForURL(/\/domains$/);
    expect((await host.listDomains()).map((d) => d.name)).toEqual(['Domain-0']);

    await page.getByRole('link', { name: 'Hosts' }).click();
    await page.getByRole('link', { name: 'lab1' }).click();
    await page.waitForURL(/\/hosts\/lab1$/);
    await expect.poll(() => page.locator('[data-test=save-images]').textContent()).toContain('keep1-img.save');
    await page.screenshot({ path: 'test/e2e/artifacts/save-images.png' });
    await page.locator('[data-test=save-image-keep1-img]').getByRole('button', { name: 'Restore', exact: true }).click();
    await expect.poll(() => page.locator('[data-test=restore-outcome]').textContent()).toMatch(/Restored keep1 as domain \d+: 16384 pages, \d+ with data/);
    // the page the test wrote, and the guest kernel's image (text, rodata, IDT, task list: docs/guest-kernel-layout.md)
    expect(Number(/(\d+) with data/.exec((await page.locator('[data-test=restore-outcome]').textContent()) ?? '')?.[1])).toBeGreaterThan(1);

    const back = await host.domain('keep1');
    expect(back.uuid).toBe(uuid);
    expect(back.onlineVcpus).toBe(2);
    const fr = host.xen.hypercall({ op: 'privcmd.map_foreign', domid: back.domid });
    expect(new TextDecoder().decode(fr.read(1234, 100, marker.length))).toBe('written before the save');
  });

  it('a bad name is refused in the form; a restore of a damaged image says why and makes nothing', async () => {
    const { page } = c.env;
    const host = c.env.server.lab.host('lab1') as EmbeddedHost;
    const { domid } = await host.createDomain({ configText: 'name = "keep2"\nmemory = 32\n' });
    await page.getByRole('link', { name: 'Domains' }).click();
    await page.getByRole('link', { name: 'keep2' }).click();
    await page.waitForURL(new RegExp(`/domains/${domid}$`));
    await page.getByLabel('Save image name').fill('../escape');
    await page.getByRole('button', { name: 'Save (xl save)' }).click();
    await expect.poll(() => page.locator('[data-test=save-outcome]').textContent()).toContain('A save name is 1-64 letters');
    expect((await host.domain('keep2')).name).toBe('keep2');
  });
});
