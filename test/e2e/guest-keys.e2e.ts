/**
 * Guest keys from the domain page: `xl trigger nmi` shows on the guest's kernel log, and
 * `xl sysrq c` crashes its kernel (on_crash="preserve" keeps it, crashed).
 */
import { describe, expect, it } from 'vitest';
import type { EmbeddedHost } from '../../engine/toolstack/embedded-host';
import { openConsole } from './browser';

describe('guest keys from the GUI (xl sysrq, xl trigger)', () => {
  const c = openConsole();

  it('sends an NMI, then SysRq c, and the domain shows crashed', async () => {
    const { page } = c.env;
    const host = c.env.server.lab.host('lab1') as EmbeddedHost;
    const { domid } = await host.createDomain({ configText: 'name = "keys1"\nmemory = 64\non_crash = "preserve"\n' });
    await page.goto(c.env.server.url.replace(/\/\?token=.*$/, `/domains/${domid}`));
    // the kernel takes keys once it is up
    await expect.poll(() => host.guestOf(domid!)?.state, { timeout: 30_000 }).not.toBe('booting');
    await page.getByLabel('Trigger').selectOption('nmi');
    await page.locator('[data-test=send-trigger]').click();
    await expect.poll(() => page.locator('[data-test=guest-keys-outcome]').textContent()).toBe('Sent trigger nmi');
    await page.getByLabel('SysRq key').selectOption('c');
    await page.locator('[data-test=send-sysrq]').click();
    await expect.poll(async () => (await host.domain(domid!)).shutdownReason, { timeout: 10_000 }).toBe('crash');
    await expect.poll(() => page.locator('body').textContent(), { timeout: 10_000 }).toContain('crash');
    await page.locator('[data-test=guest-keys-card]').screenshot({ path: 'test/e2e/artifacts/guest-keys.png' });
    // a PV guest has no ACPI power button: libxl's refusal is shown
    await page.getByLabel('Trigger').selectOption('power');
    await page.locator('[data-test=send-trigger]').click();
    await expect.poll(() => page.locator('[data-test=guest-keys-outcome]').textContent()).toContain("Send trigger 'power' failed");
  });
});
