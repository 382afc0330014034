/**
 * What a simulated guest sees of its domain and host (engine/guest/guest-platform.ts):
 * vCPUs and memory from XEN_DOMCTL_getdomaininfo, the CPU from the host preset (its
 * CPUID vendor, family and model, and a model name in the form Linux prints the
 * brand string), the kernel command line from the domain's config.
 */
import type { GuestHardware } from '../guest/guest-platform';
import type { HostPreset } from '../hypervisor/host-presets';
import { PAGE_KIB, XEN_VERSION, type DomainInfo } from '../hypervisor/xen';
import { devicesForLayout } from './domain-devices';
import type { DomainBuildInfoJson } from './types';

/** "Intel(R) Xeon(R) CPU E5-2699 v3 @ 2.30GHz", as the brand string reads. */
export function cpuModelName(preset: HostPreset): string {
  const ghz = (preset.cpuMhz / 1000).toFixed(2);
  const xeon = /Xeon ([^(,]+?)\s*(\(|,|$)/.exec(preset.label);
  if (preset.vendor === 'AuthenticAMD') return `AMD EPYC Processor @ ${ghz}GHz`;
  if (xeon) {
    const part = xeon[1]!.trim();
    return /^(Platinum|Gold|Silver|Bronze)/.test(part) ? `Intel(R) Xeon(R) ${part} CPU @ ${ghz}GHz` : `Intel(R) Xeon(R) CPU ${part} @ ${ghz}GHz`;
  }
  return `Intel(R) Core(TM) CPU @ ${ghz}GHz`;
}

export function guestHardware(d: DomainInfo, preset: HostPreset, buildInfo: DomainBuildInfoJson | undefined): GuestHardware {
  return {
    domid: d.domid,
    name: d.name,
    uuid: d.uuid,
    type: d.type,
    vcpus: d.nrOnlineVcpus,
    memoryKiB: d.totPages * PAGE_KIB,
    cpuMhz: preset.cpuMhz,
    cpuVendor: preset.vendor,
    cpuFamily: preset.family,
    cpuModel: preset.model,
    cpuModelName: cpuModelName(preset),
    xenVersion: `${XEN_VERSION.major}.${XEN_VERSION.minor}${XEN_VERSION.extra}`,
    ...(buildInfo?.b_info.cmdline ? { cmdline: buildInfo.b_info.cmdline } : {}),
    // HVM boots through firmware and GRUB, which loads the image's initrd; PV/PVH only with ramdisk=
    initrd: d.type === 'hvm' || buildInfo?.b_info.ramdisk !== undefined,
    ...(buildInfo?.b_info.boot ? { boot: buildInfo.b_info.boot } : {}),
    ...(buildInfo ? { vbds: devicesForLayout(buildInfo, d.uuid).disks.map((k) => k.devid) } : {}),
    ...(buildInfo ? { nics: devicesForLayout(buildInfo, d.uuid).nics.map((n, i) => ({ devid: n.devid, mac: n.mac, bridge: n.bridge, ...(buildInfo.nics?.[i]?.model ? { model: String(buildInfo.nics[i]!.model) } : {}) })) } : {}),
  };
}
