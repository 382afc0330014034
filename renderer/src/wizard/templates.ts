/**
 * Starting points for the wizard, as the design card asks: the guests a Xen lab runs.
 * Paths follow Debian's Xen layout (/var/lib/xen/images, /boot) and xl.cfg(5) defaults.
 */
import { emptyDraft, type DomainDraft } from './domain-draft';

export interface DomainTemplate {
  id: string;
  label: string;
  description: string;
  draft: (name: string) => DomainDraft;
}

const img = (name: string): string => `/var/lib/xen/images/${name}.img`;

/** A Linux guest booted from dom0's kernel and initrd, with one new 10 GiB disk and one bridged vif. */
function linuxGuest(name: string, type: 'pv' | 'pvh', memory: number): DomainDraft {
  return {
    ...emptyDraft(),
    name,
    type,
    memory,
    vcpus: 2,
    kernel: '/boot/vmlinuz',
    ramdisk: '/boot/initrd.img',
    cmdline: 'root=/dev/xvda1 ro console=hvc0',
    disks: [{ target: img(name), format: 'raw', vdev: 'xvda', access: 'rw', devtype: 'disk', newSizeGiB: 10 }],
    vifs: [{ bridge: 'xenbr0', mac: '', model: '' }],
  };
}

export const TEMPLATES: readonly DomainTemplate[] = [
  {
    id: 'pv-linux',
    label: 'PV Linux',
    description: 'Paravirtualised Linux booted from a kernel and initrd in dom0 (console hvc0).',
    draft: (name) => linuxGuest(name, 'pv', 1024),
  },
  {
    id: 'pvh',
    label: 'PVH',
    description: 'A PVH guest: hardware virtualisation without emulated devices (the modern default for Linux).',
    draft: (name) => linuxGuest(name, 'pvh', 2048),
  },
  {
    id: 'hvm-pv-drivers',
    label: 'HVM with PV drivers',
    description: 'A fully virtualised guest (any OS) booting from its disk; PV drivers in the guest use the Xen platform device.',
    draft: (name) => ({
      ...emptyDraft(),
      name,
      type: 'hvm',
      memory: 4096,
      vcpus: 2,
      boot: 'c',
      disks: [{ target: img(name), format: 'raw', vdev: 'hda', access: 'rw', devtype: 'disk', newSizeGiB: 20 }],
      vifs: [{ bridge: 'xenbr0', mac: '', model: '' }],
    }),
  },
  {
    id: 'rtds-guest',
    label: 'Real-time guest (RTDS)',
    description: 'A small PVH guest pinned to its own pCPUs, meant for a CPU pool running the RTDS scheduler.',
    draft: (name) => ({ ...emptyDraft(), name, type: 'pvh', memory: 512, vcpus: 1, cpus: '2-3', kernel: '/boot/vmlinuz', cmdline: 'console=hvc0' }),
  },
  {
    id: 'netboot',
    label: 'Network boot (HVM, iPXE)',
    description: "An HVM guest that boots from the network (boot = \"n\"), as Xen 4.1's iPXE support made possible.",
    draft: (name) => ({ ...emptyDraft(), name, type: 'hvm', memory: 1024, vcpus: 1, boot: 'n', vifs: [{ bridge: 'xenbr0', mac: '', model: 'e1000' }] }),
  },
  {
    id: 'blank',
    label: 'Blank',
    description: 'Only a name and xl\'s defaults.',
    draft: (name) => ({ ...emptyDraft(), name }),
  },
];
