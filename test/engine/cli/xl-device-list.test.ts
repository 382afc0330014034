import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newLab, xl } from './xl-harness';

const CFG = `name = "web1"
type = "pvh"
kernel = "/boot/vmlinuz"
memory = 128
disk = [ 'phy:/dev/vg/web1,xvda,w', 'vdev=xvdb, access=ro, target=/srv/data.img' ]
vif = [ 'mac=00:16:3e:01:02:03,bridge=xenbr0' ]
`;

describe('xl block-list / network-list (xl_block.c, xl_nic.c formats)', () => {
  it('lists the vbds by device number and the vifs with their MAC, in XenbusState 1 until the guest connects', async () => {
    const lab = newLab();
    const cfg = join(lab, 'web1.cfg');
    writeFileSync(cfg, CFG);
    expect((await xl(lab, 'create', cfg)).code).toBe(0);
    const b = await xl(lab, 'block-list', 'web1');
    expect(b.stdout).toBe(
      'Vdev  BE  handle state evt-ch ring-ref BE-path                       \n' +
        '51712 0   1      1     -1     -1       /local/domain/0/backend/vbd/1/51712\n' +
        '51728 0   1      1     -1     -1       /local/domain/0/backend/vbd/1/51728\n',
    );
    const n = await xl(lab, 'network-list', '1');
    expect(n.stdout).toBe(
      'Idx BE Mac Addr.         handle state evt-ch   tx-/rx-ring-ref BE-path                       \n' +
        '0   0  00:16:3e:01:02:03     0     1     -1    -1/-1          /local/domain/0/backend/vif/1/0\n',
    );
  });

  it('block-list names a bad domain and goes on; network-list stops with exit 1', async () => {
    const lab = newLab();
    const b = await xl(lab, 'block-list', 'nosuch', '0');
    expect(b.stderr).toBe('nosuch is an invalid domain identifier\n');
    expect(b.code).toBe(0);
    const n = await xl(lab, 'network-list', 'nosuch');
    expect(n.stderr).toBe('nosuch is an invalid domain identifier (rc=-6)\n');
    expect(n.code).toBe(1);
  });
});
