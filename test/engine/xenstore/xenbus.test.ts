import { describe, expect, it } from 'vitest';
import { XenstoreDaemon } from '../../../engine/xenstore/daemon';
import { XsClient } from '../../../engine/xenstore/client';
import { writeDomainLayout } from '../../../engine/xenstore/layout';

async function guestHost(): Promise<{ d: XenstoreDaemon; dom0: XsClient; guest: XsClient }> {
  const d = new XenstoreDaemon();
  await writeDomainLayout(XsClient.xenbus(d, 0), {
    domid: 5, name: 'g', uuid: '11111111-2222-4333-8444-555555555555', type: 'pv',
    maxMemKb: 131072, targetMemKb: 131072, vcpus: 1, storePort: 1, storeRingRef: 1,
  });
  return { d, dom0: XsClient.xenbus(d, 0), guest: XsClient.xenbus(d, 5) };
}

describe("a guest's in-process xenbus connection", () => {
  it('uses relative paths under its domain and is held to the permissions', async () => {
    const { guest, dom0 } = await guestHost();
    expect(await guest.read('name')).toBe('g');
    await guest.write('data/ip', '10.0.0.5');
    expect(await dom0.read('/local/domain/5/data/ip')).toBe('10.0.0.5');
    await expect(guest.write('name', 'x')).rejects.toThrow(/EACCES/);
    await expect(guest.read('/local/domain/0/name')).rejects.toThrow(/EACCES|ENOENT/);
    expect(await guest.getPerms('data/ip')).toEqual(['n5']);
  });

  it('sees the toolstack ask for a shutdown through a watch on control/shutdown', async () => {
    const { guest, dom0 } = await guestHost();
    const seen: string[] = [];
    guest.onWatch((p) => seen.push(p));
    await guest.watch('control/shutdown', 'sd');
    await dom0.write('/local/domain/5/control/shutdown', 'poweroff');
    await new Promise((r) => setTimeout(r, 5));
    expect(seen).toEqual(['control/shutdown', 'control/shutdown']);
    expect(await guest.read('control/shutdown')).toBe('poweroff');
  });

  it('is cut when the domain is released', async () => {
    const { d, guest } = await guestHost();
    d.release(5);
    await new Promise((r) => setTimeout(r, 5));
    await expect(guest.read('name')).rejects.toThrow(/closed/);
  });
});
