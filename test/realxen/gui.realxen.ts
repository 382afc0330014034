// The GUI against the real Xen 4.17 host, as an administrator uses it: the served
// console in Chromium (test/e2e/browser.ts), "Add a real host…" with the harness's
// address, forwarded port, user and key, the trust-on-first-use fingerprint accepted
// after comparing it with the one the harness generated, then the host's `xl info`, its
// domains, a small PV guest made with the wizard, its console, pause / unpause and
// destroy. Screenshots go to test/e2e/artifacts/realxen-*.png.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2e, type E2eEnv } from '../e2e/browser';
import { DOMU_READY } from './domu-image';
import { fromEnv } from './env';

const env = fromEnv();
const HOST = 'xen';
const GUEST = 'xd-gui';
const ARTIFACTS = 'test/e2e/artifacts';
let e2e: E2eEnv;

async function screen(page: Page): Promise<string> {
  const rows = await page.locator('[role=tabpanel]:visible .xterm-rows > div').allTextContents();
  return rows.map((r) => r.replace(/\u00a0/g, ' ').trimEnd()).join('\n');
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${ARTIFACTS}/realxen-${name}.png` });
  console.log(`realxen gui: ${name}`);
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  e2e = await startE2e();
  await e2e.page.goto(e2e.server.url);
  await e2e.page.waitForURL(/\/dashboard$/);
});

afterAll(async () => {
  await e2e?.page.screenshot({ path: `${ARTIFACTS}/realxen-last.png` });
  // leave the host as it was, whatever happened above
  await e2e?.server.lab.host(HOST).destroy(GUEST).catch(() => undefined);
  await e2e?.close();
});

describe('the GUI managing a real Xen 4.17 host over SSH', () => {
  it('adds the host after showing its key fingerprint, and shows its xl info and domains', async () => {
    const { page } = e2e;
    await page.getByRole('link', { name: 'Hosts' }).click();
    await page.getByRole('button', { name: 'Add a real host…' }).click();
    await page.getByLabel('Address').fill(env.host);
    await page.getByLabel('SSH port').fill(String(env.port));
    await page.getByLabel('User').fill(env.user);
    await page.getByLabel('Name in XenDeck').fill(HOST);
    // first with a key dom0 does not know
    const stranger = join(env.scratch, 'gui-stranger-key');
    rmSync(stranger, { force: true });
    rmSync(`${stranger}.pub`, { force: true });
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', stranger]);
    await page.getByLabel('Private key file').fill(stranger);
    await page.getByRole('button', { name: 'Connect' }).click();
    // first contact: the host key is shown, nothing is trusted yet; it is the one the harness made
    const offer = page.getByText('The host presented a key XenDeck has not seen');
    await expect.poll(() => offer.textContent(), { timeout: 90_000 }).toContain(env.hostFingerprint);
    await shot(page, 'tofu');
    await page.getByRole('button', { name: 'Trust this key and add' }).click();
    // the key is trusted, the login is not: the dialog says so, with what to do
    const alert = page.locator('p.error[role=alert]');
    await expect.poll(() => alert.textContent(), { timeout: 90_000 }).toMatch(/EREMOTE.*refused authentication/);
    expect(await alert.textContent()).toContain('authorized_keys');
    await shot(page, 'auth-refused');
    await page.getByLabel('Private key file').fill(env.privateKeyPath);
    await page.getByRole('button', { name: 'Connect' }).click();
    // the key was pinned when it was trusted, so the right key just connects
    const row = page.locator(`tr[data-host="${HOST}"]`);
    await expect.poll(() => row.textContent(), { timeout: 90_000 }).toContain('online');
    expect(await row.textContent()).toContain('4.17');
    await shot(page, 'hosts');

    await row.getByRole('link').click();
    await page.waitForURL(new RegExp(`/hosts/${HOST}$`));
    const info = page.locator('[data-test=xl-info]');
    await expect.poll(() => info.textContent(), { timeout: 60_000 }).toMatch(/nr_cpus\s*:\s*2/);
    expect(await info.textContent()).toMatch(/xen_scheduler\s*:\s*credit2/);
    await shot(page, 'xl-info');

    await page.getByRole('link', { name: 'Domains' }).click();
    await expect.poll(() => page.locator('[role=row][data-domid="0"]').textContent(), { timeout: 60_000 }).toContain('Domain-0');
  });

  it('creates a PV guest with the wizard, reads its console, pauses, unpauses and destroys it', async () => {
    const { page } = e2e;
    const host = e2e.server.lab.host(HOST);
    await page.getByRole('button', { name: 'Create domain…' }).click();
    await page.waitForURL(/\/domains\/new$/);
    await page.getByText('PV Linux', { exact: true }).click();
    await page.getByLabel('Domain name').fill(GUEST);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('memory (MiB)').fill('128');
    await page.getByLabel('vcpus', { exact: true }).fill('1');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('kernel').fill(env.guestKernel);
    await page.getByLabel('ramdisk').fill(env.guestRamdisk);
    await page.getByLabel('cmdline').fill('console=hvc0 quiet');
    await page.getByRole('button', { name: 'Next' }).click();
    // the harness's dom0 has no disk images nor bridges: a kernel and ramdisk guest
    while ((await page.getByRole('button', { name: 'Remove' }).count()) > 0) await page.getByRole('button', { name: 'Remove' }).first().click();
    await page.getByRole('button', { name: 'Next' }).click();
    while ((await page.getByRole('button', { name: 'Remove' }).count()) > 0) await page.getByRole('button', { name: 'Remove' }).first().click();
    await page.getByRole('button', { name: 'Next' }).click();
    const cfg = await page.getByLabel('The exact xl.cfg').inputValue();
    expect(cfg).toContain(`name = "${GUEST}"`);
    expect(cfg).toContain(`kernel = "${env.guestKernel}"`);
    expect(cfg).not.toMatch(/^(disk|vif) *=/m);
    await shot(page, 'wizard');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const outcome = page.locator('[data-test=wizard-created], [data-test=wizard-error]');
    await expect.poll(() => outcome.count(), { timeout: 90_000 }).toBe(1);
    expect(await outcome.textContent()).toContain(`Created ${GUEST}`);
    const d = await host.domain(GUEST);
    expect(d).toMatchObject({ name: GUEST, type: 'pv', memoryMiB: 128 });
    await shot(page, 'created');

    // its console: the guest's ready line, then a shell
    await page.getByRole('button', { name: 'Open its console' }).click();
    await expect.poll(() => screen(page), { timeout: 120_000 }).toMatch(new RegExp(`${DOMU_READY}|xendeck-pv# `));
    await page.locator('[role=tabpanel]:visible .xterm').click();
    await page.keyboard.type('echo $((6*7))x\r');
    await expect.poll(() => screen(page), { timeout: 60_000 }).toContain('42x');
    await shot(page, 'console');

    // pause and unpause from the domain's page
    await page.getByRole('link', { name: 'Domains' }).click();
    await page.locator(`[role=row][data-domid="${d.domid}"] a`).click();
    await page.waitForURL(new RegExp(`/domains/${d.domid}$`));
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(async () => (await host.domain(GUEST)).state[2], { timeout: 30_000 }).toBe('p');
    await expect.poll(() => page.getByRole('button', { name: 'Unpause' }).count(), { timeout: 30_000 }).toBe(1);
    await shot(page, 'paused');
    await page.getByRole('button', { name: 'Unpause' }).click();
    await expect.poll(async () => (await host.domain(GUEST)).state[2], { timeout: 30_000 }).toBe('-');

    page.once('dialog', (dlg) => void dlg.accept());
    await page.getByRole('button', { name: 'Destroy' }).click();
    await expect.poll(async () => (await host.listDomains()).map((x) => x.name), { timeout: 30_000 }).toEqual(['Domain-0']);
    await page.getByRole('link', { name: 'Domains' }).click();
    await expect.poll(() => page.locator(`[role=row]:has-text("${GUEST}")`).count(), { timeout: 30_000 }).toBe(0);
    await shot(page, 'destroyed');
    expect(e2e.problems).toEqual([]);
  }, 300_000);
});
