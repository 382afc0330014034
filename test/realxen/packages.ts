// The Debian packages the real-Xen images are made of, resolved to exact versions.
// The image cache is keyed by these versions, so a Debian point release (a new kernel
// ABI, a Xen security update) rebuilds the images on the next run.
import { candidateVersions, libraryDepends, resolveMetapackages, type DebPackage } from './apt';
import { HarnessError } from './run';

/** Debian's Xen 4.17 and the dom0 userland put into the dom0 initramfs. */
export const XEN_HYPERVISOR = 'xen-hypervisor-4.17-amd64';
export const DOM0_USERLAND = ['xen-utils-4.17', 'xenstore-utils', 'openssh-server'] as const;
export const BUSYBOX = 'busybox-static';
/** linux-image-amd64 has the Xen dom0 drivers as modules; the cloud flavour is a small PV domU kernel. */
export const DOM0_KERNEL_META = 'linux-image-amd64';
export const DOMU_KERNEL_META = 'linux-image-cloud-amd64';

export interface PackageSet {
  hypervisor: DebPackage;
  dom0Kernel: DebPackage;
  domUKernel: DebPackage;
  busybox: DebPackage;
  /** xen-utils, xenstore-utils, openssh-server and the libraries they need (see libraryDepends). */
  userland: DebPackage[];
}

export function resolvePackageSet(): PackageSet {
  const kernels = resolveMetapackages([DOM0_KERNEL_META, DOMU_KERNEL_META]);
  const dom0Kernel = kernels.get(DOM0_KERNEL_META);
  const domUKernel = kernels.get(DOMU_KERNEL_META);
  if (dom0Kernel === undefined || domUKernel === undefined) throw new HarnessError('cannot resolve the kernel metapackages');
  const userland = [...DOM0_USERLAND, ...libraryDepends(DOM0_USERLAND)];
  const versions = candidateVersions([XEN_HYPERVISOR, dom0Kernel, domUKernel, BUSYBOX, ...userland]);
  const pkg = (name: string): DebPackage => ({ name, version: versions.get(name) as string });
  return {
    hypervisor: pkg(XEN_HYPERVISOR),
    dom0Kernel: pkg(dom0Kernel),
    domUKernel: pkg(domUKernel),
    busybox: pkg(BUSYBOX),
    userland: userland.map(pkg),
  };
}

/** Every package of the set, in a stable order (the cache key is computed over it). */
export function allPackages(set: PackageSet): DebPackage[] {
  return [set.hypervisor, set.dom0Kernel, set.domUKernel, set.busybox, ...set.userland];
}
