/**
 * The Devices card of a domain's page: the disks and vifs of its config with their
 * xenbus state, as `xl block-list` / `xl network-list` show them.
 */
import { mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openConsole } from './browser';
import { makeImages } from '../../main/services/disk-images';

const CFG = `name = "files1"
type = "pvh"
kernel = "/boot/vmlinuz"
memory = 128
disk = [ 'phy:/dev/vg/files1,xvda,w', '/isos/tools.iso,,xvdc,cdrom' ]
vif = [ 'mac=00:16:3e:0a:0b:0c,bridge=xenbr1' ]
`;

describe('a domain page shows its devices', () => {
  const c = openConsole(async (w) => {
    // the LV and the ISO in dom0's filesystem (the lab folder): libxl stat()s each target
    makeImages(w.server.lab.folder!, [
      { path: '/dev/vg/files1', sizeMiB: 64 },
      { path: '/isos/tools.iso', sizeMiB: 8 },
    ]);
    await w.server.lab.host('lab1').createDomain({ configText: CFG, file: 'files1.cfg' });
  });

  it('lists the vbds by vdev and device number and the vif with its MAC and bridge', async () => {
    const { page } = c.env;
    await page.goto(c.env.server.url.replace(/\/\?token=.*$/, '/domains/1'));
    const disks = page.locator('[data-test=disk-table] tbody tr');
    await expect.poll(() => disks.count(), { timeout: 10_000 }).toBe(2);
    const first = (await disks.nth(0).textContent()) ?? '';
    expect(first).toContain('xvda');
    expect(first).toContain('51712');
    expect(first).toContain('/dev/vg/files1');
    expect(first).toContain('read-write');
    const cd = (await disks.nth(1).textContent()) ?? '';
    expect(cd).toContain('cdrom');
    expect(cd).toContain('51744');
    expect(cd).toContain('read-only');
    const nic = (await page.locator('[data-test=nic-table] tbody tr').first().textContent()) ?? '';
    expect(nic).toContain('00:16:3e:0a:0b:0c');
    expect(nic).toContain('xenbr1');
    await page.locator('[data-test=domain-devices]').scrollIntoViewIfNeeded();
    await page.locator('[data-test=domain-devices]').screenshot({ path: 'test/e2e/artifacts/domain-devices.png' });
  });

  it('attaches a disk and a NIC from the card (xl block-attach / network-attach), the guest connects them, and detaches them', async () => {
    const { page } = c.env;
    await page.goto(c.env.server.url.replace(/\/\?token=.*$/, '/domains/1'));
    const disks = page.locator('[data-test=disk-table] tbody tr');
    await expect.poll(() => disks.count(), { timeout: 10_000 }).toBe(2);
    // the LV in dom0: a file in the lab folder (engine/toolstack/block-devices.ts)
    const lv = join(c.env.server.lab.folder!, 'dev/vg/scratch');
    mkdirSync(dirname(lv), { recursive: true });
    writeFileSync(lv, '');
    truncateSync(lv, 4 * 1024 ** 3);
    await page.locator('[data-test=disk-spec]').fill('phy:/dev/vg/scratch,xvdb,w');
    await page.locator('[data-test=attach-disk]').click();
    await expect.poll(() => disks.count(), { timeout: 10_000 }).toBe(3);
    const row = disks.filter({ hasText: 'xvdb' });
    expect((await row.textContent()) ?? '').toContain('/dev/vg/scratch');
    // the running guest's frontend picks the new vbd up and connects it
    await expect
      .poll(
        async () => {
          await page.locator('[data-test=domain-devices] button', { hasText: 'Refresh' }).click();
          return (await row.textContent()) ?? '';
        },
        { timeout: 30_000 },
      )
      .toContain('Connected');
    await page.locator('[data-test=attach-nic]').click();
    const nics = page.locator('[data-test=nic-table] tbody tr');
    await expect.poll(() => nics.count(), { timeout: 10_000 }).toBe(2);
    await page.locator('[data-test=domain-devices]').scrollIntoViewIfNeeded();
    await page.locator('[data-test=domain-devices]').screenshot({ path: 'test/e2e/artifacts/domain-devices-attached.png' });
    await page.locator('[data-test=detach-disk-xvdb]').click();
    await expect.poll(() => disks.count(), { timeout: 15_000 }).toBe(2);
    await page.locator('[data-test=detach-nic-1]').click();
    await expect.poll(() => nics.count(), { timeout: 15_000 }).toBe(1);
    // a vdev in use is refused with libxl's words
    await page.locator('[data-test=disk-spec]').fill('phy:/dev/vg/other,xvda,w');
    await page.locator('[data-test=attach-disk]').click();
    await expect.poll(async () => (await page.locator('[data-test=device-error]').textContent()) ?? '', { timeout: 10_000 }).toContain('device already exists in xenstore');
  });
});
