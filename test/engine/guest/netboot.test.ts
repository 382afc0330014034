import { describe, expect, it } from 'vitest';
import { DHCP, LabNetwork } from '../../../engine/guest/lab-network';
import { rig } from './guest-harness';

const PXE = 'name = "pxe1"\ntype = "hvm"\nmemory = 1024\nvcpus = 1\nboot = "n"\nvif = [ "mac=00:16:3e:0a:0b:0c,bridge=xenbr0" ]\n';

describe('network boot (boot="n", iPXE against the lab DHCP/TFTP service)', () => {
  it('shows iPXE configuring net0 by DHCP with the vif MAC, fetching pxelinux.0 by TFTP, then the kernel', async () => {
    const g = await rig(PXE);
    g.run(30);
    const t = g.text();
    expect(t).toContain('iPXE 1.21.1+ (g4a4a9) -- Open Source Network Boot Firmware -- https://ipxe.org');
    expect(t).toContain('net0: 00:16:3e:0a:0b:0c using rtl8139 on 0000:00:04.0 (Ethernet) [open]');
    expect(t).toContain('Configuring (net0 00:16:3e:0a:0b:0c)...... ok');
    expect(t).toContain('net0: 10.0.0.100/255.255.255.0 gw 10.0.0.1');
    expect(t).toContain('Next server: 10.0.0.1');
    expect(t).toContain('tftp://10.0.0.1/pxelinux.0... ok');
    expect(t).toContain('pxelinux.0 : 42430 bytes [PXE-NBP]');
    expect(t.indexOf('pxelinux.0 : ')).toBeLessThan(t.indexOf('Linux version'));
    expect(t).not.toContain('Booting from Hard Disk');
    expect(t.endsWith('pxe1 login: ')).toBe(true);
    expect(g.host.labNetwork.leaseOf('00:16:3e:0a:0b:0c')).toBe('10.0.0.100');
  });

  it('a second guest gets the next address; the same MAC keeps its lease', async () => {
    const g = await rig(PXE);
    await g.host.createDomain({ configText: PXE.replace('pxe1', 'pxe2').replace('0a:0b:0c', '0a:0b:0d') });
    g.run(30);
    expect(g.host.labNetwork.leaseOf('00:16:3e:0a:0b:0d')).toBe('10.0.0.101');
    await g.host.destroy(g.domid);
    await g.host.createDomain({ configText: PXE });
    g.run(30);
    expect(g.host.labNetwork.leaseOf('00:16:3e:0a:0b:0c')).toBe('10.0.0.100');
  });

  it('a vif on another bridge gets no answer: iPXE gives up and the disk boots (boot="nc")', async () => {
    const g = await rig(PXE.replace('bridge=xenbr0', 'bridge=xenbr1').replace('boot = "n"', 'boot = "nc"'));
    g.run(40);
    const t = g.text();
    expect(t).toContain('No configuration methods succeeded (https://ipxe.org/040ee186)');
    expect(t).toContain('No more network devices');
    expect(t.indexOf('Booting from Hard Disk')).toBeGreaterThan(t.indexOf('No more network devices'));
    expect(t.endsWith('pxe1 login: ')).toBe(true);
  });

  it('with only the network to boot from and no NIC, SeaBIOS says so and retries', async () => {
    const g = await rig('name = "nonic"\ntype = "hvm"\nmemory = 512\nboot = "n"\n');
    g.run(5);
    expect(g.text()).toContain('No bootable device.  Retrying in 60 seconds.');
    expect(g.text()).not.toContain('Linux version');
  });

  it('DHCP: DISCOVER/OFFER/REQUEST/ACK carry next-server and file; a REQUEST for another address is NAKed', () => {
    const net = new LabNetwork();
    const base = { op: 1 as const, xid: 7, chaddr: '00:16:3e:00:00:01', ciaddr: '0.0.0.0', yiaddr: '0.0.0.0', siaddr: '0.0.0.0', file: '' };
    const offer = net.dhcp({ ...base, options: new Map([[53, DHCP.DISCOVER]]) }, 'xenbr0')!;
    expect(offer.options.get(53)).toBe(DHCP.OFFER);
    expect([offer.yiaddr, offer.siaddr, offer.file, offer.xid]).toEqual(['10.0.0.100', '10.0.0.1', 'pxelinux.0', 7]);
    const ack = net.dhcp({ ...base, options: new Map<number, string | number>([[53, DHCP.REQUEST], [50, '10.0.0.100'], [54, '10.0.0.1']]) }, 'xenbr0')!;
    expect(ack.options.get(53)).toBe(DHCP.ACK);
    const nak = net.dhcp({ ...base, options: new Map<number, string | number>([[53, DHCP.REQUEST], [50, '10.0.0.150'], [54, '10.0.0.1']]) }, 'xenbr0')!;
    expect(nak.options.get(53)).toBe(DHCP.NAK);
    expect(net.dhcp({ ...base, options: new Map([[53, DHCP.DISCOVER]]) }, 'xenbr1')).toBeUndefined();
  });

  it('TFTP: blocks of blksize, the last short, the bytes add up to tsize; unknown files are File not found', () => {
    const net = new LabNetwork();
    const x = net.tftpRead('10.0.0.1', 'pxelinux.0', 1432);
    expect(x.blksize).toBe(1432);
    expect(x.blocks.slice(0, -1).every((b) => b.length === 1432)).toBe(true);
    expect(x.blocks.at(-1)!.length).toBeLessThan(1432);
    expect(x.blocks.reduce((a, b) => a + b.length, 0)).toBe(x.tsize);
    expect(() => net.tftpRead('10.0.0.1', 'nope')).toThrow('File not found');
  });
});
