// xl sysrq and device hot-plug on a real host: the same xl commands run on dom0, each
// argument quoted for its shell; what xl refuses comes back as the toolstack's error.
import { afterEach, describe, expect, it } from 'vitest';
import { RemoteToolstackHost } from '../../../engine/toolstack/remote-toolstack-host';
import { connectToFakeDom0, startFakeDom0, type FakeDom0, toolsProbe } from './fake-dom0';

const TOOLS = toolsProbe();

let dom0: FakeDom0 | undefined;
afterEach(async () => {
  await dom0?.close();
  dom0 = undefined;
});

describe('RemoteXenHost: xl sysrq, block-attach/-detach, network-attach/-detach', () => {
  it('sends the commands as xl takes them, quoted', async () => {
    dom0 = await startFakeDom0((cmd) => {
      if (cmd.includes('command -v')) return { stdout: TOOLS };
      if (cmd === 'xl block-detach web1 xvdz') return { stderr: 'Error: Device xvdz not connected.\n', code: 1 };
      return cmd.startsWith('xl ') ? { stdout: '' } : { stderr: `sh: unexpected ${cmd}\n`, code: 99 };
    });
    const h = await connectToFakeDom0(dom0);
    await h.sysrq('web1', 'c');
    await h.blockAttach('web1', ['phy:/dev/vg/data,xvdb,w']);
    await h.blockDetach('web1', 'xvdb', true);
    await h.networkAttach('web1', ['bridge=xenbr0', 'mac=00:16:3e:01:02:03']);
    await h.networkDetach('web1', '00:16:3e:01:02:03');
    await h.blockAttach('web1', ['vdev=xvdc, target=/srv/my disk.img']);
    await h.trigger('web1', 'nmi', 1);
    const sent = dom0.commands.filter((c) => !c.includes('command -v'));
    expect(sent).toEqual([
      'xl sysrq web1 c',
      'xl block-attach web1 phy:/dev/vg/data,xvdb,w',
      'xl block-detach -f web1 xvdb',
      'xl network-attach web1 bridge=xenbr0 mac=00:16:3e:01:02:03',
      'xl network-detach web1 00:16:3e:01:02:03',
      "xl block-attach web1 'vdev=xvdc, target=/srv/my disk.img'",
      'xl trigger web1 nmi 1',
    ]);
    await expect(h.blockAttach('web1', ['-x'])).rejects.toThrow(/not an xl argument/);
    const t = new RemoteToolstackHost('real1', h);
    await expect(t.blockDetach('web1', 'xvdz')).rejects.toMatchObject({ message: expect.stringContaining('Error: Device xvdz not connected.') });
    await h.close();
  });
});
