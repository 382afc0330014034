/**
 * Schemas of the libxl device and build-info parts a domain config resolves to
 * (engine/toolstack/config/*: libxl_device_disk, _nic, _pci, _usbctrl, _usbdev and the
 * "type.hvm" union), so they cross the wire checked like the rest of the build info.
 */
import { z } from 'zod';
import type { LibxlJsonValue } from '../../engine/toolstack/types';

const TrueFalse = z.enum(['True', 'False']);

export const LibxlJsonValueSchema: z.ZodType<LibxlJsonValue> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(LibxlJsonValueSchema), z.record(z.string(), LibxlJsonValueSchema)]),
);

export const LibxlDiskSchema = z.object({
  backend_domname: z.string().optional(),
  pdev_path: z.string().optional(),
  vdev: z.string().optional(),
  backend: z.enum(['phy', 'tap', 'qdisk', 'standalone']).optional(),
  format: z.enum(['qcow', 'qcow2', 'vhd', 'raw', 'empty', 'qed']).optional(),
  script: z.string().optional(),
  removable: z.number().int().optional(),
  readwrite: z.number().int().optional(),
  is_cdrom: z.number().int().optional(),
  direct_io_safe: z.boolean().optional(),
  discard_enable: TrueFalse.optional(),
  specification: z.enum(['xen', 'virtio']).optional(),
  colo_enable: TrueFalse.optional(),
  colo_host: z.string().optional(),
  colo_port: z.number().int().optional(),
  colo_export: z.string().optional(),
  active_disk: z.string().optional(),
  hidden_disk: z.string().optional(),
  trusted: TrueFalse.optional(),
});

export const LibxlNicSchema = z.object({
  backend_domname: z.string().optional(),
  devid: z.number().int(),
  mtu: z.number().int().optional(),
  model: z.string().optional(),
  mac: z.string().optional(),
  ip: z.string().optional(),
  bridge: z.string().optional(),
  ifname: z.string().optional(),
  script: z.string().optional(),
  nictype: z.enum(['vif_ioemu', 'vif']).optional(),
  rate_bytes_per_interval: z.number().optional(),
  rate_interval_usecs: z.number().optional(),
  gatewaydev: z.string().optional(),
  trusted: TrueFalse.optional(),
});

export const LibxlPciSchema = z.object({
  func: z.number().int().optional(),
  dev: z.number().int().optional(),
  bus: z.number().int().optional(),
  domain: z.number().int().optional(),
  vdevfn: z.number().int().optional(),
  vfunc_mask: z.number().optional(),
  msitranslate: z.boolean().optional(),
  power_mgmt: z.boolean().optional(),
  permissive: z.boolean().optional(),
  seize: z.boolean().optional(),
  rdm_policy: z.enum(['strict', 'relaxed']).optional(),
  name: z.string().optional(),
});

export const LibxlUsbctrlSchema = z.object({
  type: z.enum(['pv', 'devicemodel', 'qusb']).optional(),
  devid: z.number().int(),
  version: z.number().int().optional(),
  ports: z.number().int().optional(),
});

export const LibxlUsbdevSchema = z.object({
  ctrl: z.number().int().optional(),
  port: z.number().int().optional(),
  'type.hostdev': z.object({ hostbus: z.number().int().optional(), hostaddr: z.number().int().optional() }).optional(),
});

const JsonObject = z.record(z.string(), LibxlJsonValueSchema);

/** The b_info members added by the semantic layer. */
export const BuildInfoExtraSchema = {
  vcpu_hard_affinity: z.array(z.array(z.number().int())).optional(),
  vcpu_soft_affinity: z.array(z.array(z.number().int())).optional(),
  numa_placement: z.literal('False').optional(),
  device_model_version: z.enum(['qemu_xen', 'qemu_xen_traditional']).optional(),
  device_model: z.string().optional(),
  sched_params: z.record(z.string(), z.number()).optional(),
  cpuid_xend: z.array(z.object({ leaf: z.number(), subleaf: z.number().optional(), eax: z.string().optional(), ebx: z.string().optional(), ecx: z.string().optional(), edx: z.string().optional() })).optional(),
  hvm: JsonObject.optional(),
  pv: JsonObject.optional(),
};

/** The device arrays of libxl_domain_config. */
export const DeviceArraysSchema = {
  disks: z.array(LibxlDiskSchema).optional(),
  nics: z.array(LibxlNicSchema).optional(),
  pcidevs: z.array(LibxlPciSchema).optional(),
  vfbs: z.array(JsonObject).optional(),
  vkbs: z.array(JsonObject).optional(),
  usbctrls: z.array(LibxlUsbctrlSchema).optional(),
  usbdevs: z.array(LibxlUsbdevSchema).optional(),
};

const VbdInfoSchema = z.object({
  devid: z.number().int(),
  vdev: z.string(),
  target: z.string(),
  backendType: z.string(),
  mode: z.enum(['r', 'w']),
  cdrom: z.boolean(),
  backendDomid: z.number().int(),
  state: z.number().int(),
  evtch: z.number().int(),
  ringRef: z.number().int(),
  backendPath: z.string(),
});

const VifInfoSchema = z.object({
  devid: z.number().int(),
  mac: z.string(),
  bridge: z.string(),
  backendDomid: z.number().int(),
  state: z.number().int(),
  evtch: z.number().int(),
  txRingRef: z.number().int(),
  rxRingRef: z.number().int(),
  backendPath: z.string(),
});

/** `domain.devices`: what xl block-list / network-list show. */
export const DomainDevicesSchema = z.object({ disks: z.array(VbdInfoSchema), nics: z.array(VifInfoSchema) });
