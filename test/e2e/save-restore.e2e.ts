import { describe, expect, it } from 'vitest';
import { SECONDS } from '../../engine/hypervisor/clock';
import { EmbeddedHost } from '../../engine/toolstack/embedded-host';
import { openConsole, xtermScreen } from './browser';

const screen = xtermScreen;

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

  it('a restored guest resumes: its console shows no second boot and its shell answers at once, uptime going on', async () => {
    const { page } = c.env;
    const host = c.env.server.lab.host('lab1') as EmbeddedHost;
    const { domid } = await host.createDomain({ configText: 'name = "res1"\nmemory = 128\n' });
    const con = await host.console(domid!);
    let out = '';
    con.onData((d) => (out += new TextDecoder().decode(d)));
    for (let i = 0; i < 40 && !out.includes('res1 login: '); i++) {
      host.advanceClock(SECONDS(1));
      await new Promise((r) => setTimeout(r, 10));
    }
    con.write('root\r');
    await expect.poll(() => out).toContain('root@res1:~# ');
    con.write('echo before-the-save\r');
    await expect.poll(() => out).toContain('before-the-save\r\nroot@res1:~# ');
    con.close();

    await page.getByRole('link', { name: 'Domains' }).click();
    await page.getByRole('link', { name: 'res1' }).click();
    await page.waitForURL(new RegExp(`/domains/${domid}$`));
    await page.getByLabel('Save image name').fill('res1-img');
    await page.getByRole('button', { name: 'Save (xl save)' }).click();
    await page.waitForURL(/\/domains$/);
    await page.getByRole('link', { name: 'Hosts' }).click();
    await page.getByRole('link', { name: 'lab1' }).click();
    await page.waitForURL(/\/hosts\/lab1$/);
    await page.locator('[data-test=save-image-res1-img]').getByRole('button', { name: 'Restore', exact: true }).click();
    await expect.poll(() => page.locator('[data-test=restore-outcome]').textContent()).toMatch(/Restored res1 as domain (\d+)/);
    const back = await host.domain('res1');

    await page.getByRole('link', { name: 'Consoles' }).click();
    await page.waitForURL(/\/consoles$/);
    await page.locator('[data-test=console-pick]').selectOption({ label: `res1 (domid ${back.domid})` });
    await page.getByRole('button', { name: 'Open console' }).click();
    await expect.poll(() => page.locator('[data-test=console-tab-res1]').count()).toBe(1);
    await page.locator('[role=tabpanel]:visible .xterm').first().click();
    await page.keyboard.type('uptime');
    await page.keyboard.press('Enter');
    // the shell answers where it was: no firmware, kernel or login prompt in between
    await expect.poll(() => screen(page), { timeout: 15_000 }).toMatch(/up \d+ min[^]*root@res1:~#/);
    const text = await screen(page);
    expect(text).not.toMatch(/Linux version|login:/);
    // the screen starts at what was typed: the guest printed nothing when it resumed
    expect(text.split('\n')[0]).toBe('uptime');
    await page.screenshot({ path: 'test/e2e/artifacts/restore-resumed.png' });
  });

  it("the host's xenstore browser is live: a node written by a guest or dom0 shows without a refresh, also after kill -9 of xenstored", async () => {
    const { page } = c.env;
    const host = c.env.server.lab.host('lab1') as EmbeddedHost;
    const xsd = c.env.server.lab.xenstored('lab1')!;
    const { domid } = await host.createDomain({ configText: 'name = "live1"\nmemory = 32\n' });
    await page.getByRole('link', { name: 'Hosts' }).click();
    await page.getByRole('link', { name: 'lab1' }).click();
    await page.waitForURL(/\/hosts\/lab1$/);
    await page.getByLabel('xenstore path').fill(`/local/domain/${domid}`);
    await page.locator('[data-test=xenstore]').getByRole('button', { name: 'Go' }).click();
    await expect.poll(() => page.locator('[data-test=xenstore] tbody').textContent()).toContain('live1');
    expect(await page.locator('[data-test=xenstore] .live').textContent()).toContain('live');
    // the guest writes under its home over its own xenbus connection: no click, it shows
    const guest = host.xenstore.xenbus(domid!);
    await guest.write('data', '');
    await guest.write('data/greeting', 'hello-from-the-guest');
    await expect.poll(() => page.locator('[data-test=xenstore] tbody').textContent()).toContain('data/');
    guest.close();
    // after kill -9 the watch is registered again on the restarted daemon
    process.kill((await xsd.daemonPid())!, 'SIGKILL');
    // dom0's toolstack writes through its own (reconnecting) connection
    host.xenstore.write({ [`/local/domain/${domid}/after-kill`]: 'still-live' });
    await expect.poll(() => page.locator('[data-test=xenstore] tbody').textContent(), { timeout: 15_000 }).toContain('still-live');
    await page.screenshot({ path: 'test/e2e/artifacts/xenstore-live.png' });
  });
});
