/**
 * Network boot of an HVM guest whose boot order starts with "n" (xl.cfg(5) boot=): the
 * device model's NIC option ROM (iPXE, as QEMU ships it for rtl8139/e1000) runs after
 * SeaBIOS and prints its steps on the console as iPXE does:
 *
 *   iPXE (PCI 00:04.0) starting execution...ok / iPXE initialising devices...ok
 *   iPXE 1.21.1+ -- Open Source Network Boot Firmware -- https://ipxe.org
 *   net0: <mac> using rtl8139 on 0000:00:04.0 (Ethernet) [open]
 *   Configuring (net0 <mac>)...... ok           DHCPDISCOVER/OFFER/REQUEST/ACK
 *   net0: <ip>/<mask> gw <router> / Next server: / Filename:
 *   tftp://<next-server>/pxelinux.0... ok       TFTP with blksize
 *   pxelinux.0 : N bytes [PXE-NBP]
 *
 * then PXELINUX loads its kernel and initrd over TFTP and the kernel boots. Without an
 * answer (no NIC, a NIC on another bridge, no DHCP server) iPXE gives up with its
 * messages and SeaBIOS tries the next device in the boot order, or prints "No bootable
 * device." and retries. Every step takes simulated time: the DHCP exchange iPXE's
 * timers give it, each TFTP block a round trip on the bridge.
 */
import { MILLISECS, MICROSECS, type STime } from '../hypervisor/clock';
import type { GuestHardware } from './guest-platform';
import { DHCP, TftpError, type LabNetwork } from './lab-network';

export interface FirmwareLine {
  at: STime;
  text: string;
}

export interface NetbootPlan {
  lines: FirmwareLine[];
  /** When the kernel starts (ns after the domain started), or undefined: nothing booted. */
  kernelAt: STime | undefined;
  /** The network handed over a kernel (else the disk boot follows, if any). */
  netbooted: boolean;
  address?: string;
}

/** One TFTP block's round trip on the lab bridge (DATA then ACK). */
const TFTP_RTT = MICROSECS(200);
/** iPXE's DHCP: it waits for offers (and a ProxyDHCP) before it requests. */
const DHCP_OFFER_WAIT = MILLISECS(1000);
/** iPXE's DHCP timeout when nobody answers (its discovery retries add up to ~ 15 s). */
const DHCP_GIVE_UP = MILLISECS(15_000);
const NIC_PCI = '00:04.0';
/** pxelinux fetches with a larger block (RFC 2348), iPXE asks for its MTU-sized one. */
const IPXE_BLKSIZE = 1432;
const PXELINUX_BLKSIZE = 1408;

function xidFor(mac: string): number {
  let x = 0x811c9dc5;
  for (const ch of mac) x = Math.imul(x ^ ch.charCodeAt(0), 16777619) >>> 0;
  return x;
}

/** The firmware stage of an HVM guest booting from the network, as far as it gets. */
export function netboot(hw: GuestHardware, net: LabNetwork | undefined, startAt: STime): NetbootPlan {
  const lines: FirmwareLine[] = [];
  let t = startAt;
  const say = (text: string, after = 0): void => {
    t += after;
    lines.push({ at: t, text });
  };
  const nic = hw.nics?.[0];
  const model = nic?.model ?? 'rtl8139';
  say('Booting from ROM...', MILLISECS(100));
  if (!nic) return { lines, kernelAt: undefined, netbooted: false };
  say(`iPXE (PCI ${NIC_PCI}) starting execution...ok`, MILLISECS(100));
  say('iPXE initialising devices...ok', MILLISECS(100));
  say('', 0);
  say('iPXE 1.21.1+ (g4a4a9) -- Open Source Network Boot Firmware -- https://ipxe.org', MILLISECS(50));
  say('Features: DNS HTTP iSCSI TFTP AoE ELF MBOOT PXE bzImage Menu PXEXT', 0);
  say('', 0);
  say(`net0: ${nic.mac} using ${model} on 0000:${NIC_PCI} (Ethernet) [open]`, MILLISECS(100));
  say('  [Link:up, TX:0 TXE:0 RX:0 RXE:0]', 0);
  // DHCP, over the bridge the vif is on
  const xid = xidFor(nic.mac);
  const base = { op: 1 as const, xid, chaddr: nic.mac, ciaddr: '0.0.0.0', yiaddr: '0.0.0.0', siaddr: '0.0.0.0', file: '' };
  const offer = net?.dhcp({ ...base, options: new Map([[53, DHCP.DISCOVER]]) }, nic.bridge);
  const ack =
    offer &&
    net?.dhcp(
      {
        ...base,
        options: new Map<number, string | number>([
          [53, DHCP.REQUEST],
          [50, offer.yiaddr],
          [54, String(offer.options.get(54))],
        ]),
      },
      nic.bridge,
    );
  if (!ack || ack.options.get(53) !== DHCP.ACK) {
    say(`Configuring (net0 ${nic.mac}).................. No configuration methods succeeded (https://ipxe.org/040ee186)`, DHCP_GIVE_UP);
    say('No more network devices', MILLISECS(10));
    return { lines, kernelAt: undefined, netbooted: false };
  }
  say(`Configuring (net0 ${nic.mac})...... ok`, DHCP_OFFER_WAIT + MILLISECS(20));
  say(`net0: ${ack.yiaddr}/${String(ack.options.get(1))} gw ${String(ack.options.get(3))}`, 0);
  say(`Next server: ${ack.siaddr}`, 0);
  say(`Filename: ${ack.file}`, 0);
  const fetch = (file: string, blksize: number): number | string => {
    try {
      const x = net!.tftpRead(ack.siaddr, file, blksize);
      t += x.blocks.length * TFTP_RTT;
      return x.tsize;
    } catch (e) {
      return e instanceof TftpError && e.code === 1 ? 'No such file or directory (https://ipxe.org/2d12608e)' : 'Connection timed out (https://ipxe.org/4c106035)';
    }
  };
  const nbp = fetch(ack.file, IPXE_BLKSIZE);
  if (typeof nbp === 'string') {
    say(`tftp://${ack.siaddr}/${ack.file}... ${nbp}`, 0);
    say('No more network devices', MILLISECS(10));
    return { lines, kernelAt: undefined, netbooted: false, address: ack.yiaddr };
  }
  say(`tftp://${ack.siaddr}/${ack.file}... ok`, 0);
  say(`${ack.file} : ${nbp} bytes [PXE-NBP]`, MILLISECS(5));
  say('PXELINUX 6.04 PXE 20200816  Copyright (C) 1994-2015 H. Peter Anvin et al', MILLISECS(50));
  for (const f of ['ldlinux.c32']) fetch(f, PXELINUX_BLKSIZE);
  say('boot: ', MILLISECS(20));
  for (const [label, file] of [
    ['linux', 'debian-installer/amd64/linux'],
    ['initrd.gz', 'debian-installer/amd64/initrd.gz'],
  ] as const) {
    t += MILLISECS(5);
    const r = fetch(file, PXELINUX_BLKSIZE);
    say(`Loading ${file}... ${typeof r === 'string' ? 'failed' : 'ok'}`, 0);
    void label;
    if (typeof r === 'string') return { lines, kernelAt: undefined, netbooted: false, address: ack.yiaddr };
  }
  return { lines, kernelAt: t + MILLISECS(50), netbooted: true, address: ack.yiaddr };
}
