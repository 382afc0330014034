/**
 * The lines libxl logs on failures xl users see, with the source locations of the Xen
 * 4.17.7 tools the fixtures were captured from (tools/libs/light/*.c): xtl's stdio
 * logger prints "libxl: error: FILE:LINE:FUNCTION: Domain N:MESSAGE[: strerror]"
 * (LIBXL__LOGD / LIBXL__LOGD_ERRNO in libxl_internal.h; no "Domain N:" without a domid).
 */
import { parseDiskStatError } from '../../toolstack/disk-set-backend';

export interface LibxlSite {
  file: string;
  line: number;
  fn: string;
}

export const SITES = {
  rename: { file: 'libxl_domain.c', line: 81, fn: 'libxl__domain_rename' },
  memTarget: { file: 'libxl_mem.c', line: 278, fn: 'libxl_set_memory_target' },
  memTargetDom0: { file: 'libxl_mem.c', line: 287, fn: 'libxl_set_memory_target' },
  vcpuOnlineZero: { file: 'libxl_domain.c', line: 1863, fn: 'libxl_set_vcpuonline' },
  vcpuOnlineMax: { file: 'libxl_domain.c', line: 1869, fn: 'libxl_set_vcpuonline' },
  rtdsVcpuSetRange: { file: 'libxl_sched.c', line: 627, fn: 'sched_rtds_vcpu_set' },
  rtdsPeriod: { file: 'libxl_sched.c', line: 477, fn: 'sched_rtds_validate_params' },
  rtdsBudget: { file: 'libxl_sched.c', line: 483, fn: 'sched_rtds_validate_params' },
  rtdsBudgetPeriod: { file: 'libxl_sched.c', line: 489, fn: 'sched_rtds_validate_params' },
  vcpuSchedSet: { file: 'libxl_sched.c', line: 826, fn: 'libxl_vcpu_sched_params_set' },
  vcpuSchedGet: { file: 'libxl_sched.c', line: 931, fn: 'libxl_vcpu_sched_params_get' },
  makeDomain: { file: 'libxl_create.c', line: 1296, fn: 'initiate_domain_create' },
  rebuildDone: { file: 'libxl_create.c', line: 1640, fn: 'domcreate_rebuild_done' },
  destroyDomid: { file: 'libxl_domain.c', line: 1183, fn: 'libxl__destroy_domid' },
  destroyCallback: { file: 'libxl_domain.c', line: 1137, fn: 'domain_destroy_callback' },
  destroyCb: { file: 'libxl_domain.c', line: 1064, fn: 'domain_destroy_cb' },
  pause: { file: 'libxl_domain.c', line: 587, fn: 'libxl_domain_pause' },
  unpause: { file: 'libxl_domain.c', line: 688, fn: 'domain_unpause_done' },
  domainType: { file: 'libxl_dom.c', line: 37, fn: 'libxl__domain_type' },
  coreDump: { file: 'libxl_domain.c', line: 603, fn: 'libxl_domain_core_dump' },
  diskSetBackend: { file: 'libxl_device.c', line: 455, fn: 'libxl__device_disk_set_backend' },
  diskDefaults: { file: 'libxl_create.c', line: 1316, fn: 'initiate_domain_create' },
  setVcpuAffinity: { file: 'libxl_sched.c', line: 62, fn: 'libxl__set_vcpuaffinity' },
} as const satisfies Record<string, LibxlSite>;

/** Where sched_rtds_validate_params() logs the refusal worded `message`, if it is one of its three. */
export function rtdsValidateSite(message: string): LibxlSite | undefined {
  if (message.startsWith('Invalid VCPU period of ')) return SITES.rtdsPeriod;
  if (message.startsWith('Invalid VCPU budget of ')) return SITES.rtdsBudget;
  if (message.startsWith('VCPU budget must be smaller than or equal to period')) return SITES.rtdsBudgetPeriod;
  return undefined;
}

export function libxlError(site: LibxlSite, domid: number | undefined, message: string, errno?: string): string {
  const dom = domid === undefined ? '' : `Domain ${domid}:`;
  return `libxl: error: ${site.file}:${site.line}:${site.fn}: ${dom}${message}${errno === undefined ? '' : `: ${errno}`}\n`;
}

/** libxl's error codes (libxl_types.idl libxl_error) that xl prints as rc=. */
export const LIBXL_RC = {
  FAIL: -3,
  INVAL: -6,
  DOMAIN_NOTFOUND: -21,
} as const;

/** What libxl__destroy_domid and its callbacks log for a domid that does not exist. */
export function destroyNotFoundLines(domid: number): string {
  return (
    libxlError(SITES.destroyDomid, domid, 'Non-existant domain') +
    libxlError(SITES.destroyCallback, domid, 'Unable to destroy guest') +
    libxlError(SITES.destroyCb, domid, 'Destruction of domain failed')
  );
}

/**
 * What libxl logs when a disk's target is not in dom0 (engine/toolstack/disk-set-backend.ts):
 * the stat failure, and for a create the disk it gave up on.
 */
export function diskStatLines(message: string): string | undefined {
  const f = parseDiskStatError(message);
  if (!f) return undefined;
  const stat = libxlError(SITES.diskSetBackend, undefined, f.stat);
  return f.domid === undefined ? stat : stat + libxlError(SITES.diskDefaults, f.domid, `Unable to set disk defaults for disk ${f.index!}`);
}
