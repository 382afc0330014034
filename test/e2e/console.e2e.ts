/**
 * Guest consoles in Chromium: a domain's console opens in the Consoles view in xterm,
 * the guest boots to its login prompt (the served lab paces the simulated clock to wall
 * time), root logs in, `uname -a` is typed and its answer is read off the xterm screen;
 * a second console opens in another tab, and the first shows its history when reopened.
 * The cursor is steady (no blink animation).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startE2e, type E2eEnv } from './browser';

let env: E2eEnv;
beforeAll(async () => {
  env = await startE2e();
});
afterAll(async () => {
  await env?.close();
});

/** The text on the visible xterm screen, row by row. */
async function screen(page: Page): Promise<string> {
  const rows = await page.locator('[role=tabpanel]:visible .xterm-rows > div').allTextContents();
  return rows.map((r) => r.replace(/\u00a0/g, ' ').trimEnd()).join('\n');
}

describe('guest consoles in Chromium', () => {
  it('opens a domain console, logs in and runs uname -a', async () => {
    const { page } = env;
    const host = env.server.lab.host('lab1');
    await host.createDomain({ configText: 'name = "web1"\ntype = "pvh"\nkernel = "/boot/vmlinuz"\nmemory = 512\nvcpus = 2\n' });
    await page.goto(env.server.url);
    await page.getByRole('link', { name: 'Consoles' }).click();
    await page.waitForURL(/\/consoles$/);
    // the placeholder, Domain-0 (the hypervisor console) and web1
    await expect.poll(() => page.locator('[data-test=console-pick] option').count()).toBe(3);
    await page.locator('[data-test=console-pick]').selectOption({ label: 'web1 (domid 1)' });
    await page.getByRole('button', { name: 'Open console' }).click();
    await expect.poll(() => page.locator('[data-test=console-tab-web1]').count()).toBe(1);
    await expect.poll(() => screen(page), { timeout: 15_000 }).toContain('web1 login:');
    expect(await screen(page)).toContain('Hypervisor detected: Xen PVH');

    await page.locator('[role=tabpanel] .xterm').first().click();
    await page.keyboard.type('root');
    await page.keyboard.press('Enter');
    await expect.poll(() => screen(page)).toContain('root@web1:~#');
    await page.keyboard.type('uname -a');
    await page.keyboard.press('Enter');
    await expect.poll(() => screen(page)).toContain('Linux web1 6.1.0-56-cloud-amd64 #1 SMP PREEMPT_DYNAMIC');
    await page.screenshot({ path: 'test/e2e/artifacts/console.png' });

    // a steady cursor: no blink animation keeps Chromium rendering every frame (echo latency)
    expect(await page.locator('[role=tabpanel]:visible .xterm-rows .xterm-cursor').count()).toBe(1);
    expect(await page.locator('[role=tabpanel]:visible .xterm-cursor-blink').count()).toBe(0);
  });

  it('keeps several consoles in tabs and shows the history when one is reopened', async () => {
    const { page } = env;
    await env.server.lab.host('lab1').createDomain({ configText: 'name = "db1"\ntype = "hvm"\nmemory = 512\n' });
    await expect.poll(() => page.locator('[data-test=console-pick] option').count()).toBe(4);
    await page.locator('[data-test=console-pick]').selectOption({ label: 'db1 (domid 2)' });
    await page.getByRole('button', { name: 'Open console' }).click();
    await expect.poll(() => screen(page), { timeout: 15_000 }).toContain('db1 login:');
    expect(await screen(page)).toContain('Debian GNU/Linux 12 db1 ttyS0');

    await page.getByRole('button', { name: 'Close web1' }).click();
    await expect.poll(() => page.locator('[data-test=console-tab-web1]').count()).toBe(0);
    await page.locator('[data-test=console-pick]').selectOption({ label: 'web1 (domid 1)' });
    await page.getByRole('button', { name: 'Open console' }).click();
    await expect.poll(() => screen(page)).toContain('Linux web1 6.1.0-56-cloud-amd64 #1 SMP PREEMPT_DYNAMIC');
    expect(await page.locator('[role=tab]').count()).toBe(2);
  });

  it("opens a console from a domain row's Console action", async () => {
    const { page } = env;
    await page.getByRole('link', { name: 'Domains' }).click();
    const row = page.locator('[role=row][data-domid="2"]');
    await expect.poll(() => row.textContent()).toContain('db1');
    await row.hover();
    await row.getByRole('button', { name: 'Console' }).click();
    await page.waitForURL(/\/consoles$/);
    await expect.poll(() => page.locator('[role=tab][aria-selected=true]').textContent()).toContain('db1');
    await expect.poll(() => screen(page)).toContain('db1 login:');
  });

  it('saw no console error and no CSP violation', () => {
    expect(env.problems).toEqual([]);
  });

  it("opens Domain-0's console: the hypervisor console, with Xen's boot lines, and xl run in it", async () => {
    const { page } = env;
    await page.goto(env.server.url);
    await page.getByRole('link', { name: 'Consoles' }).click();
    await page.waitForURL(/\/consoles$/);
    await page.locator('[data-test=console-pick]').selectOption({ label: 'Domain-0 (domid 0)' });
    await page.getByRole('button', { name: 'Open console' }).click();
    await expect.poll(() => page.locator('[data-test=console-tab-Domain-0]').count()).toBe(1);
    await expect.poll(() => screen(page), { timeout: 15_000 }).toContain('(XEN) ');
    // dom0's tty is on the same line: getty, root's login, the same shell as a domU's
    await expect.poll(() => screen(page)).toContain('lab1 login:');
    await page.locator('[role=tabpanel]:visible .xterm').first().click();
    await page.keyboard.type('root');
    await page.keyboard.press('Enter');
    await expect.poll(() => screen(page)).toContain('root@lab1:~#');
    await page.keyboard.type('cat /proc/xen/capabilities');
    await page.keyboard.press('Enter');
    await expect.poll(() => screen(page)).toMatch(/cat \/proc\/xen\/capabilities\ncontrol_d\nroot@lab1:~#/);
    // Ctrl-C interrupts a running command in the tab
    await page.keyboard.type('sleep 100');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Control+c');
    await expect.poll(() => screen(page)).toMatch(/sleep 100\n\^C\nroot@lab1:~#/);
    // Xen's tools in Domain-0: XenDeck's own xl against this host, and what it does is real
    await page.keyboard.type('xl list');
    await page.keyboard.press('Enter');
    await expect.poll(() => screen(page)).toMatch(/xl list\nName +ID +Mem VCPUs +State +Time\(s\)\nDomain-0 +0 /);
    await expect.poll(() => screen(page)).toMatch(/\nweb1 +\d+ +\d+ +\d+ +[-r][-b]---- /);
    for (const cmd of ['xl pause web1', 'xl list web1', 'echo status=$?']) {
      await page.keyboard.type(cmd);
      await page.keyboard.press('Enter');
    }
    await expect.poll(() => screen(page)).toMatch(/\nweb1 +\d+ +\d+ +\d+ +[-r][-b]p--- +[\d.]+\nroot@lab1:~# echo status=\$\?\nstatus=0\n/);
    expect((await env.server.lab.host('lab1').domain('web1')).state[2]).toBe('p');
    await page.keyboard.type('xl unpause web1');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await env.server.lab.host('lab1').domain('web1')).state[2]).toBe('-');
    await page.screenshot({ path: 'test/e2e/artifacts/console-dom0.png' });
  });
});
