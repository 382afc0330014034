/** xl block-attach / block-detach / network-attach / network-detach over a lab (xl_block.c, xl_nic.c). */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { newLab, writeGuestConfig, xl } from './xl-harness';

describe('xl block-attach / block-detach / network-attach / network-detach', () => {
  it('attaches a disk and a vif (listed, kept across runs by the lab journal), and detaches them', async () => {
    const lab = newLab();
    const cfg = writeGuestConfig(lab, 'g1');
    expect((await xl(lab, 'create', cfg)).code).toBe(0);
    expect(await xl(lab, 'block-attach', 'g1', 'phy:/dev/vg/data,xvdb,w')).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await xl(lab, 'network-attach', 'g1', 'bridge=xenbr0', 'mac=00:16:3e:0a:0b:0c')).toEqual({ code: 0, stdout: '', stderr: '' });
    // a later run (the journal replayed) still has them; the guest has not booted, so state 1
    expect((await xl(lab, 'block-list', 'g1')).stdout).toBe(
      'Vdev  BE  handle state evt-ch ring-ref BE-path                       \n' + '51728 0   1      1     -1     -1       /local/domain/0/backend/vbd/1/51728\n',
    );
    expect((await xl(lab, 'network-list', 'g1')).stdout).toContain('0   0  00:16:3e:0a:0b:0c     0     1');
    // xl does not write hot-plugged devices into the config file
    expect(readFileSync(cfg, 'utf8')).not.toContain('xvdb');
    expect(await xl(lab, 'block-detach', 'g1', 'xvdb')).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await xl(lab, 'network-detach', 'g1', '00:16:3e:0a:0b:0c')).toEqual({ code: 0, stdout: '', stderr: '' });
    expect((await xl(lab, 'block-list', 'g1')).stdout.split('\n').length).toBe(2);
    expect((await xl(lab, 'network-list', 'g1')).stdout.split('\n').length).toBe(2);
  });

  it('says what xl says when a device is missing, in use, or the spec is bad', async () => {
    const lab = newLab();
    await xl(lab, 'create', writeGuestConfig(lab, 'g1'));
    expect(await xl(lab, 'block-attach', 'nosuch', 'phy:/dev/vg/a,xvdb,w')).toEqual({ code: 1, stdout: '', stderr: 'nosuch is an invalid domain identifier\n' });
    expect(await xl(lab, 'block-detach', 'g1', 'xvdz')).toEqual({ code: 1, stdout: '', stderr: 'Error: Device xvdz not connected.\n' });
    expect(await xl(lab, 'network-detach', 'g1', '3')).toEqual({ code: 1, stdout: '', stderr: 'Unknown device 3.\n' });
    await xl(lab, 'block-attach', 'g1', 'phy:/dev/vg/a,xvdb,w');
    expect(await xl(lab, 'block-attach', 'g1', 'phy:/dev/vg/b,xvdb,w')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'libxl: error: libxl_disk.c:343:device_disk_add: Domain 1:device already exists in xenstore\nlibxl_device_disk_add failed.\n',
    });
    const bad = await xl(lab, 'block-attach', 'g1', 'phy:/dev/vg/c');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe("command line: config parsing error in disk specification: no vdev specified in `phy:/dev/vg/c'\n");
  });

  it('-N prints the device as libxl JSON ("disk: " / "vif: ") and attaches nothing', async () => {
    const lab = newLab();
    await xl(lab, 'create', writeGuestConfig(lab, 'g1'));
    expect(await xl(lab, '-N', 'block-attach', 'g1', 'phy:/dev/vg/a,xvdb,w')).toEqual({
      code: 0,
      stdout: 'disk: {\n    "pdev_path": "/dev/vg/a",\n    "vdev": "xvdb",\n    "format": "raw",\n    "readwrite": 1\n}\n\n',
      stderr: '',
    });
    expect(await xl(lab, '-N', 'network-attach', 'g1', 'bridge=xenbr1')).toEqual({ code: 0, stdout: 'vif: {\n    "devid": -1,\n    "bridge": "xenbr1"\n}\n\n', stderr: '' });
    expect((await xl(lab, 'block-list', 'g1')).stdout.split('\n').length).toBe(2);
  });
});
