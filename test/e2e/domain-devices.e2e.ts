/**
 * The Devices card of a domain's page: the disks and vifs of its config with their
 * xenbus state, as `xl block-list` / `xl network-list` show them.
 */
import { describe, expect, it } from 'vitest';
import { openConsole } from './browser';

const CFG = `name = "files1"
type = "pvh"
kernel = "/boot/vmlinuz"
memory = 128
disk = [ 'phy:/dev/vg/files1,xvda,w', '/isos/tools.iso,,xvdc,cdrom' ]
vif = [ 'mac=00:16:3e:0a:0b:0c,bridge=xenbr1' ]
`;

describe('a domain page shows its devices', () => {
  const c = openConsole(async (w) => {
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
});
