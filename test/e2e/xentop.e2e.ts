/**
 * xentop's curses screen in Domain-0's console tab, in Chromium's xterm: root logs in,
 * sets the tty's size to the xterm's (stty, as on any Xen console), runs `xentop`; the
 * summary, the heading and a row a domain are read off the screen; `q` quits and the
 * shell's screen and prompt come back.
 */
import { describe, expect, it } from 'vitest';
import { openConsole, xtermScreen } from './browser';

const ctx = openConsole(async (env) => {
  await env.server.lab.host('lab1').createDomain({ configText: 'name = "web1"\ntype = "pvh"\nkernel = "/boot/vmlinuz"\nmemory = 512\nvcpus = 2\n' });
});

describe("xentop in Domain-0's console tab", () => {
  it('draws its screen in the xterm and gives the prompt back on q', async () => {
    const { page } = ctx.env;
    await page.getByRole('link', { name: 'Consoles' }).click();
    await page.waitForURL(/\/consoles$/);
    await page.locator('[data-test=console-pick]').selectOption({ label: 'Domain-0 (domid 0)' });
    await page.getByRole('button', { name: 'Open console' }).click();
    await expect.poll(() => xtermScreen(page), { timeout: 15_000 }).toContain('lab1 login:');
    await page.locator('[role=tabpanel]:visible .xterm').first().click();
    await page.keyboard.type('root');
    await page.keyboard.press('Enter');
    await expect.poll(() => xtermScreen(page)).toContain('root@lab1:~#');
    const rows = (await xtermScreen(page)).split('\n').length;
    await page.keyboard.type(`stty rows ${rows} cols 200`);
    await page.keyboard.press('Enter');
    await page.keyboard.type('xentop');
    await page.keyboard.press('Enter');
    await expect.poll(() => xtermScreen(page), { timeout: 15_000 }).toMatch(/^xentop - \d\d:\d\d:\d\d {3}Xen 4\.17/);
    const screen = await xtermScreen(page);
    expect(screen).toMatch(/\n2 domains: \d+ running, \d+ blocked, 0 paused, 0 crashed, 0 dying, 0 shutdown\n/);
    expect(screen).toMatch(/\n +NAME +STATE +CPU\(sec\) CPU\(%\)/);
    expect(screen).toMatch(/\n +Domain-0 [-a-z]{6} /);
    expect(screen).toMatch(/\n +web1 [-a-z]{6} /);
    expect(screen).toContain('Delay  Networks  vBds  VCPUs  Repeat header  Sort order  Quit');
    await page.screenshot({ path: 'test/e2e/artifacts/xentop-dom0.png' });
    await page.keyboard.press('q');
    await expect.poll(() => xtermScreen(page)).toMatch(/root@lab1:~# xentop\nroot@lab1:~#$/m);
    expect(await xtermScreen(page)).not.toContain('Sort order');
  });
});
