// xl debug-keys on a real host: the keys go to dom0's xl, quoted for its shell; Xen's
// answer is then in that host's xl dmesg.
import { afterEach, describe, expect, it } from 'vitest';
import { RemoteToolstackHost } from '../../../engine/toolstack/remote-toolstack-host';
import { connectToFakeDom0, startFakeDom0, type FakeDom0, toolsProbe } from './fake-dom0';

const TOOLS = toolsProbe();

let dom0: FakeDom0 | undefined;
afterEach(async () => {
  await dom0?.close();
  dom0 = undefined;
});

describe('RemoteToolstackHost.debugKeys', () => {
  it('runs xl debug-keys with the keys quoted, and refuses non-printable keys before sending', async () => {
    dom0 = await startFakeDom0((cmd) => (cmd.includes('command -v') ? { stdout: TOOLS } : cmd.startsWith('xl ') ? { stdout: '' } : { stderr: `sh: unexpected ${cmd}\n`, code: 99 }));
    const t = new RemoteToolstackHost('real1', await connectToFakeDom0(dom0));
    await t.debugKeys('rq');
    await t.debugKeys('*');
    await expect(t.debugKeys('h\n')).rejects.toMatchObject({ code: 'EINVAL' });
    expect(dom0.commands.filter((c) => !c.includes('command -v'))).toEqual(['xl debug-keys rq', "xl debug-keys '*'"]);
  });
});
