/**
 * What the creation wizard collects: the keys of xl.cfg(5) an administrator sets for a
 * new domain, in xl.cfg's own names and units (memory in MiB, vCPU counts, cpus as a
 * CPULIST string). xlcfg-writer.ts turns it into the file.
 */
export type DomainType = 'pv' | 'pvh' | 'hvm';

export interface DiskDraft {
  /** xl-disk-configuration(5): target (file path or device), vdev, access. */
  target: string;
  format: 'raw' | 'qcow2' | 'vhd';
  vdev: string;
  access: 'rw' | 'ro';
  devtype: 'disk' | 'cdrom';
  /**
   * Size in GiB of a raw image to make in dom0 before the create when the target is not
   * there yet (xl never creates disks; an administrator runs `truncate -s` first); null:
   * the target must already exist.
   */
  newSizeGiB: number | null;
}

/** The images the create must make first: raw disks with a size, as the api takes them. */
export function newImagesOf(d: DomainDraft): { path: string; sizeMiB: number }[] {
  return d.disks
    .filter((x) => x.newSizeGiB !== null && x.newSizeGiB > 0 && x.format === 'raw' && x.devtype === 'disk' && x.target.startsWith('/'))
    .map((x) => ({ path: x.target, sizeMiB: Math.round(x.newSizeGiB! * 1024) }));
}

export interface VifDraft {
  /** xl-network-configuration(5): bridge, mac (empty: xl picks one in 00:16:3e), model for HVM. */
  bridge: string;
  mac: string;
  model: '' | 'e1000' | 'rtl8139';
}

export interface DomainDraft {
  name: string;
  type: DomainType;
  memory: number;
  maxmem: number | null;
  vcpus: number;
  maxvcpus: number | null;
  pool: string;
  /** Hard affinity (xl.cfg `cpus`), a CPULIST such as "0-3,^1"; empty: all. */
  cpus: string;
  /** Soft affinity (`cpus_soft`). */
  cpusSoft: string;
  kernel: string;
  ramdisk: string;
  cmdline: string;
  /** HVM: boot order, c (disk), d (cdrom), n (network). */
  boot: string;
  onPoweroff: string;
  onReboot: string;
  onCrash: string;
  disks: DiskDraft[];
  vifs: VifDraft[];
}

export function emptyDraft(): DomainDraft {
  return {
    name: '',
    type: 'pvh',
    memory: 1024,
    maxmem: null,
    vcpus: 1,
    maxvcpus: null,
    pool: '',
    cpus: '',
    cpusSoft: '',
    kernel: '',
    ramdisk: '',
    cmdline: '',
    boot: 'c',
    onPoweroff: 'destroy',
    onReboot: 'restart',
    onCrash: 'destroy',
    disks: [],
    vifs: [],
  };
}
