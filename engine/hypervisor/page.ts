/**
 * Xen's page size in KiB (x86: 4 KiB pages), apart from xen.ts so that a formatter (xl's
 * listing) can use it without loading the whole hypervisor.
 */
export const PAGE_KIB = 4;
